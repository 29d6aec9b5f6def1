import { describe, expect, it } from 'vitest';
import { decodeBody, jsonErrorOffset, lineColumn } from '../../../../main/apiserver/http/body';
import { bodyFormatOf, negotiate, patchTypeOf } from '../../../../main/apiserver/http/negotiation';

const badRequestMessage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect((e as { code: number }).code).toBe(400);
    return (e as Error).message;
  }
  throw new Error('expected a failure');
};

describe('body decoding', () => {
  it('names line and column of a JSON syntax error', () => {
    const text = '{\n  "a": 1,\n  x: 2\n}';
    expect(badRequestMessage(() => decodeBody(Buffer.from(text), 'json'))).toBe('error decoding JSON: invalid character "x" at line 3, column 3');
  });

  it('reports truncated JSON at its end', () => {
    expect(badRequestMessage(() => decodeBody(Buffer.from('{"a": [1, 2'), 'json'))).toBe('error decoding JSON: unexpected end of JSON input at line 1, column 12');
  });

  it('finds the offset of various JSON mistakes', () => {
    expect(jsonErrorOffset('[1,2,,]')).toBe(5);
    expect(jsonErrorOffset('{"a":}')).toBe(5);
    expect(jsonErrorOffset('{"a":tru}')).toBe(8);
    expect(jsonErrorOffset('{"a":1} x')).toBe(8);
    expect(jsonErrorOffset('"\\q"')).toBe(2);
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });

  it('decodes YAML and names line and column of YAML errors', () => {
    expect(decodeBody(Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'), 'yaml')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const msg = badRequestMessage(() => decodeBody(Buffer.from('metadata:\n  name: x\n  labels: [a\n'), 'yaml'));
    expect(msg).toMatch(/^error decoding YAML: .+ at line \d+, column \d+$/);
    expect(badRequestMessage(() => decodeBody(Buffer.from('a: 1\na: 2\n'), 'yaml'))).toMatch(/at line 2, column 1/);
  });

  it('treats an empty body as absent', () => {
    expect(decodeBody(Buffer.from('  \n'), 'json')).toBeUndefined();
  });
});

describe('content negotiation', () => {
  it('answers JSON by default and when kubectl lists protobuf first', () => {
    expect(negotiate(undefined)).toEqual({ format: 'json', asTable: false });
    expect(negotiate('application/vnd.kubernetes.protobuf,application/json')).toEqual({ format: 'json', asTable: false });
    expect(negotiate('*/*')).toEqual({ format: 'json', asTable: false });
  });

  it('answers YAML when asked', () => {
    expect(negotiate('application/yaml')).toEqual({ format: 'yaml', asTable: false });
  });

  it('recognises the Table request of kubectl get, including v1beta1 alternatives', () => {
    expect(negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toEqual({ format: 'json', asTable: true });
    expect(negotiate('application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toEqual({ format: 'json', asTable: true });
  });

  it('offers aggregated discovery only where allowed', () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    expect(negotiate(accept, { aggregatedDiscovery: true }).discovery).toBe('v2');
    expect(negotiate(accept).discovery).toBeUndefined();
  });

  it('refuses with 406 what it cannot produce', () => {
    expect(() => negotiate('application/vnd.kubernetes.protobuf')).toThrow(expect.objectContaining({ code: 406, reason: 'NotAcceptable' }));
    expect(() => negotiate('text/html')).toThrow(expect.objectContaining({ code: 406 }));
    expect(() => negotiate('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).toThrow(expect.objectContaining({ code: 406 }));
    expect(() => negotiate('application/yaml', { watch: true })).toThrow(expect.objectContaining({ code: 406 }));
    expect(negotiate('application/json;stream=watch', { watch: true }).format).toBe('json');
  });

  it('maps patch and body content types, 415 for the rest', () => {
    expect(patchTypeOf('application/merge-patch+json; charset=utf-8')).toBe('application/merge-patch+json');
    expect(patchTypeOf('application/apply-patch+yaml')).toBe('application/apply-patch+yaml');
    expect(() => patchTypeOf('application/json')).toThrow(expect.objectContaining({ code: 415, reason: 'UnsupportedMediaType' }));
    expect(bodyFormatOf(undefined)).toBe('json');
    expect(bodyFormatOf('application/yaml')).toBe('yaml');
    expect(bodyFormatOf('application/vnd.kubernetes.protobuf')).toBe('protobuf');
    expect(() => bodyFormatOf('application/cbor')).toThrow(expect.objectContaining({ code: 415 }));
  });
});

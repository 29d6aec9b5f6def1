import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openApiV2Protobuf } from '../../../../main/apiserver/openapi/openapi-v2-protobuf';
import { testResources } from './helpers';

type Fields = Map<number, (Buffer | number)[]>;

/** Minimal protobuf reader: length-delimited fields as Buffers, varints as numbers. */
function decode(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = buf[i++];
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const [num, wire] = [key >> 3, key & 7];
    let value: Buffer | number;
    if (wire === 2) {
      const len = varint();
      value = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 0) value = varint();
    else throw new Error(`unexpected wire type ${wire}`);
    out.set(num, [...(out.get(num) ?? []), value]);
  }
  return out;
}
const str = (f: Fields, n: number): string | undefined => (f.get(n)?.[0] as Buffer | undefined)?.toString('utf8');
const msg = (f: Fields, n: number): Fields => decode((f.get(n)?.[0] as Buffer) ?? Buffer.alloc(0));
const msgs = (f: Fields, n: number): Fields[] => (f.get(n) ?? []).map((b) => decode(b as Buffer));

describe('OpenAPI v2 protobuf (gnostic Document) for kubectl <= 1.28', () => {
  const doc = decode(openApiV2Protobuf(testResources, 'Kubernetes', 'v1.32.0-bosun'));

  it('carries swagger version and info', () => {
    expect(str(doc, 1)).toBe('2.0');
    expect(str(msg(doc, 2), 1)).toBe('Kubernetes');
    expect(str(msg(doc, 2), 2)).toBe('v1.32.0-bosun');
    expect(doc.has(9)).toBe(false); // no definitions: kubectl keeps its compiled-in patch metadata
  });

  it('declares fieldValidation on each kind\'s PATCH with the GVK extension', () => {
    const paths = msgs(msg(doc, 8), 2);
    const byName = new Map(paths.map((p) => [str(p, 1)!, msg(p, 2)]));
    const nsItem = byName.get('/api/v1/namespaces/{name}')!;
    const patch = msg(nsItem, 8);
    expect(str(patch, 5)).toBe('patchCoreV1Namespace');
    const queryNames = msgs(patch, 8).map((item) => str(msg(msg(msg(item, 1), 2), 3), 4));
    expect(queryNames).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager', 'force']));
    const extensions = msgs(patch, 13).map((e) => [str(e, 1), parse(str(msg(e, 2), 2)!)]);
    expect(extensions).toContainEqual(['x-kubernetes-group-version-kind', { group: '', kind: 'Namespace', version: 'v1' }]);
    const scale = msg(byName.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale')!, 8);
    expect(msgs(scale, 13).map((e) => parse(str(msg(e, 2), 2)!))).toContainEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    const pathParams = msgs(byName.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!, 9).map((item) => str(msg(msg(msg(item, 1), 2), 4), 4));
    expect(pathParams).toEqual(['namespace', 'name']);
  });
});

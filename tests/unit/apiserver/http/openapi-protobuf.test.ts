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

/** $refs anywhere below a gnostic Schema (properties, items, additionalProperties). */
function collectRefs(schema: Fields): string[] {
  const own = str(schema, 1) ? [str(schema, 1)!] : [];
  const props = msgs(msg(schema, 25), 1).map((n) => msg(n, 2));
  const items = msgs(msg(schema, 23), 1);
  const additional = schema.has(21) && msg(schema, 21).has(1) ? [msg(msg(schema, 21), 1)] : [];
  return [...own, ...[...props, ...items, ...additional].flatMap(collectRefs)];
}

describe('OpenAPI v2 protobuf (gnostic Document) for kubectl <= 1.28', () => {
  const doc = decode(openApiV2Protobuf(testResources, 'Kubernetes', 'v1.32.0-bosun'));

  it('carries swagger version and info', () => {
    expect(str(doc, 1)).toBe('2.0');
    expect(str(msg(doc, 2), 1)).toBe('Kubernetes');
    expect(str(msg(doc, 2), 2)).toBe('v1.32.0-bosun');
  });

  it('carries every definition as a gnostic Schema, patch extensions included (kubectl apply reads them)', () => {
    const named = (f: Fields): Map<string, Fields> => new Map(msgs(f, 1).map((n) => [str(n, 1)!, msg(n, 2)]));
    const definitions = named(msg(doc, 9));
    const podSpec = definitions.get('io.k8s.api.core.v1.PodSpec')!;
    expect(msgs(podSpec, 22).map((t) => str(t, 1))).toEqual(['object']);
    const containers = named(msg(podSpec, 25)).get('containers')!;
    expect(str(msg(containers, 22), 1)).toBe('array');
    expect(str(msg(msg(containers, 23), 1), 1)).toBe('#/definitions/io.k8s.api.core.v1.Container');
    const extensions = Object.fromEntries(msgs(containers, 31).map((e) => [str(e, 1), parse(str(msg(e, 2), 2)!)]));
    expect(extensions).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-map-keys': ['name'] });
    // map<string, string> → additionalProperties (AdditionalPropertiesItem.schema) of type string.
    const labels = named(msg(definitions.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!, 25)).get('labels')!;
    expect(str(msg(msg(msg(labels, 21), 1), 22), 1)).toBe('string');
    const deployment = definitions.get('io.k8s.api.apps.v1.Deployment')!;
    expect(msgs(deployment, 31).map((e) => [str(e, 1), parse(str(msg(e, 2), 2)!)])).toContainEqual(['x-kubernetes-group-version-kind', [{ group: 'apps', kind: 'Deployment', version: 'v1' }]]);
    // Every $ref points at a definition of the document (kube-openapi refuses the document otherwise).
    const refs = [...definitions.values()].flatMap((d) => collectRefs(d));
    expect(refs.length).toBeGreaterThan(100);
    for (const ref of refs) expect(definitions.has(ref.replace('#/definitions/', ''))).toBe(true);
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

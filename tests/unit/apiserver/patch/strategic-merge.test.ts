import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/api/errors';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, listStrategy } from '../../../../main/apiserver/patch';

const podSpec = (containers: unknown[], extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers, ...extra } });

describe('merge-key table', () => {
  it('knows the built-in list strategies by path (and kind where paths are ambiguous)', () => {
    expect(listStrategy('Deployment', ['spec', 'template', 'spec', 'containers'])).toEqual({ kind: 'map', key: 'name' });
    expect(listStrategy('Pod', ['spec', 'containers', 'ports'])).toEqual({ kind: 'map', key: 'containerPort' });
    expect(listStrategy('Pod', ['spec', 'initContainers', 'volumeMounts'])).toEqual({ kind: 'map', key: 'mountPath' });
    expect(listStrategy('Service', ['spec', 'ports'])).toEqual({ kind: 'map', key: 'port' });
    // Atomic: `kubectl taint k:NoExecute-` sends the remaining list, which must replace the stored one.
    expect(listStrategy('Node', ['spec', 'taints'])).toBeUndefined();
    expect(listStrategy('Pod', ['metadata', 'finalizers'])).toEqual({ kind: 'set' });
    expect(listStrategy('Deployment', ['status', 'conditions'])).toEqual({ kind: 'map', key: 'type' });
    expect(listStrategy('Pod', ['spec', 'tolerations'])).toBeUndefined();
    expect(listStrategy('Pod', ['spec', 'containers', 'args'])).toBeUndefined();
  });
});

describe('strategic merge patch', () => {
  it('merges containers by name, env by name, ports by containerPort; replaces atomic lists', () => {
    const orig = podSpec(
      [{ name: 'a', image: 'a:1', args: ['x', 'y'], env: [{ name: 'E1', value: '1' }], ports: [{ containerPort: 80 }] }, { name: 'b', image: 'b:1' }],
      { tolerations: [{ key: 't1' }, { key: 't2' }] },
    );
    const out = applyStrategicMergePatch(orig, {
      spec: { containers: [{ name: 'a', image: 'a:2', args: ['z'], env: [{ name: 'E2', value: '2' }], ports: [{ containerPort: 81 }] }, { name: 'c', image: 'c:1' }], tolerations: [{ key: 't3' }] },
    }) as any;
    expect(out.spec.containers).toEqual([
      { name: 'a', image: 'a:2', args: ['z'], env: [{ name: 'E1', value: '1' }, { name: 'E2', value: '2' }], ports: [{ containerPort: 80 }, { containerPort: 81 }] },
      { name: 'b', image: 'b:1' },
      { name: 'c', image: 'c:1' },
    ]);
    expect(out.spec.tolerations).toEqual([{ key: 't3' }]);
    expect((orig.spec.containers[0] as { image: string }).image).toBe('a:1');
  });

  it('null deletes a key; $patch: delete removes list items and maps; $patch: replace replaces', () => {
    const orig = podSpec([{ name: 'a', image: 'a' }, { name: 'b', image: 'b', resources: { limits: { cpu: '1', memory: '1Gi' } } }]);
    const out = applyStrategicMergePatch(orig, {
      metadata: { name: 'p', labels: null },
      spec: { containers: [{ name: 'a', $patch: 'delete' }, { name: 'b', image: null, resources: { limits: { $patch: 'replace', cpu: '2' } } }] },
    }) as any;
    expect(out.spec.containers).toEqual([{ name: 'b', resources: { limits: { cpu: '2' } } }]);
    const replaced = applyStrategicMergePatch(orig, { spec: { containers: [{ name: 'z', image: 'z' }, { $patch: 'replace' }] } }) as any;
    expect(replaced.spec.containers).toEqual([{ name: 'z', image: 'z' }]);
    const gone = applyStrategicMergePatch({ spec: { strategy: { type: 'X' } } }, { spec: { strategy: { $patch: 'delete' } } }) as any;
    expect(gone.spec).toEqual({});
  });

  it('$retainKeys drops keys not listed (deployment strategy switch)', () => {
    const orig = { kind: 'Deployment', spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
    const out = applyStrategicMergePatch(orig, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }) as any;
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    expect(() => applyStrategicMergePatch(orig, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', other: 1 } } })).toThrow(ApiError);
  });

  it('finalizers merge as a set; $deleteFromPrimitiveList removes; $setElementOrder orders', () => {
    const orig = { kind: 'Pod', metadata: { finalizers: ['a', 'b'] } };
    expect((applyStrategicMergePatch(orig, { metadata: { finalizers: ['c', 'a'] } }) as any).metadata.finalizers).toEqual(['a', 'b', 'c']);
    expect((applyStrategicMergePatch(orig, { metadata: { $deleteFromPrimitiveList: undefined, '$deleteFromPrimitiveList/finalizers': ['a'] } }) as any).metadata.finalizers).toEqual(['b']);
    const ordered = applyStrategicMergePatch(orig, { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } }) as any;
    expect(ordered.metadata.finalizers).toEqual(['c', 'b', 'a']);
  });

  it('conditions merge by type; Service ports by port; ownerReferences by uid', () => {
    const st = applyStrategicMergePatch(
      { kind: 'Deployment', status: { conditions: [{ type: 'Available', status: 'False' }, { type: 'Progressing', status: 'True' }] } },
      { status: { conditions: [{ type: 'Available', status: 'True' }] } },
    ) as any;
    expect(st.status.conditions).toEqual([{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }]);
    const svc = applyStrategicMergePatch({ kind: 'Service', spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } }, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, { kind: 'Service' }) as any;
    expect(svc.spec.ports).toEqual([{ port: 80, targetPort: 9090 }, { port: 443 }]);
    const own = applyStrategicMergePatch({ metadata: { ownerReferences: [{ uid: '1', name: 'a' }] } }, { metadata: { ownerReferences: [{ uid: '2', name: 'b' }] } }) as any;
    expect(own.metadata.ownerReferences.map((o: { uid: string }) => o.uid)).toEqual(['1', '2']);
  });

  it('rejects malformed patches with 400', () => {
    expect(() => applyStrategicMergePatch({}, [1, 2])).toThrow(ApiError);
    const noKey = (() => {
      try {
        applyStrategicMergePatch(podSpec([{ name: 'a' }]), { spec: { containers: [{ image: 'x' }] } });
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(noKey?.code).toBe(400);
  });
});

describe('JSON merge patch (RFC 7386) and JSON patch (RFC 6902)', () => {
  it('merge patch: objects merge, null deletes, arrays replace', () => {
    expect(applyMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({ a: 'z', c: { d: 'e' } });
    expect(applyMergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
    expect(applyMergePatch({ a: 'b' }, { a: { c: 1 } })).toEqual({ a: { c: 1 } });
  });

  it('json patch applies ops without mutating the input; failed test → 422, bad op → 400', () => {
    const doc = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2] } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'remove', path: '/spec/list/0' },
      { op: 'replace', path: '/metadata/labels/a', value: 'x' },
    ]) as any;
    expect(out).toEqual({ metadata: { labels: { a: 'x', b: '2' } }, spec: { list: [2] } });
    expect(doc.metadata.labels).toEqual({ a: '1' });
    const failed = (() => {
      try {
        applyJsonPatch(doc, [{ op: 'test', path: '/metadata/labels/a', value: 'nope' }]);
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect([failed?.code, failed?.reason]).toEqual([422, 'Invalid']);
    expect(() => applyJsonPatch(doc, { op: 'add' })).toThrow(ApiError);
    const badOp = (() => {
      try {
        applyJsonPatch(doc, [{ op: 'frobnicate', path: '/a' }]);
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(badOp?.code).toBe(400);
  });
});

// recordUpdate leaves out fields identical to the old object's before looking for changed leaves. That
// must never change its result: compare it with the exhaustive definition (every leaf of the new
// object's field set, kept when it does not resolve in the old object or resolves to another value).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../shared/api/meta';
import { changedFieldSetOf, fieldSetOf, leafPaths, resolvePath } from '../../../../main/apiserver/patch/field-set';
import { recordUpdate } from '../../../../main/apiserver/patch';
import { jsonEqual } from '../../../../main/apiserver/patch/util';

function exhaustiveChangedLeaves(next: KubeObject, old: KubeObject, kind: string, includeStatus: boolean): string[][] {
  return leafPaths(fieldSetOf(next as never, kind, { includeStatus })).filter((leaf) => {
    const a = resolvePath(old, leaf);
    const b = resolvePath(next, leaf);
    return !a.found || !jsonEqual(a.value, b.value);
  });
}

function prunedChangedLeaves(next: KubeObject, old: KubeObject, kind: string, includeStatus: boolean): string[][] {
  return leafPaths(changedFieldSetOf(next as never, old as never, kind, { includeStatus })).filter((leaf) => {
    const a = resolvePath(old, leaf);
    const b = resolvePath(next, leaf);
    return !a.found || !jsonEqual(a.value, b.value);
  });
}

function pod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' }, annotations: { a: '1' }, finalizers: ['x', 'y'], ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1' }] },
    spec: {
      containers: [
        { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
        { name: 'side', image: 'busybox', args: ['sleep', '1'] },
      ],
      tolerations: [{ key: 't', operator: 'Exists' }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  };
}

const edits: [string, (o: any) => void][] = [
  ['nothing', () => {}],
  ['a label', (o) => (o.metadata.labels.updated = 'yes')],
  ['an image', (o) => (o.spec.containers[0].image = 'nginx:2')],
  ['key order only', (o) => (o.spec.containers[0] = { image: o.spec.containers[0].image, ...o.spec.containers[0] })],
  ['an env value', (o) => (o.spec.containers[0].env[1].value = '3')],
  ['a new container', (o) => o.spec.containers.push({ name: 'third', image: 'x' })],
  ['a finalizer', (o) => o.metadata.finalizers.push('z')],
  ['a status condition', (o) => (o.status.conditions[0].status = 'False')],
  ['the phase', (o) => (o.status.phase = 'Running')],
  ['a removed annotation', (o) => delete o.metadata.annotations.a],
  ['an undefined field', (o) => (o.spec.containers[1].workingDir = undefined)],
  // Duplicate and missing merge keys: paths from later items resolve to the first one.
  ['duplicate env names', (o) => o.spec.containers[0].env.push({ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } })],
  ['an env item without its key', (o) => o.spec.containers[0].env.push({ valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } })],
  ['a numeric key twice', (o) => o.spec.containers[0].ports.push({ containerPort: 80, protocol: 'UDP' })],
];

describe('managedFields: changed leaves computed on the changed fields only', () => {
  for (const [name, edit] of edits) {
    for (const alsoOld of [false, true]) {
      it(`${name}${alsoOld ? ' (present before too)' : ''}`, () => {
        const old = pod();
        if (alsoOld) edit(old);
        const next = structuredClone(old);
        if (!alsoOld) edit(next);
        for (const includeStatus of [false, true]) {
          expect(prunedChangedLeaves(next, old, 'Pod', includeStatus)).toEqual(exhaustiveChangedLeaves(next, old, 'Pod', includeStatus));
        }
      });
    }
  }

  it('still claims an unchanged duplicate-key field, as the exhaustive walk does', () => {
    const old = pod();
    (old.spec as any).containers[0].env.push({ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    const next = structuredClone(old);
    (next.metadata.labels as Record<string, string>).x = 'y';
    const leaves = prunedChangedLeaves(next, old, 'Pod', false).map((l) => l.join('/'));
    expect(leaves).toContain('f:metadata/f:labels/f:x');
    expect(leaves.some((l) => l.includes('f:valueFrom'))).toBe(true);
  });

  it('records the same managedFields for an update as the exhaustive definition implies', () => {
    const old = pod();
    const who = { manager: 'kubectl', apiVersion: 'v1', now: '2026-01-01T00:00:00Z' };
    recordUpdate(old, undefined, 'Pod', { manager: 'creator', apiVersion: 'v1', now: '2026-01-01T00:00:00Z' });
    const next = structuredClone(old);
    (next.spec as any).containers[0].image = 'nginx:2';
    (next.metadata.labels as Record<string, string>).tier = 'front';
    recordUpdate(next, old, 'Pod', who);
    const entries = next.metadata.managedFields!;
    expect(entries.map((e) => e.manager)).toEqual(['creator', 'kubectl']);
    expect(entries[1].fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:tier': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } } },
    });
    const creator = entries[0].fieldsV1 as any;
    expect(creator['f:spec']['f:containers']['k:{"name":"web"}']['f:image']).toBeUndefined();
    expect(creator['f:spec']['f:containers']['k:{"name":"web"}']['f:name']).toEqual({});
  });
});

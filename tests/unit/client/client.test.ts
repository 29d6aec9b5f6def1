import { describe, expect, it } from 'vitest';
import { ApiError, isAlreadyExists, isConflict, isInvalid, isNotFound } from '../../../shared/api/errors';
import type { KubeObject, WatchEvent } from '../../../shared/api/meta';
import { KubeClient } from '../../../main/client/client';
import { DEPLOYMENTS, NODES, PODS } from '../../../main/client/gvr';
import { retryOnConflict } from '../../../main/client/retry';
import { FakeClock } from '../../../main/client/clock';
import { FakeApi } from './fake-api';

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

function setup() {
  const api = new FakeApi();
  const client = new KubeClient(api, 'system:test');
  return { api, client, pods: client.pods() };
}

describe('KubeClient', () => {
  it('round-trips create/get/update/list/delete with resourceVersions and the caller identity', async () => {
    const { api, client, pods } = setup();
    const created = await pods.create('default', pod('web'));
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.namespace).toBe('default');
    const rv1 = created.metadata.resourceVersion!;

    const got = await pods.get('default', 'web');
    expect(got).toEqual(created);

    const edited = structuredClone(got);
    edited.metadata.labels = { app: 'web' };
    const updated = await pods.update('default', edited);
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(rv1));
    expect(updated.metadata.labels).toEqual({ app: 'web' });

    await pods.create('default', pod('db', { app: 'db' }));
    await pods.create('other', pod('web'));
    const all = await pods.list();
    expect(all.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['default/db', 'default/web', 'other/web']);
    expect(api.calls.at(-1)).not.toHaveProperty('namespace');
    const selected = await pods.list('default', { labelSelector: 'app=web' });
    expect(selected.items.map((p) => p.metadata.name)).toEqual(['web']);
    expect(Number(selected.metadata.resourceVersion)).toBe(api.resourceVersion);

    await pods.delete('default', 'web');
    await expect(pods.get('default', 'web')).rejects.toSatisfy(isNotFound);

    // Without an explicit namespace the object's own is used (kubectl create -f semantics).
    const own = await pods.create(undefined, { ...pod('own'), metadata: { name: 'own', namespace: 'other' } });
    expect(own.metadata.namespace).toBe('other');
    const ownUpdated = await pods.update(undefined, { ...structuredClone(own), metadata: { ...own.metadata, labels: { x: 'y' } } });
    expect(api.calls.at(-1)).toMatchObject({ verb: 'update', namespace: 'other', name: 'own' });
    expect(ownUpdated.metadata.labels).toEqual({ x: 'y' });

    expect(api.calls.every((c) => c.user === 'system:test')).toBe(true);
    expect(client.resource(PODS)).toBe(pods);
  });

  it('builds the same request the HTTP layer would: verb, group, version, query, body', async () => {
    const { api, client } = setup();
    const deployments = client.resource(DEPLOYMENTS);
    await deployments.list('ns1', { labelSelector: 'a=b', fieldSelector: 'metadata.name=x', limit: 5, continue: 'tok', resourceVersion: '0' });
    const list = api.calls.at(-1)!;
    expect(list).toMatchObject({ verb: 'list', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns1' });
    expect(list.query).toEqual({ labelSelector: 'a=b', fieldSelector: 'metadata.name=x', limit: '5', continue: 'tok', resourceVersion: '0' });

    await client.deployments().create('ns1', { metadata: { name: 'd' } }, { dryRun: true, fieldManager: 'kubectl' });
    expect(api.calls.at(-1)!.query).toEqual({ dryRun: 'All', fieldManager: 'kubectl' });
    expect(api.peek('deployments', 'ns1', 'd', 'apps')).toBeUndefined();

    await client.nodes().create(undefined, { metadata: { name: 'n1' } });
    expect(api.calls.at(-1)).not.toHaveProperty('namespace');
    await client.resource(NODES).delete(undefined, 'n1', { gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
    const del = api.calls.at(-1)!;
    expect(del.body).toEqual({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
    expect(del.query).toEqual({ gracePeriodSeconds: '0', propagationPolicy: 'Foreground' });
  });

  it('never mutates the object passed in (even a frozen one) and surfaces ApiErrors', async () => {
    const { pods } = setup();
    const input = Object.freeze(pod('web')) as KubeObject;
    Object.freeze(input.metadata);
    const before = JSON.stringify(input);
    const created = await pods.create('default', input);
    expect(JSON.stringify(input)).toBe(before);
    expect(created).not.toBe(input);

    const again = pods.create('default', pod('web'));
    await expect(again).rejects.toBeInstanceOf(ApiError);
    await expect(again).rejects.toSatisfy(isAlreadyExists);
    await expect(pods.create('default', { metadata: {} })).rejects.toSatisfy(isInvalid);

    const stale = { ...structuredClone(created), metadata: { ...created.metadata, resourceVersion: '1' } };
    await pods.update('default', { ...structuredClone(created), metadata: { ...created.metadata, labels: { v: '2' } } });
    await expect(pods.update('default', stale)).rejects.toSatisfy(isConflict);
    await expect(pods.delete('default', 'web', { preconditions: { uid: 'someone-else' } })).rejects.toSatisfy(isConflict);
    expect(await pods.get('default', 'web')).toBeTruthy();
  });

  it('patches with merge and json patch, and updates status through the status subresource', async () => {
    const { api, pods } = setup();
    await pods.create('default', pod('web', { a: '1' }));
    const merged = await pods.patch('default', 'web', 'application/merge-patch+json', { metadata: { labels: { a: null, b: '2' } } });
    expect(merged.metadata.labels).toEqual({ b: '2' });
    const patched = await pods.patch('default', 'web', 'application/json-patch+json', [{ op: 'add', path: '/metadata/labels/c', value: '3' }]);
    expect(patched.metadata.labels).toEqual({ b: '2', c: '3' });
    expect(api.calls.at(-1)!.patchType).toBe('application/json-patch+json');

    const withStatus = { ...structuredClone(patched), status: { phase: 'Running' } };
    const updated = await pods.updateStatus('default', withStatus);
    expect(updated.status).toEqual({ phase: 'Running' });
    expect(api.calls.at(-1)).toMatchObject({ verb: 'update', subresource: 'status', name: 'web' });
    const status = await pods.getSubresource('default', 'web', 'status');
    expect(status.status).toEqual({ phase: 'Running' });
  });

  it('creates pods/binding and pods/eviction subresources', async () => {
    const { api, pods } = setup();
    await pods.create('default', pod('web'));
    await pods.createSubresource('default', 'web', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n1' } });
    expect((await pods.get('default', 'web')).spec).toMatchObject({ nodeName: 'n1' });
    await expect(pods.createSubresource('default', 'web', 'binding', { target: { name: 'n2' } })).rejects.toSatisfy(isConflict);
    await pods.createSubresource('default', 'web', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web' } });
    expect(api.calls.at(-1)).toMatchObject({ verb: 'create', subresource: 'eviction', name: 'web' });
    await expect(pods.get('default', 'web')).rejects.toSatisfy(isNotFound);
  });

  it('deletes collections by selector', async () => {
    const { pods } = setup();
    await pods.create('default', pod('a', { tier: 'x' }));
    await pods.create('default', pod('b', { tier: 'x' }));
    await pods.create('default', pod('c', { tier: 'y' }));
    await pods.deleteCollection('default', { labelSelector: 'tier=x' });
    expect((await pods.list('default')).items.map((p) => p.metadata.name)).toEqual(['c']);
  });

  it('watches from a resourceVersion and reports an abnormal end once', async () => {
    const { api, pods } = setup();
    const first = await pods.create('default', pod('a'));
    await pods.create('default', pod('b'));
    const events: WatchEvent[] = [];
    const closes: unknown[] = [];
    const w = pods.watch('default', { resourceVersion: first.metadata.resourceVersion }, { onEvent: (e) => events.push(e), onClose: (e) => closes.push(e) });
    await pods.delete('default', 'a');
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a']);
    expect(api.calls.at(-2)!.query).toMatchObject({ resourceVersion: first.metadata.resourceVersion, watch: 'true' });
    api.closeWatches(ApiError.expired('gone'));
    api.closeWatches();
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(ApiError);
    w.stop();
  });

  it('turns a handler that throws synchronously into a rejected promise', async () => {
    const client = new KubeClient({ handle: () => { throw ApiError.badRequest('nope'); }, watch: () => ({ stop() {} }) }, 'u');
    await expect(client.pods().get('default', 'x')).rejects.toThrow('nope');
  });
});

describe('retryOnConflict', () => {
  it('re-runs the read-modify-write until it stops conflicting', async () => {
    const { api, pods } = setup();
    await pods.create('default', pod('web'));
    api.injectError({ verb: 'update' }, ApiError.conflict({ group: '', resource: 'pods' }, 'web', 'modified'), 2);
    let attempts = 0;
    const result = await retryOnConflict(async () => {
      attempts++;
      const current = structuredClone(await pods.get('default', 'web'));
      current.metadata.labels = { attempt: String(attempts) };
      return pods.update('default', current);
    }, { durationMs: 1 });
    expect(attempts).toBe(3);
    expect(result.metadata.labels).toEqual({ attempt: '3' });
  });

  it('gives up after `steps` attempts with the last conflict, and never retries other errors', async () => {
    let calls = 0;
    const conflict = ApiError.conflict({ group: '', resource: 'pods' }, 'web', 'modified');
    await expect(retryOnConflict(async () => { calls++; throw conflict; }, { steps: 4, durationMs: 0, jitter: 0 })).rejects.toBe(conflict);
    expect(calls).toBe(4);
    calls = 0;
    await expect(retryOnConflict(async () => { calls++; throw ApiError.notFound({ group: '', resource: 'pods' }, 'web'); })).rejects.toSatisfy(isNotFound);
    expect(calls).toBe(1);
  });

  it('waits between attempts on the injected clock', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const done = retryOnConflict(async () => {
      if (++calls < 3) throw ApiError.conflict({ group: '', resource: 'pods' }, 'web', 'x');
      return calls;
    }, { clock, durationMs: 100, factor: 2, jitter: 0 });
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toBe(1);
    clock.step(99);
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
    clock.step(1);
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
    clock.step(200);
    expect(await done).toBe(3);
  });
});

// Namespace deletion end to end on the in-process apiserver: Terminating, content deleted, finalizer
// removed through `finalize`, namespace gone — and held while content remains.
import { afterEach, describe, expect, it } from 'vitest';
import { isNotFound } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { CONFIGMAPS, NAMESPACES, PODS } from '../../../main/client/gvr';
import { SharedInformerFactory } from '../../../main/client/informer-factory';
import { NamespaceController } from '../../../main/controllers/namespace';
import { MemoryStore } from '../../../main/store/memory-store';

const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

async function setup() {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'system:test');
  const informers = new SharedInformerFactory(client);
  const namespacedResources = builtinResources.filter((d) => d.namespaced).map((d) => ({ group: d.group, version: d.version, resource: d.resource }));
  const controller = new NamespaceController({ client, informers, namespacedResources, recheckMs: 20 });
  informers.start();
  controller.start();
  stops.push(() => controller.stop(), () => informers.shutdown());
  await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  return { client };
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const gone = (client: KubeClient) => async () =>
  client.resource(NAMESPACES).get(undefined, 'team').then(
    () => undefined,
    (e) => (isNotFound(e) ? true : Promise.reject(e)),
  );

describe('namespace lifecycle', () => {
  it('a new namespace is Active and carries the kubernetes finalizer', async () => {
    const { client } = await setup();
    const ns = (await client.resource(NAMESPACES).get(undefined, 'team')) as KubeObject & { spec: any; status: any };
    expect(ns.spec.finalizers).toEqual(['kubernetes']);
    expect(ns.status.phase).toBe('Active');
  });

  it('deleting a namespace removes everything in it, then the namespace', async () => {
    const { client } = await setup();
    for (const name of ['a', 'b']) await client.resource(CONFIGMAPS).create('team', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
    await client.resource(PODS).create('team', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const deleted = (await client.resource(NAMESPACES).delete(undefined, 'team')) as KubeObject & { status: any };
    expect(deleted.metadata.deletionTimestamp).toBeTruthy();
    expect(deleted.status.phase).toBe('Terminating');
    await until(gone(client));
    expect((await client.resource(CONFIGMAPS).list('team')).items).toEqual([]);
    expect((await client.resource(PODS).list('team')).items).toEqual([]);
  });

  it('waits while content remains and says what it waits for', async () => {
    const { client } = await setup();
    await client.resource(CONFIGMAPS).create('team', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await client.resource(NAMESPACES).delete(undefined, 'team');
    const message = await until(async () => {
      const ns = (await client.resource(NAMESPACES).get(undefined, 'team')) as KubeObject & { status: any };
      return ns.status.conditions?.find((c: any) => c.type === 'NamespaceContentRemaining')?.message as string | undefined;
    });
    expect(message).toBe('Some resources are remaining: configmaps has 1 resource instances');
    await expect(client.resource(CONFIGMAPS).create('team', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } })).rejects.toMatchObject({ code: 403 });
    await client.resource(CONFIGMAPS).patch('team', 'held', 'application/merge-patch+json', { metadata: { finalizers: null } });
    await until(gone(client));
  });

  it('only finalize changes spec.finalizers', async () => {
    const { client } = await setup();
    const ns = await client.resource(NAMESPACES).get(undefined, 'team');
    const updated = (await client.resource(NAMESPACES).update(undefined, { ...ns, spec: { finalizers: [] } })) as KubeObject & { spec: any };
    expect(updated.spec.finalizers).toEqual(['kubernetes']);
    const finalized = (await client.resource(NAMESPACES).updateSubresource(undefined, 'team', 'finalize', { ...ns, spec: { finalizers: [] } })) as KubeObject & { spec: any };
    expect(finalized.spec.finalizers).toEqual([]);
  });
});

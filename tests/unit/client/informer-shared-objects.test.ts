// Informers share the store's deep-frozen object per watch event (ApiRequest.sharedObjects) instead of
// each parsing its own copy; every other watcher still gets a private, mutable copy.
import { describe, expect, it } from 'vitest';
import type { KubeObject, WatchEvent } from '../../../shared/api/meta';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { SharedInformer } from '../../../main/client/informer';
import { MemoryStore } from '../../../main/store/memory-store';

const pod = (name: string, nodeName?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'busybox:latest' }] },
});

async function stack() {
  const rest = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(rest, 'system:kube-controller-manager');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return { rest, client };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('informers share watch event objects', () => {
  it('two informers cache the very same frozen object for a watched write; a plain watcher gets its own mutable copy', async () => {
    const { client } = await stack();
    const a = new SharedInformer(client.pods());
    const b = new SharedInformer(client.pods());
    a.start();
    b.start();
    await Promise.all([a.waitForSync(), b.waitForSync()]);
    const plain: WatchEvent[] = [];
    const w = client.pods().watch('default', {}, { onEvent: (e) => plain.push(e) });

    await client.pods().create('default', pod('web'));
    await until(() => a.lister.get('default', 'web') !== undefined && b.lister.get('default', 'web') !== undefined && plain.length === 1);
    const fromA = a.lister.get('default', 'web')!;
    const fromB = b.lister.get('default', 'web')!;
    expect(fromA).toBe(fromB);
    expect(Object.isFrozen(fromA.metadata)).toBe(true);
    expect(() => {
      (fromA.metadata as { name?: string }).name = 'x';
    }).toThrow(TypeError);

    const mine = plain[0].object;
    expect(mine).not.toBe(fromA);
    // The plain watcher gets the whole object; informer caches drop managedFields (client-go's
    // TransformStripManagedFields), and nothing else differs.
    expect(mine.metadata.managedFields?.length).toBeGreaterThan(0);
    expect(fromA.metadata.managedFields).toBeUndefined();
    const { managedFields: _dropped, ...mineMetadata } = mine.metadata;
    expect({ ...mine, metadata: mineMetadata }).toEqual(fromA);
    mine.metadata.labels = { edited: 'yes' };
    expect(fromA.metadata.labels).toBeUndefined();
    w.stop();
    a.stop();
    b.stop();
  });

  it('a kubelet-style informer (fieldSelector spec.nodeName) sees only its pods, and a pod bound to it later as ADDED', async () => {
    const { client } = await stack();
    const node1 = new SharedInformer(client.pods(), { fieldSelector: 'spec.nodeName=node-1' });
    const node2 = new SharedInformer(client.pods(), { fieldSelector: 'spec.nodeName=node-2' });
    const adds: string[] = [];
    node1.addEventHandler({ onAdd: (p) => adds.push(p.metadata.name ?? '') });
    node1.start();
    node2.start();
    await Promise.all([node1.waitForSync(), node2.waitForSync()]);

    await client.pods().create('default', pod('on-1', 'node-1'));
    await client.pods().create('default', pod('on-2', 'node-2'));
    await client.pods().create('default', pod('pending'));
    await client.pods().createSubresource('default', 'pending', 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'pending' },
      target: { kind: 'Node', name: 'node-1' },
    });
    await until(() => node1.lister.list().length === 2 && node2.lister.list().length === 1);
    expect(node1.lister.list().map((p) => p.metadata.name).sort()).toEqual(['on-1', 'pending']);
    expect(node2.lister.list().map((p) => p.metadata.name)).toEqual(['on-2']);
    expect(adds.sort()).toEqual(['on-1', 'pending']);
    node1.stop();
    node2.stop();
  });
});

// Cascading deletion end to end on the in-process apiserver with the lab's controller manager:
// Background, Foreground (blockOwnerDeletion), Orphan, and owners that are gone or were re-created.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/api/meta';
import { CONFIGMAPS, SECRETS } from '../../../main/client/gvr';
import { configMap, gone, live, ownerRef, secret, sleep, startLabControllers, stops, until } from './garbage-collector-support';

afterEach(() => stops.splice(0).forEach((s) => s()));

describe('garbage collector: background', () => {
  it('deletes a three-level chain once the root owner is deleted', async () => {
    const { client } = await startLabControllers();
    const cms = client.resource(CONFIGMAPS);
    const root = await cms.create('team', configMap('root'));
    const middle = await cms.create('team', configMap('middle', [ownerRef(root)]));
    await client.resource(SECRETS).create('team', secret('leaf', [ownerRef(middle)]));
    const bystander = await cms.create('team', configMap('bystander'));

    await cms.delete('team', 'root');
    await gone(client, CONFIGMAPS, 'team', 'middle');
    await gone(client, SECRETS, 'team', 'leaf');
    expect((await live(client, CONFIGMAPS, 'team', 'bystander'))?.metadata.uid).toBe(bystander.metadata.uid);
  });

  it('a dependent with another live owner only loses the dangling reference', async () => {
    const { client } = await startLabControllers();
    const cms = client.resource(CONFIGMAPS);
    const a = await cms.create('team', configMap('owner-a'));
    const b = await client.resource(SECRETS).create('team', secret('owner-b'));
    const shared = await cms.create('team', configMap('shared', [ownerRef(a), ownerRef(b)]));

    await cms.delete('team', 'owner-a');
    const after = await until(async () => {
      const o = await live(client, CONFIGMAPS, 'team', 'shared');
      return o && o.metadata.ownerReferences?.length === 1 ? o : undefined;
    });
    expect(after.metadata.uid).toBe(shared.metadata.uid);
    expect(after.metadata.ownerReferences).toEqual([ownerRef(b)]);
    await sleep(100);
    expect(await live(client, CONFIGMAPS, 'team', 'shared')).toBeDefined();
  });

  it('a dependent whose owner uid is stale (owner re-created under the same name) is deleted', async () => {
    const { client } = await startLabControllers();
    const cms = client.resource(CONFIGMAPS);
    const first = await cms.create('team', configMap('owner'));
    await cms.delete('team', 'owner');
    const second = await cms.create('team', configMap('owner'));
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    await cms.create('team', configMap('orphaned', [ownerRef(first)]));
    await cms.create('team', configMap('adopted', [ownerRef(second)]));

    await gone(client, CONFIGMAPS, 'team', 'orphaned');
    await sleep(100);
    expect((await live(client, CONFIGMAPS, 'team', 'owner'))?.metadata.uid).toBe(second.metadata.uid);
    expect(await live(client, CONFIGMAPS, 'team', 'adopted')).toBeDefined();
  });

  it('a dependent of an owner that never existed is deleted', async () => {
    const { client } = await startLabControllers();
    await client.resource(SECRETS).create('team', secret('stray', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '5c6a8f6e-0000-4000-8000-000000000001' }]));
    await gone(client, SECRETS, 'team', 'stray');
  });

  it('an owner in another namespace counts as absent and is reported on the dependent', async () => {
    const { client } = await startLabControllers();
    const owner = await client.resource(CONFIGMAPS).create('other', configMap('elsewhere'));
    await client.resource(CONFIGMAPS).create('team', configMap('cross', [ownerRef(owner)]));
    await gone(client, CONFIGMAPS, 'team', 'cross');
    const event = await until(async () =>
      (await client.events().list('team')).items.find((e) => (e as KubeObject & { reason?: string }).reason === 'OwnerRefInvalidNamespace'),
    );
    expect(event).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'ConfigMap', name: 'cross', namespace: 'team' },
      message: `ownerRef [v1/ConfigMap, namespace: team, name: elsewhere, uid: ${owner.metadata.uid}] does not exist in namespace "team"`,
      source: { component: 'garbage-collector-controller' },
    });
    expect(await live(client, CONFIGMAPS, 'other', 'elsewhere')).toBeDefined();
  });
});

describe('garbage collector: foreground', () => {
  it('the owner stays visible with deletionTimestamp until blocking dependents are gone', async () => {
    const { client } = await startLabControllers();
    const cms = client.resource(CONFIGMAPS);
    const owner = await cms.create('team', configMap('owner'));
    await cms.create('team', configMap('blocking', [ownerRef(owner, true)], { finalizers: ['example.com/hold'] }));
    await client.resource(SECRETS).create('team', secret('free', [ownerRef(owner)]));

    const deleted = await cms.delete('team', 'owner', { propagationPolicy: 'Foreground' }) as KubeObject;
    expect(deleted.metadata.deletionTimestamp).toBeTruthy();
    expect(deleted.metadata.finalizers).toContain('foregroundDeletion');

    await gone(client, SECRETS, 'team', 'free');
    const blocking = await until(async () => {
      const o = await live(client, CONFIGMAPS, 'team', 'blocking');
      return o?.metadata.deletionTimestamp ? o : undefined;
    });
    expect(blocking.metadata.finalizers).toEqual(['example.com/hold']);
    await sleep(150);
    const waiting = await live(client, CONFIGMAPS, 'team', 'owner');
    expect(waiting?.metadata.deletionTimestamp).toBeTruthy();
    expect(waiting?.metadata.finalizers).toEqual(['foregroundDeletion']);

    await cms.patch('team', 'blocking', 'application/merge-patch+json', { metadata: { finalizers: null } });
    await gone(client, CONFIGMAPS, 'team', 'blocking');
    await gone(client, CONFIGMAPS, 'team', 'owner');
  });

  it('cascades through a chain and deletes the owner last', async () => {
    const { client } = await startLabControllers();
    const cms = client.resource(CONFIGMAPS);
    const order: string[] = [];
    const watch = cms.watch('team', {}, { onEvent: (e) => e.type === 'DELETED' && order.push(e.object.metadata.name!) });
    stops.push(() => watch.stop());
    const top = await cms.create('team', configMap('top'));
    const mid = await cms.create('team', configMap('mid', [ownerRef(top, true)]));
    await cms.create('team', configMap('bottom', [ownerRef(mid, true)]));

    await cms.delete('team', 'top', { propagationPolicy: 'Foreground' });
    await gone(client, CONFIGMAPS, 'team', 'top');
    expect(order).toEqual(['bottom', 'mid', 'top']);
  });

  it('an ownership cycle with blockOwnerDeletion on both sides still terminates', async () => {
    const { client } = await startLabControllers();
    const cms = client.resource(CONFIGMAPS);
    const a = await cms.create('team', configMap('cycle-a'));
    const b = await cms.create('team', configMap('cycle-b', [ownerRef(a, true)]));
    await cms.patch('team', 'cycle-a', 'application/merge-patch+json', { metadata: { ownerReferences: [ownerRef(b, true)] } });

    await cms.delete('team', 'cycle-a', { propagationPolicy: 'Foreground' });
    await gone(client, CONFIGMAPS, 'team', 'cycle-a');
    await gone(client, CONFIGMAPS, 'team', 'cycle-b');
  });

  it('a dependent that has another live owner is released, not deleted', async () => {
    const { client } = await startLabControllers();
    const cms = client.resource(CONFIGMAPS);
    const owner = await cms.create('team', configMap('owner'));
    const keeper = await cms.create('team', configMap('keeper'));
    await cms.create('team', configMap('shared', [ownerRef(owner, true), ownerRef(keeper)]));

    await cms.delete('team', 'owner', { propagationPolicy: 'Foreground' });
    await gone(client, CONFIGMAPS, 'team', 'owner');
    expect((await live(client, CONFIGMAPS, 'team', 'shared'))?.metadata.ownerReferences).toEqual([ownerRef(keeper)]);
  });
});

describe('garbage collector: orphan', () => {
  it('deletes the owner and leaves dependents without the reference', async () => {
    const { client } = await startLabControllers();
    const cms = client.resource(CONFIGMAPS);
    const owner = await cms.create('team', configMap('owner'));
    const other = await client.resource(SECRETS).create('team', secret('other-owner'));
    const only = await cms.create('team', configMap('only-child', [ownerRef(owner, true)]));
    await client.resource(SECRETS).create('team', secret('two-parents', [ownerRef(owner), ownerRef(other)]));
    const grandchild = await cms.create('team', configMap('grandchild', [ownerRef(only)]));

    const deleted = await cms.delete('team', 'owner', { propagationPolicy: 'Orphan' }) as KubeObject;
    expect(deleted.metadata.finalizers).toEqual(['orphan']);
    await gone(client, CONFIGMAPS, 'team', 'owner');

    const orphan = await live(client, CONFIGMAPS, 'team', 'only-child');
    expect(orphan?.metadata.uid).toBe(only.metadata.uid);
    expect(orphan?.metadata.ownerReferences).toBeUndefined();
    expect((await live(client, SECRETS, 'team', 'two-parents'))?.metadata.ownerReferences).toEqual([ownerRef(other)]);
    await sleep(150);
    expect(await live(client, CONFIGMAPS, 'team', 'only-child')).toBeDefined();
    expect((await live(client, CONFIGMAPS, 'team', 'grandchild'))?.metadata.ownerReferences).toEqual([ownerRef(only)]);
    expect(grandchild.metadata.uid).toBeTruthy();
  });
});

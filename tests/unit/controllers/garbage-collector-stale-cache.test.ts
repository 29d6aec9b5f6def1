// The collector acts on live objects: a cache that lags behind the apiserver (here: watch events held
// back on purpose) may delay collection but must never delete an object whose owner is alive. Also the
// references that can never resolve: reported as Warning events, never acted on.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/api/meta';
import { CONFIGMAPS, NAMESPACES, NODES, SECRETS } from '../../../main/client/gvr';
import {
  configMap, gone, live, ownerRef, secret, sleep, startLabControllers, startLaggingCollector, stops, until,
} from './garbage-collector-support';

afterEach(() => stops.splice(0).forEach((s) => s()));

type CoreEvent = KubeObject & { reason?: string; type?: string; message?: string; involvedObject?: Record<string, string> };

async function eventWithReason(client: Awaited<ReturnType<typeof startLabControllers>>['client'], namespace: string, reason: string): Promise<CoreEvent> {
  return until(async () => (await client.events().list(namespace)).items.find((e) => (e as CoreEvent).reason === reason) as CoreEvent | undefined);
}

describe('garbage collector with a stale cache', () => {
  it('never deletes a dependent whose owner exists but is missing from its cache', async () => {
    const { client, lagging, collector } = await startLaggingCollector();
    await until(async () => ((await client.resource(SECRETS).list('team')).items.length === 0 && collector.graph.all().every((r) => r.informer.hasSynced()) ? true : undefined));
    lagging.frozen.add('secrets');
    const owner = await client.resource(SECRETS).create('team', secret('alive'));
    await client.resource(CONFIGMAPS).create('team', configMap('kept', [ownerRef(owner)]));
    await client.resource(CONFIGMAPS).create('team', configMap('control', [{ ...ownerRef(owner), name: 'never-was', uid: '0b7e0e4a-0000-4000-8000-00000000abcd' }]));

    // The control proves the collector ran over both dependents in the meantime.
    await gone(client, CONFIGMAPS, 'team', 'control');
    await sleep(150);
    const secrets = collector.graph.resourceFor({ apiVersion: 'v1', kind: 'Secret' })!;
    expect(secrets.informer.lister.get('team', 'alive')).toBeUndefined();
    expect(await live(client, CONFIGMAPS, 'team', 'kept')).toBeDefined();
  });

  it('never deletes a dependent re-parented after its cache entry was taken', async () => {
    const { client, lagging, collector } = await startLaggingCollector();
    const secrets = client.resource(SECRETS);
    const cms = client.resource(CONFIGMAPS);
    const oldOwner = await secrets.create('team', secret('old-owner'));
    const newOwner = await secrets.create('team', secret('new-owner'));
    await cms.create('team', configMap('moved', [ownerRef(oldOwner)]));
    await cms.create('team', configMap('stayed', [ownerRef(oldOwner)]));
    const cachedConfigMaps = collector.graph.resourceFor({ apiVersion: 'v1', kind: 'ConfigMap' })!.informer.lister;
    await until(async () => (cachedConfigMaps.get('team', 'moved') && cachedConfigMaps.get('team', 'stayed') ? true : undefined));

    lagging.frozen.add('configmaps');
    await cms.patch('team', 'moved', 'application/merge-patch+json', { metadata: { ownerReferences: [ownerRef(newOwner)] } });
    await secrets.delete('team', 'old-owner');

    await gone(client, CONFIGMAPS, 'team', 'stayed');
    await sleep(150);
    expect(cachedConfigMaps.get('team', 'moved')?.metadata.ownerReferences).toEqual([ownerRef(oldOwner)]);
    expect((await live(client, CONFIGMAPS, 'team', 'moved'))?.metadata.ownerReferences).toEqual([ownerRef(newOwner)]);
  });
});

describe('garbage collector: references that cannot resolve', () => {
  it('a cluster-scoped dependent naming a namespaced owner kind is reported and left alone', async () => {
    const { client } = await startLabControllers();
    await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: '7d1f3c2a-0000-4000-8000-000000000042' };
    await client.resource(NODES).create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', ownerReferences: [ref] } });

    const event = await eventWithReason(client, 'default', 'OwnerRefInvalidNamespace');
    expect(event).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'Node', name: 'worker-1' },
      message: `ownerRef [v1/ConfigMap, namespace: , name: cm, uid: ${ref.uid}] does not exist in namespace ""`,
    });
    await sleep(100);
    expect(await live(client, NODES, undefined, 'worker-1')).toBeDefined();
  });

  it('an owner kind the lab does not serve: Warning event naming the reference, dependent kept', async () => {
    const { client } = await startLabControllers();
    await client.resource(CONFIGMAPS).create('team', configMap('widget-child', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: '1b2c3d4e-0000-4000-8000-000000000007' }]));
    const event = await eventWithReason(client, 'team', 'GarbageCollectionFailed');
    expect(event.type).toBe('Warning');
    expect(event.involvedObject).toMatchObject({ kind: 'ConfigMap', name: 'widget-child' });
    expect(event.message).toContain('ownerReference to Widget "w" (apiVersion example.com/v1) names a kind this lab does not serve');
    expect(await live(client, CONFIGMAPS, 'team', 'widget-child')).toBeDefined();
  });
});

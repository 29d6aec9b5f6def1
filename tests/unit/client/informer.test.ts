import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import { PODS } from '../../../main/client/gvr';
import { NODE_NAME_INDEX, indexByNodeName } from '../../../main/client/indexer';
import { SharedInformer, type ResourceEventHandler } from '../../../main/client/informer';
import { SharedInformerFactory } from '../../../main/client/informer-factory';
import { FakeApi } from './fake-api';

const pod = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: {}, ...extra });

/** A handler that records what it saw as readable strings. */
function recorder() {
  const seen: string[] = [];
  const handler: ResourceEventHandler = {
    onAdd: (o, initial) => seen.push(`add ${o.metadata.name}${initial ? ' (initial)' : ''}`),
    onUpdate: (old, cur) => seen.push(old === cur ? `resync ${cur.metadata.name}` : `update ${cur.metadata.name} ${old.metadata.resourceVersion}->${cur.metadata.resourceVersion}`),
    onDelete: (o, unknown) => seen.push(`delete ${o.metadata.name}${unknown ? ' (unknown)' : ''}`),
  };
  return { seen, handler };
}

async function setup(options: { clock?: FakeClock; resyncPeriodMs?: number; namespace?: string } = {}) {
  const api = new FakeApi();
  const client = new KubeClient(api, 'system:kube-controller-manager');
  const pods = client.pods();
  const clock = options.clock ?? new FakeClock();
  const logs: string[] = [];
  const informer = new SharedInformer(pods, { clock, resyncPeriodMs: options.resyncPeriodMs, namespace: options.namespace, logger: { warn: (m) => logs.push(m) } });
  return { api, client, pods, informer, clock, logs };
}

const listCalls = (api: FakeApi): number => api.calls.filter((c) => c.verb === 'list').length;
const watchCalls = (api: FakeApi) => api.calls.filter((c) => c.verb === 'watch');

describe('SharedInformer', () => {
  it('lists, syncs, then watches from the list resourceVersion and delivers add/update/delete', async () => {
    const { api, pods, informer } = await setup();
    await pods.create('default', pod('a'));
    await pods.create('default', pod('b'));
    const { seen, handler } = recorder();
    informer.addEventHandler(handler);
    expect(informer.hasSynced()).toBe(false);
    informer.start();
    expect(await informer.waitForSync()).toBe(true);
    expect(seen).toEqual(['add a (initial)', 'add b (initial)']);
    expect(watchCalls(api)[0].query).toMatchObject({ resourceVersion: '2', allowWatchBookmarks: 'true' });

    const a = await pods.get('default', 'a');
    await pods.update('default', { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } });
    await pods.create('default', pod('c'));
    await pods.delete('default', 'b');
    expect(seen.slice(2)).toEqual(['update a 1->3', 'add c', 'delete b']);
    expect(informer.lister.list().map((p) => p.metadata.name).sort()).toEqual(['a', 'c']);
    expect(informer.lister.get('default', 'a')?.metadata.labels).toEqual({ x: 'y' });
    expect(informer.lastSyncResourceVersion).toBe('5');
    informer.stop();
    expect(api.openWatches).toBe(0);
  });

  it('replays the cache as adds to handlers registered after sync', async () => {
    const { pods, informer } = await setup();
    await pods.create('default', pod('a'));
    informer.start();
    await informer.waitForSync();
    await pods.create('default', pod('b'));
    const late = recorder();
    const reg = late.handler && informer.addEventHandler(late.handler);
    expect(reg.hasSynced()).toBe(true);
    expect(late.seen.sort()).toEqual(['add a (initial)', 'add b (initial)']);
    await pods.create('default', pod('c'));
    expect(late.seen).toContain('add c');
    reg.remove();
    await pods.create('default', pod('d'));
    expect(late.seen).not.toContain('add d');
  });

  it('after 410 Expired re-lists and emits exactly the differences', async () => {
    const { api, pods, informer } = await setup();
    await pods.create('default', pod('keep'));
    await pods.create('default', pod('change'));
    await pods.create('default', pod('gone'));
    await pods.create('default', pod('recreated'));
    informer.start();
    await informer.waitForSync();
    const { seen, handler } = recorder();
    informer.addEventHandler(handler);
    seen.length = 0;

    // Changes the informer never sees: its watch is cut first.
    const partition = api.partitionWatches();
    const change = await pods.get('default', 'change');
    await pods.update('default', { ...change, metadata: { ...change.metadata, labels: { v: '2' } } });
    await pods.delete('default', 'gone');
    await pods.delete('default', 'recreated');
    await pods.create('default', pod('recreated'));
    await pods.create('default', pod('new'));
    api.compact();
    partition.close(ApiError.expired('too old resource version'));

    await vi.waitFor(() => expect(listCalls(api)).toBe(2));
    await vi.waitFor(() => expect(api.openWatches).toBe(1));
    expect(seen.sort()).toEqual(['add new', 'add recreated', 'delete gone (unknown)', 'delete recreated (unknown)', 'update change 2->5'].sort());
    expect(informer.lister.list().map((p) => p.metadata.name).sort()).toEqual(['change', 'keep', 'new', 'recreated']);
    expect(informer.lister.get('default', 'recreated')?.metadata.uid).toBe((await pods.get('default', 'recreated')).metadata.uid);
  });

  it('resumes a watch that ended normally from the last resourceVersion, and re-lists if that is expired', async () => {
    const { api, pods, informer } = await setup();
    informer.start();
    await informer.waitForSync();
    await pods.create('default', pod('a'));
    const first = api.partitionWatches();
    await pods.create('default', pod('b')); // happens while no watch is open
    first.close();
    await vi.waitFor(() => expect(watchCalls(api)).toHaveLength(2));
    expect(watchCalls(api)[1].query?.resourceVersion).toBe('1');
    expect(informer.lister.get('default', 'b')).toBeDefined();
    expect(listCalls(api)).toBe(1);

    const second = api.partitionWatches();
    await pods.create('default', pod('c'));
    api.compact(); // the resume point is gone: the watch fails with 410, the informer re-lists
    second.close();
    await vi.waitFor(() => expect(listCalls(api)).toBe(2));
    await vi.waitFor(() => expect(informer.lister.get('default', 'c')).toBeDefined());
  });

  it('backs off instead of spinning when every watch ends at once without events', async () => {
    const clock = new FakeClock();
    const { api, informer } = await setup({ clock });
    const inner = api.watch.bind(api);
    let closeImmediately = true;
    let attempts = 0;
    api.watch = (r, onEvent, onClose) => {
      attempts++;
      if (!closeImmediately) return inner(r, onEvent, onClose);
      onClose();
      return { stop() {} };
    };
    informer.start();
    await informer.waitForSync();
    await new Promise((r) => setImmediate(r));
    expect(attempts).toBe(1);
    closeImmediately = false;
    clock.step(800);
    expect(watchCalls(api)).toHaveLength(1);
    expect(api.openWatches).toBe(1);
  });

  it('handles an ERROR watch event carrying 410 like a closed watch', async () => {
    const { api, informer } = await setup();
    informer.start();
    await informer.waitForSync();
    // Deliver a Status as the HTTP watch stream does.
    const watcher = (api as unknown as { watchers: Set<{ onEvent: (e: unknown) => void }> }).watchers.values().next().value!;
    watcher.onEvent({ type: 'ERROR', object: ApiError.expired('too old resource version').toStatus() });
    await vi.waitFor(() => expect(listCalls(api)).toBe(2));
  });

  it('ignores watch events older than the cached object', async () => {
    const { api, pods, informer } = await setup();
    const a = await pods.create('default', pod('a'));
    informer.start();
    await informer.waitForSync();
    const v2 = await pods.update('default', { ...a, metadata: { ...a.metadata, labels: { v: '2' } } });
    const { seen, handler } = recorder();
    informer.addEventHandler(handler);
    seen.length = 0;
    const watcher = (api as unknown as { watchers: Set<{ onEvent: (e: unknown) => void }> }).watchers.values().next().value!;
    watcher.onEvent({ type: 'MODIFIED', object: { ...a, metadata: { ...a.metadata, labels: { v: 'stale' } } } });
    watcher.onEvent({ type: 'MODIFIED', object: v2 });
    watcher.onEvent({ type: 'DELETED', object: a });
    expect(seen).toEqual([]);
    expect(informer.lister.get('default', 'a')?.metadata.labels).toEqual({ v: '2' });
  });

  it('re-delivers every cached object as update(old = new) each resync period', async () => {
    const clock = new FakeClock();
    const { pods, informer } = await setup({ clock, resyncPeriodMs: 30_000 });
    await pods.create('default', pod('a'));
    await pods.create('default', pod('b'));
    informer.start();
    await informer.waitForSync();
    const { seen, handler } = recorder();
    informer.addEventHandler(handler);
    seen.length = 0;
    clock.step(29_999);
    expect(seen).toEqual([]);
    clock.step(1);
    expect(seen.sort()).toEqual(['resync a', 'resync b']);
    clock.step(30_000);
    expect(seen).toHaveLength(4);
    informer.stop();
    clock.step(60_000);
    expect(seen).toHaveLength(4);
  });

  it('keeps the cache frozen: handlers and lister readers cannot mutate shared objects', async () => {
    const { pods, informer } = await setup();
    await pods.create('default', pod('a', { spec: { containers: [{ name: 'c', env: [{ name: 'X', value: '1' }] }] } }));
    let fromWatch: KubeObject | undefined;
    informer.addEventHandler({ onAdd: (o, initial) => { if (!initial) fromWatch = o; } });
    informer.start();
    await informer.waitForSync();
    await pods.create('default', pod('b', { spec: { nodeName: 'n1' } }));
    const cached = informer.lister.get('default', 'a')!;
    expect(() => { cached.metadata.labels = {}; }).toThrow(TypeError);
    expect(() => { (cached.spec as any).containers[0].env[0].value = '2'; }).toThrow(TypeError);
    expect(() => { (fromWatch!.spec as any).nodeName = 'other'; }).toThrow(TypeError);
    const copy = structuredClone(cached);
    copy.metadata.labels = { ok: 'yes' };
    expect(informer.lister.get('default', 'a')!.metadata.labels).toBeUndefined();
  });

  it('retries a failed list with backoff on the clock and logs why', async () => {
    const clock = new FakeClock();
    const { api, pods, informer, logs } = await setup({ clock });
    await pods.create('default', pod('a'));
    api.injectError({ verb: 'list' }, ApiError.internal('etcd is sad'), 2);
    informer.start();
    await vi.waitFor(() => expect(logs).toHaveLength(1));
    expect(logs[0]).toContain('etcd is sad');
    clock.step(799);
    await new Promise((r) => setImmediate(r));
    expect(listCalls(api)).toBe(1);
    clock.step(1);
    await vi.waitFor(() => expect(listCalls(api)).toBe(2));
    await vi.waitFor(() => expect(logs).toHaveLength(2));
    clock.step(1599); // backoff doubled
    await new Promise((r) => setImmediate(r));
    expect(informer.hasSynced()).toBe(false);
    clock.step(1);
    expect(await informer.waitForSync()).toBe(true);
    expect(informer.lister.size).toBe(1);
  });

  it('keeps delivering to other handlers when one throws', async () => {
    const { pods, informer, logs } = await setup();
    const { seen, handler } = recorder();
    informer.addEventHandler({ onAdd: () => { throw new Error('boom'); } });
    informer.addEventHandler(handler);
    informer.start();
    await informer.waitForSync();
    await pods.create('default', pod('a'));
    expect(seen).toEqual(['add a']);
    expect(logs.some((l) => l.includes('boom'))).toBe(true);
  });

  it('waitForSync resolves false when stopped before syncing; namespace scoping', async () => {
    const { api, informer } = await setup({ namespace: 'team' });
    api.injectError({ verb: 'list' }, ApiError.internal('down'), 1);
    informer.start();
    const waiting = informer.waitForSync();
    informer.stop();
    expect(await waiting).toBe(false);

    const scoped = (await setup({ namespace: 'team' }));
    await scoped.pods.create('team', pod('in'));
    await scoped.pods.create('default', pod('out'));
    scoped.informer.start();
    await scoped.informer.waitForSync();
    await scoped.pods.create('default', pod('out2'));
    expect(scoped.informer.lister.list().map((p) => p.metadata.name)).toEqual(['in']);
  });

  it('caches 10,000 pods, frozen, within a reasonable time', async () => {
    const { api, pods, informer } = await setup();
    for (let i = 0; i < 10_000; i++) {
      await pods.create('default', pod(`p${i}`, {
        spec: { nodeName: `n${i % 10}`, containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: 'b' }] }] },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true, restartCount: 0 }] },
      }));
    }
    informer.addIndexers({ [NODE_NAME_INDEX]: indexByNodeName });
    const started = performance.now();
    informer.start();
    await informer.waitForSync();
    const elapsed = performance.now() - started;
    expect(informer.lister.size).toBe(10_000);
    expect(informer.lister.byIndex(NODE_NAME_INDEX, 'n3')).toHaveLength(1000);
    expect(Object.isFrozen((informer.lister.get('default', 'p9999')!.status as any).containerStatuses[0])).toBe(true);
    expect(elapsed).toBeLessThan(3000);
    expect(api.resourceVersion).toBe(10_000);
  }, 60_000);
});

describe('SharedInformerFactory', () => {
  it('shares one informer per GVR and namespace and starts late-created informers', async () => {
    const api = new FakeApi();
    const client = new KubeClient(api, 'system:kube-controller-manager');
    await client.pods().create('default', pod('a'));
    const factory = new SharedInformerFactory(client, { clock: new FakeClock() });
    const one = factory.informerFor(PODS);
    const two = factory.informerFor(PODS, { indexers: { [NODE_NAME_INDEX]: indexByNodeName } });
    expect(two).toBe(one);
    expect(factory.informerFor(PODS, { namespace: 'kube-system' })).not.toBe(one);
    factory.start();
    expect(await factory.waitForCacheSync()).toBe(true);
    expect(factory.lister(PODS).get('default', 'a')).toBeDefined();
    expect(api.calls.filter((c) => c.verb === 'list' && !c.namespace)).toHaveLength(1);

    const onNode = factory.informerFor(PODS, { fieldSelector: 'spec.nodeName=n1' });
    expect(onNode).not.toBe(one);
    expect(factory.informerFor(PODS, { fieldSelector: 'spec.nodeName=n1' })).toBe(onNode);
    await client.pods().create('default', pod('bound', { spec: { nodeName: 'n1' } }));
    await onNode.waitForSync();
    expect(onNode.lister.list().map((p) => p.metadata.name)).toEqual(['bound']);
    expect(api.calls.find((c) => c.verb === 'watch' && c.query?.fieldSelector)?.query?.fieldSelector).toBe('spec.nodeName=n1');

    const nodes = factory.informerFor({ group: '', version: 'v1', resource: 'nodes' });
    expect(await nodes.waitForSync()).toBe(true);
    factory.shutdown();
    expect(api.openWatches).toBe(0);
  });
});

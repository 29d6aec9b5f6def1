// Node lifecycle controller on the in-process apiserver with a FakeClock: heartbeats (Lease + Ready
// condition) are played by the test, time moves only by clock.step, so no assertion depends on timing.
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../../shared/api/coordination';
import type { Node, Taint } from '../../../shared/api/node';
import type { Pod } from '../../../shared/api/pod';
import { LEASES, NODES, PODS } from '../../../main/client/gvr';
import { metaNamespaceKey } from '../../../main/client/indexer';
import { KUBERNETES_NODE_LIFECYCLE_TIMING, NodeLifecycleController, evictionDecision, silentNodeConditions, zoneState } from '../../../main/controllers/node-lifecycle';
import { events, getNode, getPod, heartbeat, runningPod, startCluster, stops, until, type Cluster } from './node-lifecycle-support';

afterEach(() => stops.splice(0).reverse().forEach((s) => s()));

function startController(c: Cluster): NodeLifecycleController {
  const controller = new NodeLifecycleController({ client: c.client, informers: c.informers, clock: c.clock, timing: KUBERNETES_NODE_LIFECYCLE_TIMING });
  controller.start();
  stops.push(() => controller.stop());
  return controller;
}

/** A kubelet heartbeat, then wait until the controller's caches have seen it. */
async function beat(c: Cluster, name: string, ready: 'True' | 'False' = 'True'): Promise<void> {
  await heartbeat(c, name, ready);
  const lease = await c.client.leases<Lease>().get('kube-node-lease', name);
  const node = await getNode(c, name);
  await until(
    () =>
      c.informers.informerFor<Lease>(LEASES, { namespace: 'kube-node-lease' }).lister.get('kube-node-lease', name)?.metadata.resourceVersion === lease.metadata.resourceVersion &&
      c.informers.informerFor<Node>(NODES).lister.get(undefined, name)?.metadata.resourceVersion === node.metadata.resourceVersion,
    `cache of ${name}'s heartbeat`,
  );
}

async function podsCached(c: Cluster, names: string[]): Promise<void> {
  await until(() => names.every((n) => c.informers.informerFor<Pod>(PODS).lister.get('default', n)), 'pods in cache');
}

/** Advance time in steps the healthy nodes survive, renewing their heartbeats, with a health pass each. */
async function elapse(c: Cluster, controller: NodeLifecycleController, ms: number, alive: string[], stepMs = 20_000): Promise<void> {
  for (let left = ms; left > 0; left -= stepMs) {
    c.clock.step(Math.min(stepMs, left));
    for (const n of alive) await beat(c, n);
    await controller.monitorNodeHealth();
    await controller.monitorNodeHealth();
  }
}

const taintsOf = async (c: Cluster, name: string): Promise<string[]> =>
  ((await getNode(c, name)).spec?.taints ?? []).map((t: Taint) => `${t.key}:${t.effect}`).sort();

describe('node lifecycle: a node that stops posting', () => {
  it('goes Ready=Unknown after the grace period, is tainted unreachable, its pods NotReady and evicted by their tolerations', async () => {
    const c = await startCluster();
    await beat(c, 'node-1');
    await beat(c, 'node-2');
    await runningPod(c, 'bare', 'node-2', { bare: true });
    await runningPod(c, 'tolerant', 'node-2');
    await runningPod(c, 'elsewhere', 'node-1');
    const controller = startController(c);
    await c.informers.waitForCacheSync();
    await podsCached(c, ['bare', 'tolerant', 'elsewhere']);
    await controller.monitorNodeHealth();

    // 40 s of silence: within Kubernetes 1.32's 50 s grace, still Ready.
    await elapse(c, controller, 40_000, ['node-1']);
    expect((await getNode(c, 'node-2')).status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('True');
    expect(await taintsOf(c, 'node-2')).toEqual([]);

    await elapse(c, controller, 20_000, ['node-1']);
    const node = await getNode(c, 'node-2');
    for (const cond of node.status!.conditions!) {
      expect(cond).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    }
    expect((await getNode(c, 'node-1')).status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('True');
    await until(async () => (await taintsOf(c, 'node-2')).length === 2, 'unreachable taints');
    expect(await taintsOf(c, 'node-2')).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    const noExecute = (await getNode(c, 'node-2')).spec!.taints!.find((t) => t.effect === 'NoExecute')!;
    expect(noExecute.timeAdded).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await taintsOf(c, 'node-1')).toEqual([]);

    // Untolerated: marked for deletion at once. It stays Terminating: only its (silent) kubelet can finish it.
    const bare = await until(async () => ((await getPod(c, 'bare'))?.metadata.deletionTimestamp ? getPod(c, 'bare') : undefined), 'eviction of bare');
    expect(bare!.status!.conditions!.find((x) => x.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });

    // Tolerating for 300 s: NotReady now, deleted only when its tolerationSeconds from the taint's timeAdded run out.
    const tolerant = await getPod(c, 'tolerant');
    expect(tolerant!.metadata.deletionTimestamp).toBeUndefined();
    expect(tolerant!.status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('False');
    expect(controller.taintEviction.scheduledEviction('default/tolerant')).toBe(Date.parse(noExecute.timeAdded!) + 300_000);
    expect((await getPod(c, 'elsewhere'))!.status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('True');

    const evs = await until(async () => {
      const all = await events(c);
      return all.some((e) => e.reason === 'NodeNotReady' && e.involvedObject?.kind === 'Node') && all.some((e) => e.reason === 'TaintManagerEviction') ? all : undefined;
    }, 'events');
    expect(evs.find((e) => e.involvedObject?.kind === 'Node')).toMatchObject({ reason: 'NodeNotReady', message: 'Node node-2 status is now: NodeNotReady', source: { component: 'node-controller' } });
    expect(evs.find((e) => e.reason === 'NodeNotReady' && e.involvedObject?.name === 'tolerant')).toMatchObject({ type: 'Warning', message: 'Node is not ready' });
    expect(evs.find((e) => e.reason === 'TaintManagerEviction')).toMatchObject({ message: 'Marking for deletion Pod default/bare', involvedObject: { name: 'bare' }, source: { component: 'taint-eviction-controller' } });

    await elapse(c, controller, 300_000, ['node-1'], 40_000);
    await until(async () => (await getPod(c, 'tolerant'))?.metadata.deletionTimestamp, 'eviction of tolerant');
    expect((await getPod(c, 'elsewhere'))!.metadata.deletionTimestamp).toBeUndefined();
  });

  it('lifts the taints and cancels pending evictions when the kubelet posts again', async () => {
    const c = await startCluster();
    await beat(c, 'node-1');
    await beat(c, 'node-2');
    await runningPod(c, 'tolerant', 'node-2');
    const controller = startController(c);
    await c.informers.waitForCacheSync();
    await podsCached(c, ['tolerant']);
    await controller.monitorNodeHealth();
    await elapse(c, controller, 60_000, ['node-1']);
    await until(async () => (await taintsOf(c, 'node-2')).length === 2, 'unreachable taints');
    await until(() => controller.taintEviction.scheduledEviction('default/tolerant'), 'scheduled eviction');

    await beat(c, 'node-2');
    await controller.monitorNodeHealth();
    await until(async () => (await taintsOf(c, 'node-2')).length === 0, 'taints lifted');
    await until(() => controller.taintEviction.scheduledEviction('default/tolerant') === undefined, 'eviction cancelled');
    await until(async () => (await events(c)).find((e) => e.reason === 'TaintManagerEviction' && e.message === 'Cancelling deletion of Pod default/tolerant'), 'cancel event');
    await elapse(c, controller, 400_000, ['node-1', 'node-2'], 40_000);
    expect((await getPod(c, 'tolerant'))!.metadata.deletionTimestamp).toBeUndefined();
  });

  it('taints a node whose kubelet reports Ready=False not-ready', async () => {
    const c = await startCluster();
    await beat(c, 'node-1');
    await beat(c, 'node-2', 'False');
    const controller = startController(c);
    await c.informers.waitForCacheSync();
    await controller.monitorNodeHealth();
    await until(async () => (await taintsOf(c, 'node-2')).length === 2, 'not-ready taints');
    expect(await taintsOf(c, 'node-2')).toEqual(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
    // The kubelet's own condition is left alone: it is posting, just not ready.
    expect((await getNode(c, 'node-2')).status!.conditions!.find((x) => x.type === 'Ready')!.reason).toBe('KubeletNotReady');
  });

  it('stops evicting when every node is silent at once (the control plane, not the nodes, is the suspect)', async () => {
    const c = await startCluster();
    await beat(c, 'node-1');
    const controller = startController(c);
    await c.informers.waitForCacheSync();
    await controller.monitorNodeHealth();
    await elapse(c, controller, 60_000, []);
    expect((await getNode(c, 'node-1')).status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('Unknown');
    await until(async () => (await taintsOf(c, 'node-1')).length === 1, 'NoSchedule taint');
    await elapse(c, controller, 10_000, []);
    expect(await taintsOf(c, 'node-1')).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
  });

  it('rate-limits NoExecute tainting to --node-eviction-rate (0.1 nodes/s)', async () => {
    const c = await startCluster();
    for (const n of ['node-1', 'node-2', 'node-3', 'node-4']) await beat(c, n);
    const controller = startController(c);
    await c.informers.waitForCacheSync();
    await controller.monitorNodeHealth();
    await elapse(c, controller, 60_000, ['node-1', 'node-2']);
    const noExecute = async (n: string) => (await taintsOf(c, n)).includes('node.kubernetes.io/unreachable:NoExecute');
    await until(async () => (await noExecute('node-3')) || (await noExecute('node-4')), 'first NoExecute taint');
    expect((await noExecute('node-3')) && (await noExecute('node-4'))).toBe(false);
    await elapse(c, controller, 10_000, ['node-1', 'node-2'], 5_000);
    await until(async () => (await noExecute('node-3')) && (await noExecute('node-4')), 'second NoExecute taint');
  });
});

describe('node lifecycle: taints from conditions and kubectl taint', () => {
  it('adds and removes the unschedulable and pressure NoSchedule taints', async () => {
    const c = await startCluster();
    await beat(c, 'node-1');
    const controller = startController(c);
    await c.informers.waitForCacheSync();
    await controller.monitorNodeHealth();
    await c.client.nodes<Node>().patch(undefined, 'node-1', 'application/merge-patch+json', { spec: { unschedulable: true } });
    await until(async () => (await taintsOf(c, 'node-1')).includes('node.kubernetes.io/unschedulable:NoSchedule'), 'unschedulable taint');
    const node = await getNode(c, 'node-1');
    const conditions = node.status!.conditions!.map((x) => (x.type === 'MemoryPressure' ? { ...x, status: 'True' as const } : x));
    await c.client.nodes<Node>().updateStatus(undefined, { ...node, status: { ...node.status, conditions } });
    await until(async () => (await taintsOf(c, 'node-1')).includes('node.kubernetes.io/memory-pressure:NoSchedule'), 'memory-pressure taint');
    await c.client.nodes<Node>().patch(undefined, 'node-1', 'application/merge-patch+json', { spec: { unschedulable: null } });
    await until(async () => !(await taintsOf(c, 'node-1')).includes('node.kubernetes.io/unschedulable:NoSchedule'), 'unschedulable taint removed');
  });

  it('evicts on a user NoExecute taint at once, or after tolerationSeconds counted from timeAdded — across a restart', async () => {
    const c = await startCluster();
    await beat(c, 'node-1');
    await runningPod(c, 'bare', 'node-1', { bare: true });
    await runningPod(c, 'sixty', 'node-1', { tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 60 }] });
    await runningPod(c, 'forever', 'node-1', { tolerations: [{ key: 'k', operator: 'Exists' }] });
    let controller = startController(c);
    await c.informers.waitForCacheSync();
    await podsCached(c, ['bare', 'sixty', 'forever']);
    const added = c.clock.nowMs() - 50_000;
    const node = await getNode(c, 'node-1');
    await c.client.nodes<Node>().update(undefined, { ...node, spec: { ...node.spec, taints: [{ key: 'k', value: 'v', effect: 'NoExecute', timeAdded: new Date(added).toISOString().replace('.000Z', 'Z') }] } });

    await until(async () => (await getPod(c, 'bare'))?.metadata.deletionTimestamp, 'bare evicted');
    await until(() => controller.taintEviction.scheduledEviction('default/sixty'), 'sixty scheduled');
    expect(controller.taintEviction.scheduledEviction('default/sixty')).toBe(added + 60_000);
    expect(controller.taintEviction.scheduledEviction('default/forever')).toBeUndefined();

    // A new controller (the lab restarted) derives the same deadline from the taint, not from its own start.
    controller.stop();
    controller = new NodeLifecycleController({ client: c.client, informers: c.informers, clock: c.clock, timing: KUBERNETES_NODE_LIFECYCLE_TIMING });
    controller.start();
    stops.push(() => controller.stop());
    await until(() => controller.taintEviction.scheduledEviction('default/sixty'), 'sixty scheduled again');
    expect(controller.taintEviction.scheduledEviction('default/sixty')).toBe(added + 60_000);

    c.clock.step(9_000);
    await beat(c, 'node-1');
    expect((await getPod(c, 'sixty'))!.metadata.deletionTimestamp).toBeUndefined();
    c.clock.step(1_000);
    await until(async () => (await getPod(c, 'sixty'))?.metadata.deletionTimestamp, 'sixty evicted');
    expect((await getPod(c, 'forever'))!.metadata.deletionTimestamp).toBeUndefined();
    expect(metaNamespaceKey((await getPod(c, 'forever'))!)).toBe('default/forever');
  });
});

describe('node lifecycle: a lab restarted while a node was unreachable', () => {
  it('lifts the stale unreachable taint of a node that posts Ready again without evicting its pods', async () => {
    const c = await startCluster();
    await beat(c, 'node-1');
    await runningPod(c, 'survivor', 'node-1', { toleration: 15 });
    const node = await getNode(c, 'node-1');
    const hourAgo = new Date(c.clock.nowMs() - 3_600_000).toISOString().replace('.000Z', 'Z');
    await c.client.nodes<Node>().update(undefined, {
      ...node,
      spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: hourAgo }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] },
    });
    const controller = startController(c);
    await c.informers.waitForCacheSync();
    await podsCached(c, ['survivor']);
    await controller.monitorNodeHealth();
    await until(async () => (await taintsOf(c, 'node-1')).length === 0, 'stale taints lifted');
    await controller.monitorNodeHealth();
    expect((await getPod(c, 'survivor'))!.metadata.deletionTimestamp).toBeUndefined();
    expect(controller.taintEviction.scheduledEviction('default/survivor')).toBeUndefined();
  });
});

describe('node lifecycle rules', () => {
  const taint = (key: string, added = 0): Taint => ({ key, effect: 'NoExecute', timeAdded: new Date(added).toISOString() });
  const at = (t: Taint) => Date.parse(t.timeAdded!);

  it('decides evictions like getMinTolerationTime', () => {
    expect(evictionDecision([], undefined, at)).toEqual({ at: 'never' });
    expect(evictionDecision([{ key: 'k', effect: 'NoSchedule' }], undefined, at)).toEqual({ at: 'never' });
    expect(evictionDecision([taint('a')], undefined, at)).toEqual({ at: 'now' });
    expect(evictionDecision([taint('a')], [{ operator: 'Exists' }], at)).toEqual({ at: 'never' });
    expect(evictionDecision([taint('a', 1000)], [{ key: 'a', operator: 'Exists', tolerationSeconds: 5 }], at)).toEqual({ at: 6000 });
    // Every taint must be tolerated; the shortest toleration wins.
    expect(evictionDecision([taint('a'), taint('b')], [{ key: 'a', operator: 'Exists', tolerationSeconds: 5 }], at)).toEqual({ at: 'now' });
    expect(evictionDecision([taint('a'), taint('b', 2000)], [{ key: 'a', operator: 'Exists', tolerationSeconds: 50 }, { key: 'b', operator: 'Exists', tolerationSeconds: 5 }], at)).toEqual({ at: 7000 });
    expect(evictionDecision([taint('a')], [{ key: 'a', operator: 'Exists', tolerationSeconds: 0 }], at)).toEqual({ at: 'now' });
    expect(evictionDecision([taint('a')], [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }], at)).toEqual({ at: 'now' });
  });

  it('marks never-posted conditions NodeStatusNeverUpdated and leaves Unknown ones alone', () => {
    const node: Node = { metadata: { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } };
    const conditions = silentNodeConditions(node, Date.UTC(2026, 0, 1, 0, 5))!;
    expect(conditions.map((x) => `${x.type}=${x.status}:${x.reason}`)).toEqual([
      'Ready=Unknown:NodeStatusUnknown',
      'MemoryPressure=Unknown:NodeStatusNeverUpdated',
      'DiskPressure=Unknown:NodeStatusNeverUpdated',
      'PIDPressure=Unknown:NodeStatusNeverUpdated',
    ]);
    expect(conditions[1]).toMatchObject({ message: 'Kubelet never posted node status.', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:05:00Z' });
    expect(silentNodeConditions({ ...node, status: { conditions } }, Date.UTC(2026, 0, 1, 0, 6))).toBeUndefined();
  });

  it('computes zone states as ComputeZoneState', () => {
    expect(zoneState(3, 0)).toBe('Normal');
    expect(zoneState(0, 1)).toBe('FullDisruption');
    expect(zoneState(2, 2)).toBe('Normal');
    expect(zoneState(2, 3)).toBe('PartialDisruption');
    expect(zoneState(5, 3)).toBe('Normal');
  });
});

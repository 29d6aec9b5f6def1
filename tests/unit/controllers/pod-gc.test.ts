// Pod GC on the in-process apiserver with a FakeClock: orphaned pods after the quarantine, finished
// pods beyond the threshold, terminating pods on out-of-service nodes.
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../../shared/api/node';
import type { Pod } from '../../../shared/api/pod';
import { NODES, PODS } from '../../../main/client/gvr';
import { PodGcController, terminatedPodsOverThreshold } from '../../../main/controllers/pod-gc';
import { getPod, heartbeat, runningPod, startCluster, stops, until, type Cluster } from './node-lifecycle-support';

afterEach(() => stops.splice(0).reverse().forEach((s) => s()));

async function startGc(c: Cluster, terminatedPodThreshold = 12_500): Promise<PodGcController> {
  const gc = new PodGcController({ client: c.client, informers: c.informers, clock: c.clock, timing: { periodMs: 20_000, quarantineMs: 40_000, terminatedPodThreshold } });
  gc.start();
  stops.push(() => gc.stop());
  await c.informers.waitForCacheSync();
  return gc;
}

/** Waits until the GC's caches hold exactly these pods and nodes. */
async function cached(c: Cluster, pods: string[], nodes: string[]): Promise<void> {
  await until(() => {
    const p = c.informers.informerFor<Pod>(PODS).lister.list().map((x) => x.metadata.name).sort();
    const n = c.informers.informerFor<Node>(NODES).lister.list().map((x) => x.metadata.name).sort();
    return JSON.stringify(p) === JSON.stringify([...pods].sort()) && JSON.stringify(n) === JSON.stringify([...nodes].sort());
  }, 'caches');
}

async function finishedPod(c: Cluster, name: string, phase: 'Succeeded' | 'Failed', reason?: string): Promise<void> {
  const pod = await runningPod(c, name, 'node-1');
  await c.client.pods<Pod>().updateStatus('default', { ...pod, status: { ...pod.status, phase, ...(reason ? { reason } : {}) } });
}

describe('pod garbage collector', () => {
  it('force-deletes the pods of a deleted node after the quarantine, even while terminating', async () => {
    const c = await startCluster();
    await heartbeat(c, 'node-1');
    await heartbeat(c, 'node-2');
    await runningPod(c, 'orphan', 'node-2');
    await runningPod(c, 'kept', 'node-1');
    // A graceful delete no kubelet will ever finish: the pod is held Terminating.
    await c.client.pods<Pod>().delete('default', 'orphan');
    await c.client.nodes<Node>().delete(undefined, 'node-2');
    const gc = await startGc(c);
    await cached(c, ['orphan', 'kept'], ['node-1']);

    await gc.gc();
    c.clock.step(20_000);
    await gc.gc();
    expect(await getPod(c, 'orphan')).toBeDefined();
    c.clock.step(20_000);
    await gc.gc();
    expect(await getPod(c, 'orphan')).toBeUndefined();
    expect(await getPod(c, 'kept')).toBeDefined();
  });

  it('keeps pods whose node comes back within the quarantine (confirmed with the API, not the cache)', async () => {
    const c = await startCluster();
    await heartbeat(c, 'node-1');
    await runningPod(c, 'p', 'node-2');
    const gc = await startGc(c);
    await cached(c, ['p'], ['node-1']);
    await gc.gc();
    await heartbeat(c, 'node-2');
    c.clock.step(40_000);
    await gc.gc();
    expect(await getPod(c, 'p')).toBeDefined();
  });

  it('deletes finished pods beyond --terminated-pod-gc-threshold, evicted and oldest first', async () => {
    const c = await startCluster();
    await heartbeat(c, 'node-1');
    await finishedPod(c, 'old', 'Succeeded');
    c.clock.step(1_000);
    await finishedPod(c, 'middle', 'Failed');
    c.clock.step(1_000);
    await finishedPod(c, 'evicted', 'Failed', 'Evicted');
    c.clock.step(1_000);
    await finishedPod(c, 'new', 'Succeeded');
    await runningPod(c, 'running', 'node-1');
    const gc = await startGc(c, 2);
    await until(() => c.informers.informerFor<Pod>(PODS).lister.list().filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed').length === 4, 'finished pods cached');
    await gc.gc();
    const left = (await c.client.pods<Pod>().list('default')).items.map((p) => p.metadata.name).sort();
    expect(left).toEqual(['middle', 'new', 'running']);
  });

  it('force-deletes terminating pods on a NotReady node tainted out-of-service', async () => {
    const c = await startCluster();
    await heartbeat(c, 'node-1', 'Unknown');
    await runningPod(c, 'stuck', 'node-1');
    await c.client.pods<Pod>().delete('default', 'stuck');
    const gc = await startGc(c);
    await gc.gc();
    expect((await getPod(c, 'stuck'))!.metadata.deletionTimestamp).toBeDefined();
    await c.client.nodes<Node>().patch(undefined, 'node-1', 'application/merge-patch+json', { spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } });
    await until(() => c.informers.informerFor<Node>(NODES).lister.get(undefined, 'node-1')?.spec?.taints?.length, 'taint cached');
    await gc.gc();
    expect(await getPod(c, 'stuck')).toBeUndefined();
  });

  it('picks nothing under the threshold and nothing when it is 0 (disabled)', () => {
    const pod = (name: string, phase: string): Pod => ({ metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase } as Pod['status'] });
    const pods = [pod('a', 'Succeeded'), pod('b', 'Running'), pod('c', 'Failed')];
    expect(terminatedPodsOverThreshold(pods, 2)).toEqual([]);
    expect(terminatedPodsOverThreshold(pods, 0)).toEqual([]);
    expect(terminatedPodsOverThreshold(pods, 1).map((p) => p.metadata.name)).toEqual(['a']);
  });
});

// Scheduler throughput on the in-process stack (RestHandler + MemoryStore + built-in registry, no
// kubelets): 5,000 pending pods on 100 nodes, from scheduler start to the last pod bound, next to
// the raw cost of the same number of binding calls made directly in the same run.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import type { Node } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';
import { builtinResources } from '../../main/apiserver/registry';
import { RestHandler } from '../../main/apiserver/rest';
import { KubeClient } from '../../main/client/client';
import { RealClock } from '../../main/client/clock';
import { SharedInformerFactory } from '../../main/client/informer-factory';
import { NODES, PODS } from '../../main/client/gvr';
import { startScheduler } from '../../main/scheduler';
import { MemoryStore } from '../../main/store/memory-store';
import { NODE_COUNT, POD_COUNT, node, pod } from './scheduler-fixture';
import { printTable, type Row } from './stats';

async function labWithPods(): Promise<KubeClient> {
  const rest = new RestHandler({ store: new MemoryStore({ watchWindow: 50_000 }), resources: builtinResources });
  const client = new KubeClient(rest, 'system:kube-scheduler');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  for (let i = 0; i < NODE_COUNT; i++) {
    const n = node(i);
    const created = await client.nodes<Node>().create(undefined, n);
    await client.nodes<Node>().updateStatus(undefined, { ...created, status: n.status });
  }
  for (let i = 0; i < POD_COUNT; i++) await client.pods<Pod>().create('default', pod(i));
  return client;
}

/** Binding calls alone: the floor any scheduler on this apiserver pays. */
async function rawBindings(): Promise<number> {
  const client = await labWithPods();
  const pods = client.pods<Pod>();
  const t0 = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < POD_COUNT; i++) {
    const p: Promise<unknown> = pods
      .createSubresource('default', `bench-${i}`, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: `bench-${i}`, namespace: 'default' },
        target: { apiVersion: 'v1', kind: 'Node', name: `node-${i % NODE_COUNT}` },
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 256) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return performance.now() - t0;
}

/**
 * BOSUN_SCHED_CPU_PROFILE=<file.cpuprofile>: a V8 CPU profile of the scheduling window only (not the
 * setup or the bindings-alone run), for tests/bench/profile-top.mjs.
 */
function profileWindow(out: string | undefined): { stop(): void } {
  if (!out) return { stop: () => undefined };
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 });
  session.post('Profiler.start');
  return {
    stop: () =>
      session.post('Profiler.stop', (err, result) => {
        if (!err) writeFileSync(out, JSON.stringify(result.profile));
        session.disconnect();
      }),
  };
}

async function scheduled(): Promise<{ ms: number; misplaced: number }> {
  const client = await labWithPods();
  // The informers are synced before the clock starts: the measure is scheduling, not the first list.
  const informers = new SharedInformerFactory(client, {});
  informers.informerFor(PODS);
  informers.informerFor(NODES);
  const pods = informers.informerFor<Pod>(PODS);
  let bound = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  pods.addEventHandler({
    onUpdate: (old, cur) => {
      if (!old.spec?.nodeName && cur.spec?.nodeName && ++bound === POD_COUNT) done();
    },
  });
  const profile = profileWindow(process.env.BOSUN_SCHED_CPU_PROFILE);
  const t0 = performance.now();
  const handle = startScheduler({ client, informers, clock: new RealClock(), logger: { warn: () => {} } });
  informers.start();
  await all;
  const ms = performance.now() - t0;
  profile.stop();
  await handle.stop();
  informers.shutdown();
  // Sanity: default spreading keeps each ReplicaSet's 100 pods on distinct nodes (≤ 2 per node).
  const perRsNode = new Map<string, number>();
  for (const p of pods.indexer.values()) {
    const k = `${p.metadata.labels?.app}@${p.spec?.nodeName}`;
    perRsNode.set(k, (perRsNode.get(k) ?? 0) + 1);
  }
  const misplaced = [...perRsNode.values()].filter((n) => n > 2).length;
  return { ms, misplaced };
}

export async function benchScheduler(): Promise<void> {
  const raw = await rawBindings();
  const run = await scheduled();
  const rate = (POD_COUNT * 1000) / run.ms;
  const rawRate = (POD_COUNT * 1000) / raw;
  const rows: Row[] = [
    { name: `scheduler throughput (${POD_COUNT} pods, ${NODE_COUNT} nodes, 50 ReplicaSets)`, value: `${rate.toFixed(0)} pods/s (${run.ms.toFixed(0)} ms)`, goal: '≥ 2,000 pods/s', ok: rate >= 2000 },
    { name: `binding calls alone (${POD_COUNT}, same stack)`, value: `${rawRate.toFixed(0)} bindings/s (${raw.toFixed(0)} ms)` },
    { name: 'scheduler time / binding-only time', value: `${(run.ms / raw).toFixed(2)}×` },
    { name: 'ReplicaSet pods stacked > 2 on one node', value: String(run.misplaced), goal: '0', ok: run.misplaced === 0 },
  ];
  printTable('Scheduler', rows);
}

if (process.argv[1]?.endsWith('scheduler.ts')) {
  benchScheduler().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

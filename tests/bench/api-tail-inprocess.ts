// The API write path in one process, without HTTP: RestHandler over a NedbStore (as `bosun serve` uses),
// creates then updates at 200/s open loop, each request split into the store's part (append to the data
// file included) and the rest (decoding, defaults, validation, admission, managedFields), with the GC
// pauses that overlapped it. On a loaded machine HTTP numbers say little; this says where the time goes.
// Run: node --import tsx tests/bench/api-tail-inprocess.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { KubeObject } from '../../shared/api/meta';
import { builtinResources } from '../../main/apiserver/registry';
import { RestHandler } from '../../main/apiserver/rest';
import { openNedbStore } from '../../main/store';
import type { Store } from '../../main/store/store';
import { atRate, benchPod as pod } from './api-load';
import { ms, percentile, printTable, type Row } from './stats';

interface Sample {
  start: number;
  total: number;
  store: number;
}

export async function benchApiTailInProcess(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-tail-'));
  const store = await openNedbStore({ dataDir: dir });
  // Time spent inside store writes, per write, attributed to the request that made it.
  let inStore = 0;
  const timed = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if ((prop === 'create' || prop === 'update') && typeof value === 'function') {
        return async (...args: unknown[]) => {
          const t0 = performance.now();
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            inStore = performance.now() - t0;
          }
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as Store;
  const handler = new RestHandler({ store: timed, resources: builtinResources });
  const gcs: Array<{ start: number; ms: number }> = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration });
  });
  obs.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const load = loadavg()[0];
  const rows: Row[] = [];
  try {
    await handler.handle({ verb: 'create', group: '', version: 'v1', resource: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } } });
    const one = async (req: Parameters<RestHandler['handle']>[0]): Promise<Sample> => {
      const start = performance.now();
      await handler.handle(req);
      return { start, total: performance.now() - start, store: inStore };
    };
    loop.enable();
    const creates = await atRate(200, 1000, (i) => one({ verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'bench', body: pod(i) }));
    const current: KubeObject[] = [];
    for (let i = 0; i < 1000; i++) current.push((await handler.handle({ verb: 'get', group: '', version: 'v1', resource: 'pods', namespace: 'bench', name: `bench-${i}` })) as KubeObject);
    const updates = await atRate(200, 1000, (i) => {
      const obj = current[i];
      obj.metadata.labels = { ...obj.metadata.labels, updated: 'yes' };
      return one({ verb: 'update', group: '', version: 'v1', resource: 'pods', namespace: 'bench', name: `bench-${i}`, body: obj });
    });
    loop.disable();
    const report = (name: string, samples: Sample[]): void => {
      const total = samples.map((s) => s.total);
      const slow = samples.filter((s) => s.total > 10);
      const gcIn = (s: Sample): number => gcs.filter((g) => g.start < s.start + s.total && g.start + g.ms > s.start).reduce((n, g) => n + g.ms, 0);
      const byGc = slow.filter((s) => gcIn(s) > 0);
      rows.push({
        name: `${name} in-process p50 / p99 / max (n=${samples.length}, 200/s)`,
        value: `${ms(percentile(total, 50))} / ${ms(percentile(total, 99))} / ${ms(Math.max(...total))}`,
        goal: 'p99 ≤ 10 ms',
        ok: percentile(total, 99) <= 10,
      });
      rows.push({
        name: `${name}: store part (nedb append included) p50 / p99`,
        value: `${ms(percentile(samples.map((s) => s.store), 50))} / ${ms(percentile(samples.map((s) => s.store), 99))}`,
      });
      rows.push({
        name: `${name}: requests over 10 ms — overlapping a GC pause / store part over half`,
        value: `${slow.length} — ${byGc.length} / ${slow.filter((s) => s.store > s.total / 2).length}`,
      });
    };
    report('create pod', creates);
    report('update pod', updates);
    const pauses = gcs.map((g) => g.ms);
    rows.push({ name: 'GC pauses during the run: count / p99 / max', value: `${gcs.length} / ${ms(percentile(pauses, 99))} / ${ms(Math.max(0, ...pauses))}` });
    rows.push({ name: 'event loop delay p50 / p99 / max', value: `${ms(loop.percentile(50) / 1e6)} / ${ms(loop.percentile(99) / 1e6)} / ${ms(loop.max / 1e6)}` });
    rows.push({ name: 'machine load average (1 min) at start', value: load.toFixed(1) });
  } finally {
    obs.disconnect();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable('API write path in one process (issue 2 attribution)', rows);
}

if (process.argv[1]?.endsWith('api-tail-inprocess.ts')) {
  benchApiTailInProcess().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

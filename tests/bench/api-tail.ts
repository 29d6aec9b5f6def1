// Attribution of the API write tail (issue 2: create/update p99 ≤ 10 ms at 200 req/s). Runs the same open-loop
// load as api.ts against a `bosun serve --nodes 0` that records its GC pauses and event loop delay
// (tests/bench/cpu-profile.mjs, BOSUN_LOOP_PROBE), then says for every slow request whether a GC pause
// overlapped it. Run: node --import tsx tests/bench/api-tail.ts  (BOSUN_API_TAIL_SOURCE=1: sources via tsx).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { startServe } from '../support/serve';
import { atRate, benchPod as pod, call, type TimedResponse } from './api-load';
import { ms, percentile, printTable, type Row } from './stats';

interface Probe {
  gcs: Array<{ start: number; ms: number; kind?: number }>;
  loop: { p50: number; p99: number; max: number };
}

const SLOW_MS = 10;
export async function benchApiTail(): Promise<void> {
  const probeFile = join('/tmp', `bosun-loop-probe-${process.pid}.json`);
  const serve = await startServe({
    built: process.env.BOSUN_API_TAIL_SOURCE !== '1',
    args: ['--nodes', '0'],
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${join(__dirname, 'cpu-profile.mjs')}`.trim(), BOSUN_LOOP_PROBE: probeFile },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const load = loadavg()[0];
  const rows: Row[] = [];
  try {
    await call(serve, agent, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    for (let i = 0; i < 50; i++) await call(serve, agent, 'GET', '/healthz');
    const floor = await atRate(200, 1000, () => call(serve, agent, 'GET', '/healthz'));
    const creates = await atRate(200, 1000, async (i) => {
      const r = await call(serve, agent, 'POST', '/api/v1/namespaces/bench/pods', pod(i));
      if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.body}`);
      return r;
    });
    const current = new Map<number, { metadata: { labels: Record<string, string> } }>();
    for (let i = 0; i < 1000; i++) current.set(i, JSON.parse((await call(serve, agent, 'GET', `/api/v1/namespaces/bench/pods/bench-${i}`)).body));
    const updates = await atRate(200, 1000, async (i) => {
      const obj = current.get(i)!;
      obj.metadata.labels.updated = 'yes';
      const r = await call(serve, agent, 'PUT', `/api/v1/namespaces/bench/pods/bench-${i}`, obj);
      if (r.status !== 200) throw new Error(`update ${i}: ${r.status} ${r.body}`);
      return r;
    });
    serve.child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 1000));
    const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as Probe;
    const windowStart = floor[0].start;
    const gcs = probe.gcs.filter((g) => g.start >= windowStart);
    const attribute = (name: string, timed: TimedResponse[]): void => {
      const v = timed.map((t) => t.ms);
      const slow = timed.filter((t) => t.ms > SLOW_MS);
      const withGc = slow.filter((t) => gcs.some((g) => g.start < t.end && g.start + g.ms > t.start));
      const gcMs = slow.map((t) => gcs.filter((g) => g.start < t.end && g.start + g.ms > t.start).reduce((n, g) => n + g.ms, 0));
      rows.push({
        name: `${name} p50 / p99 / max at 200 req/s (n=${v.length})`,
        value: `${ms(percentile(v, 50))} / ${ms(percentile(v, 99))} / ${ms(Math.max(...v))}; ${slow.length} over ${SLOW_MS} ms, ${withGc.length} of them overlapping a GC pause (GC inside them: p50 ${ms(percentile(gcMs, 50))})`,
        goal: name === '/healthz' ? undefined : `p99 ≤ ${SLOW_MS} ms`,
        ok: name === '/healthz' ? undefined : percentile(v, 99) <= SLOW_MS,
      });
    };
    attribute('/healthz', floor);
    attribute('create pod', creates);
    attribute('update pod', updates);
    const pauses = gcs.map((g) => g.ms);
    rows.push({ name: 'server GC pauses during the run: count / p99 / max / total', value: `${gcs.length} / ${ms(percentile(pauses, 99))} / ${ms(Math.max(0, ...pauses))} / ${ms(pauses.reduce((a, b) => a + b, 0))}` });
    rows.push({ name: 'server event loop delay p50 / p99 / max (whole life)', value: `${ms(probe.loop.p50)} / ${ms(probe.loop.p99)} / ${ms(probe.loop.max)}` });
    rows.push({ name: 'machine load average (1 min) at start', value: load.toFixed(1) });
  } finally {
    agent.destroy();
    await serve.stop();
    serve.cleanup();
  }
  printTable('API write tail attribution (issue 2)', rows);
}

if (process.argv[1]?.endsWith('api-tail.ts')) {
  benchApiTail().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

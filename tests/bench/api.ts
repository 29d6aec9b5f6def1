// Control-plane core benchmarks: start to ready, create/update latency under a fixed request rate,
// list of 1,000 pods, idle memory. Each latency is printed next to the HTTP floor (/healthz) of the same run.
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startServe } from '../support/serve';
import { atRate, benchPod as pod, call, rssMb } from './api-load';
import { ms, percentile, printTable, type Row } from './stats';

export async function benchApi(): Promise<void> {
  const rows: Row[] = [];

  // Start to ready, measured from spawn to the "API ready" line (what a user waits for), best of 3.
  const startTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const s = await startServe({ built: true });
    startTimes.push(performance.now() - t0);
    await s.stop();
    s.cleanup();
  }
  const serve = await startServe({ built: true, args: ['--nodes', '0'] });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const best = Math.min(...startTimes);
    rows.push({ name: '`bosun serve` spawn → API ready (best of 3, built bundle, incl. Node start)', value: ms(best), goal: '≤ 1 s', ok: best <= 1000 });

    await call(serve, agent, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    for (let i = 0; i < 50; i++) await call(serve, agent, 'GET', '/healthz'); // warm-up
    const floor = await atRate(200, 1000, async () => (await call(serve, agent, 'GET', '/healthz')).ms);

    const creates = await atRate(200, 1000, async (i) => {
      const r = await call(serve, agent, 'POST', '/api/v1/namespaces/bench/pods', pod(i));
      if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.body}`);
      return r.ms;
    });
    const current = new Map<number, unknown>();
    for (let i = 0; i < 1000; i++) {
      current.set(i, JSON.parse((await call(serve, agent, 'GET', `/api/v1/namespaces/bench/pods/bench-${i}`)).body));
    }
    const updates = await atRate(200, 1000, async (i) => {
      const obj = current.get(i) as { metadata: { labels: Record<string, string> } };
      obj.metadata.labels.updated = 'yes';
      const r = await call(serve, agent, 'PUT', `/api/v1/namespaces/bench/pods/bench-${i}`, obj);
      if (r.status !== 200) throw new Error(`update ${i}: ${r.status} ${r.body}`);
      return r.ms;
    });
    const lists: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await call(serve, agent, 'GET', '/api/v1/namespaces/bench/pods');
      if (JSON.parse(r.body).items.length !== 1000) throw new Error('list did not return 1000 pods');
      lists.push(r.ms);
    }
    const floorP50 = percentile(floor, 50);
    const row = (name: string, v: number[], goal?: number) => {
      const p50 = percentile(v, 50);
      const p99 = percentile(v, 99);
      rows.push({
        name: `${name} p50 / p99 at 200 req/s (n=${v.length})`,
        value: `${ms(p50)} / ${ms(p99)} (${(p50 / floorP50).toFixed(1)}× the /healthz floor)`,
        goal: goal ? `p99 ≤ ${goal} ms` : undefined,
        ok: goal ? p99 <= goal : undefined,
      });
    };
    rows.push({ name: 'HTTP floor: GET /healthz p50 / p99 at 200 req/s', value: `${ms(floorP50)} / ${ms(percentile(floor, 99))}` });
    row('create pod', creates, 10);
    row('update pod', updates, 10);
    const listP50 = percentile(lists, 50);
    rows.push({ name: 'list 1,000 pods (JSON over HTTP) p50 / max of 20', value: `${ms(listP50)} / ${ms(Math.max(...lists))}`, goal: '≤ 50 ms', ok: listP50 <= 50 });

    await new Promise((r) => setTimeout(r, 2000));
    const pid = serve.child.pid!;
    rows.push({ name: 'RSS of `bosun serve` holding 1,000 (pending) pods, idle', value: `${rssMb(pid).toFixed(0)} MB` });
  } finally {
    agent.destroy();
    await serve.stop();
    serve.cleanup();
  }
  const idle = await startServe();
  await new Promise((r) => setTimeout(r, 2000));
  rows.push({ name: 'RSS of a fresh idle `bosun serve`', value: `${rssMb(idle.child.pid!).toFixed(0)} MB` });
  await idle.stop();
  idle.cleanup();
  printTable('Control plane (issue 2)', rows);
}

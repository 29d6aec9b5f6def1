// Pods on real Docker: create → Running latency for 1 and 20 concurrent single-container pods, measured
// in the same run as raw `docker create + start` of the same image (the floor a pod start is compared
// with, knowing a pod also starts its pause container), and container death → pod status latency next
// to its floor: the same kill → Docker's `die` event on the engine's own /events stream.
//
//   node --import tsx tests/bench/pods.ts          (needs `npm run build`; BOSUN_PODS_SOURCE=1: sources via tsx)
//   BOSUN_PODS_ONLY=death                          only the death latency (BOSUN_PODS_DEATHS kills, default 20)
//   BOSUN_PODS_BASELINE=<tree>                     also a lab from another source tree (an export of an earlier
//                                                  commit plus a node_modules symlink), kills alternating
//                                                  between the two labs, so both see the same machine load
import { request } from 'node:http';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { api, startServe, type ServeHandle, type ServeOptions } from '../support/serve';
import { dockerApi, rawCreateStart, removeContainers } from './docker-api';
import { ms, percentile, printTable, type Row } from './stats';

const IMAGE = 'bosun-test/busybox:1.0';
const ROUNDS = 5;
const DEATHS = Number(process.env.BOSUN_PODS_DEATHS ?? 20);
const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';

interface PodWatch {
  waitFor(name: string, predicate: (pod: any) => boolean): Promise<number>;
  stop(): void;
}

/** One watch on the namespace; resolves each waiter at the performance.now() its event arrived. */
async function watchPods(serve: ServeHandle, namespace: string): Promise<PodWatch> {
  const waiters: Array<{ name: string; predicate: (pod: any) => boolean; resolve: (t: number) => void }> = [];
  const controller = new AbortController();
  const res = await api(serve, `/api/v1/namespaces/${namespace}/pods?watch=true`, { signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffer = '';
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      const now = performance.now();
      buffer += decoder.decode(chunk.value, { stream: true });
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        for (const w of [...waiters]) {
          if (event.object?.metadata?.name === w.name && w.predicate(event.object)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(now);
          }
        }
      }
    }
  })();
  return {
    waitFor: (name, predicate) => new Promise((resolve) => waiters.push({ name, predicate, resolve })),
    stop: () => controller.abort(),
  };
}

const running = (pod: any) => pod.status?.phase === 'Running' && pod.status?.containerStatuses?.every((c: any) => c.state?.running);

function podBody(name: string) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: IMAGE, command: ['sleep', '3600'] }] } };
}

async function podStarts(serve: ServeHandle, watch: PodWatch, concurrency: number, round: number): Promise<number[]> {
  const names = Array.from({ length: concurrency }, (_, i) => `start-${concurrency}-${round}-${i}`);
  const t0 = performance.now();
  const done = names.map((n) => watch.waitFor(n, running));
  await Promise.all(names.map((n) => api(serve, '/api/v1/namespaces/bench/pods', { method: 'POST', body: JSON.stringify(podBody(n)) })));
  const times = (await Promise.all(done)).map((t) => t - t0);
  await Promise.all(names.map((n) => api(serve, `/api/v1/namespaces/bench/pods/${n}?gracePeriodSeconds=0`, { method: 'DELETE' })));
  return times;
}

async function rawStarts(concurrency: number): Promise<number[]> {
  const t0 = performance.now();
  const times = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      await rawCreateStart(IMAGE, ['sleep', '3600'], { 'bosun.bench': 'raw', 'bosun.managed': 'true' });
      return performance.now() - t0;
    }),
  );
  await removeContainers('bosun.bench=raw');
  return times;
}

/** Docker's own /events stream of containers: resolves each waiter at the performance.now() its event arrived. */
async function dockerEvents(): Promise<{ waitFor(id: string, action: string): Promise<number>; stop(): void }> {
  const waiters: Array<{ id: string; action: string; resolve: (t: number) => void }> = [];
  const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
  const req = request({ socketPath: SOCKET, method: 'GET', path: `/events?filters=${filters}` });
  await new Promise<void>((ready, fail) => {
    req.on('response', (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const now = performance.now();
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const e = JSON.parse(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          for (const w of [...waiters]) {
            if (e.Actor?.ID === w.id && e.Action === w.action) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(now);
            }
          }
        }
      });
      res.on('error', () => undefined);
      ready();
    });
    req.on('error', fail);
    req.end();
  });
  return {
    waitFor: (id, action) => new Promise((resolve) => waiters.push({ id, action, resolve })),
    stop: () => req.destroy(),
  };
}

interface Lab {
  label: string;
  serve: ServeHandle;
  watch: PodWatch;
  deaths: number[];
  /** kill → Docker's die event on the engine's stream, in the same rounds. */
  floor: number[];
}

async function deathLatency(lab: Lab, engine: Awaited<ReturnType<typeof dockerEvents>>, round: number): Promise<void> {
  const { serve, watch } = lab;
  const name = `death-${round}`;
  const up = watch.waitFor(name, running);
  await api(serve, '/api/v1/namespaces/bench/pods', { method: 'POST', body: JSON.stringify(podBody(name)) });
  await up;
  const filters = encodeURIComponent(JSON.stringify({ label: [`bosun.pod.name=${name}`, 'bosun.container.name=main', `bosun.lab=${serve.labId}`] }));
  const [container] = (await dockerApi('GET', `/containers/json?filters=${filters}`)).json as Array<{ Id: string }>;
  const seen = watch.waitFor(name, (pod) => pod.status?.containerStatuses?.some((c: any) => c.lastState?.terminated || c.state?.terminated || c.restartCount > 0));
  const died = engine.waitFor(container.Id, 'die');
  // Let the pod's start-up work (status writes, events) finish: the kill finds the lab idle, as a crash would.
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  await dockerApi('POST', `/containers/${container.Id}/kill?signal=KILL`);
  lab.deaths.push((await seen) - t0);
  lab.floor.push((await died) - t0);
  if (process.env.BOSUN_PODS_VERBOSE === '1') console.error(`${lab.label} kill ${round}: die event ${ms(lab.floor.at(-1)!)}, status ${ms(lab.deaths.at(-1)!)}`);
  await api(serve, `/api/v1/namespaces/bench/pods/${name}?gracePeriodSeconds=0`, { method: 'DELETE' });
}

const deathRow = (lab: Lab, labelled: boolean): Row[] => {
  const d = lab.deaths;
  const share = d.map((t, i) => t - lab.floor[i]);
  const suffix = labelled ? ` — ${lab.label}` : '';
  return [
    {
      name: `container killed → pod status shows it (n=${d.length}) p50 / p95 / max${suffix}`,
      value: `${ms(percentile(d, 50))} / ${ms(percentile(d, 95))} / ${ms(Math.max(...d))}`,
      goal: '≤ 200 ms',
      ok: Math.max(...d) <= 200,
    },
    { name: `floor: kill → Docker's die event on its /events stream, same kills, p50 / max${suffix}`, value: `${ms(percentile(lab.floor, 50))} / ${ms(Math.max(...lab.floor))}` },
    { name: `the lab's part: die event → pod status, per kill, p50 / p95 / max${suffix}`, value: [50, 95, 100].map((p) => ms(percentile(share, p))).join(' / ') },
  ];
};

/** A `bosun serve` of this tree, or of another tree through that tree's own test support. */
async function startLab(label: string, root: string | undefined): Promise<Lab> {
  const options: ServeOptions = { built: process.env.BOSUN_PODS_SOURCE !== '1' && !root, runtime: 'docker', args: ['--pause-image', 'bosun-test/pause:1.0'] };
  const start: typeof startServe = root ? (await import(resolve(root, 'tests/support/serve.ts'))).startServe : startServe;
  const serve = await start(options);
  await api(serve, '/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ metadata: { name: 'bench' } }) });
  return { label, serve, watch: await watchPods(serve, 'bench'), deaths: [], floor: [] };
}

export async function benchPods(): Promise<void> {
  const baseline = process.env.BOSUN_PODS_BASELINE;
  const labs: Lab[] = [];
  const rows: Row[] = [];
  const engine = await dockerEvents();
  try {
    if (baseline) labs.push(await startLab(`baseline ${baseline}`, baseline));
    labs.push(await startLab('this tree', undefined));
    const lab = labs[labs.length - 1];
    const { serve, watch } = lab;
    if (process.env.BOSUN_PODS_ONLY !== 'death') {
      await podStarts(serve, watch, 1, -1); // warm-up: network, images, code paths
      await rawStarts(1);
      for (const concurrency of [1, 20]) {
        const pods: number[] = [];
        const raw: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          raw.push(...(await rawStarts(concurrency)));
          pods.push(...(await podStarts(serve, watch, concurrency, round)));
        }
        const p50 = percentile(pods, 50);
        const p99 = percentile(pods, 99);
        const rawP50 = percentile(raw, 50);
        rows.push({
          name: `pod create → Running, ${concurrency} concurrent (n=${pods.length}) p50 / p99`,
          value: `${ms(p50)} / ${ms(p99)}; raw docker create+start p50 ${ms(rawP50)} → ${(p50 / rawP50).toFixed(2)}×`,
          goal: '≤ 2.0× raw, p99 ≤ 1 s',
          ok: p50 / rawP50 <= 2 && p99 <= 1000,
        });
      }
    }
    // One warm-up death per lab (first kill, first restart code paths), then alternate between labs.
    for (const l of labs) {
      await deathLatency(l, engine, -1);
      l.deaths.length = 0;
      l.floor.length = 0;
    }
    for (let round = 0; round < DEATHS; round++) {
      for (const l of round % 2 ? [...labs].reverse() : labs) await deathLatency(l, engine, round);
    }
    for (const l of labs) rows.push(...deathRow(l, labs.length > 1));
  } finally {
    engine.stop();
    for (const l of labs) {
      l.watch.stop();
      await l.serve.stop();
      l.serve.cleanup();
    }
    await removeContainers('bosun.bench=raw').catch(() => undefined);
  }
  printTable('Pods on real Docker (issue 3)', rows);
}

if (process.argv[1]?.endsWith('pods.ts')) {
  benchPods().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

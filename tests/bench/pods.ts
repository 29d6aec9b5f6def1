// Pods on real Docker: create → Running latency for 1 and 20 concurrent single-container pods, measured
// in the same run as raw `docker create + start` of the same image (the floor a pod start is compared
// with, knowing a pod also starts its pause container), and container death → pod status latency.
import { performance } from 'node:perf_hooks';
import { api, startServe, type ServeHandle } from '../support/serve';
import { dockerApi, rawCreateStart, removeContainers } from './docker-api';
import { ms, percentile, printTable, type Row } from './stats';

const IMAGE = 'bosun-test/busybox:1.0';
const ROUNDS = 5;

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

async function deathLatency(serve: ServeHandle, watch: PodWatch, round: number): Promise<number> {
  const name = `death-${round}`;
  const up = watch.waitFor(name, running);
  await api(serve, '/api/v1/namespaces/bench/pods', { method: 'POST', body: JSON.stringify(podBody(name)) });
  await up;
  const filters = encodeURIComponent(JSON.stringify({ label: [`bosun.pod.name=${name}`, 'bosun.container.name=main'] }));
  const [container] = (await dockerApi('GET', `/containers/json?filters=${filters}`)).json as Array<{ Id: string }>;
  const seen = watch.waitFor(name, (pod) => pod.status?.containerStatuses?.some((c: any) => c.lastState?.terminated || c.state?.terminated || c.restartCount > 0));
  const t0 = performance.now();
  await dockerApi('POST', `/containers/${container.Id}/kill?signal=KILL`);
  const t = (await seen) - t0;
  await api(serve, `/api/v1/namespaces/bench/pods/${name}?gracePeriodSeconds=0`, { method: 'DELETE' });
  return t;
}

export async function benchPods(): Promise<void> {
  const serve = await startServe({ built: true, runtime: 'docker', args: ['--pause-image', 'bosun-test/pause:1.0'] });
  const rows: Row[] = [];
  try {
    await api(serve, '/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ metadata: { name: 'bench' } }) });
    const watch = await watchPods(serve, 'bench');
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
    const deaths: number[] = [];
    for (let round = 0; round < ROUNDS; round++) deaths.push(await deathLatency(serve, watch, round));
    rows.push({ name: `container killed → pod status shows it (n=${deaths.length}) p50 / max`, value: `${ms(percentile(deaths, 50))} / ${ms(Math.max(...deaths))}`, goal: '≤ 200 ms', ok: Math.max(...deaths) <= 200 });
    watch.stop();
  } finally {
    await serve.stop();
    serve.cleanup();
    await removeContainers('bosun.bench=raw').catch(() => undefined);
  }
  printTable('Pods on real Docker (issue 3)', rows);
}

// Scale on simulated nodes: 100 nodes and 10,000 pods in one `bosun serve --runtime fake` (real
// apiserver, scheduler, controllers and one fake kubelet per node), then the process's memory — the
// figure that says whether a class can rehearse at this size on a laptop. The idle lab's memory is
// measured in the same run as the baseline.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { api, startServe } from '../support/serve';
import { rssMb } from './api-load';
import { ms, printTable, type Row } from './stats';

// Overridable for profiling runs (see docs/PERFORMANCE.md): BOSUN_SCALE_NODES, BOSUN_SCALE_PODS,
// BOSUN_SCALE_LIMIT_MS; BOSUN_SCALE_SOURCE=1 runs the sources through tsx instead of the built bundle, and
// BOSUN_SCALE_CPU_PROFILE=<file.cpuprofile> profiles the lab process (tests/bench/cpu-profile.mjs).
const NODES = Number(process.env.BOSUN_SCALE_NODES ?? 100);
const PODS = Number(process.env.BOSUN_SCALE_PODS ?? 10_000);
const DEPLOYMENTS = 10;
const NS = 'scale';
const LIMIT_MS = Number(process.env.BOSUN_SCALE_LIMIT_MS ?? 180_000);
const VERBOSE = process.env.BOSUN_SCALE_VERBOSE === '1';
/**
 * How long the lab is watched holding its pods after the last one is Ready (0: not at all): long enough
 * for the store to compact its data file (every ~30,000 appended lines, about 2 minutes at this size),
 * whose rewrite is the largest transient allocation of a lab at rest.
 */
const SETTLE_MS = Number(process.env.BOSUN_SCALE_SETTLE_MS ?? 240_000);
/** The start of the holding window left out: the ramp-up's garbage being collected. */
const SETTLE_SKIP_MS = 30_000;

export async function benchScale(): Promise<void> {
  const profile = process.env.BOSUN_SCALE_CPU_PROFILE;
  const heapProfile = process.env.BOSUN_SCALE_HEAP_PROFILE;
  const nodeOptions = profile || heapProfile ? `--import ${join(__dirname, 'cpu-profile.mjs')}` : undefined;
  const serve = await startServe({
    built: process.env.BOSUN_SCALE_SOURCE !== '1',
    args: ['--nodes', String(NODES)],
    timeoutMs: 120_000,
    env: nodeOptions
      ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${nodeOptions}`.trim(), BOSUN_CPU_PROFILE: profile ?? '', BOSUN_HEAP_PROFILE: heapProfile ?? '' }
      : undefined,
  });
  let peak = 0;
  const rows: Row[] = [];
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMb(serve.child.pid!);
    await api(serve, '/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
    const t0 = performance.now();
    const per = PODS / DEPLOYMENTS;
    for (let d = 0; d < DEPLOYMENTS; d++) {
      const body = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `fleet-${d}`, namespace: NS },
        spec: {
          replicas: per,
          selector: { matchLabels: { fleet: String(d) } },
          template: { metadata: { labels: { fleet: String(d) } }, spec: { containers: [{ name: 'app', image: 'bosun-test/web:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
        },
      };
      const r = await api(serve, `/apis/apps/v1/namespaces/${NS}/deployments`, { method: 'POST', body: JSON.stringify(body) });
      if (r.status !== 201) throw new Error(`deployment ${d}: ${r.status} ${await r.text()}`);
    }
    // Bounded: a lab that cannot get there reports how far it got instead of holding the run hostage.
    let ready = 0;
    while (ready < PODS && performance.now() - t0 < LIMIT_MS) {
      await new Promise((r) => setTimeout(r, 2000));
      const res = await api(serve, `/apis/apps/v1/namespaces/${NS}/deployments`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      if (!res) continue;
      const list = (await res.json()) as { items: Array<{ status?: { readyReplicas?: number } }> };
      ready = list.items.reduce((n, d) => n + (d.status?.readyReplicas ?? 0), 0);
      peak = Math.max(peak, rssMb(serve.child.pid!));
      if (VERBOSE) console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s: ${ready} Ready, RSS ${rssMb(serve.child.pid!).toFixed(0)} MB`);
    }
    const elapsed = performance.now() - t0;
    const full = rssMb(serve.child.pid!);
    peak = Math.max(peak, full);
    rows.push({
      name: `${PODS.toLocaleString('en')} pods on ${NODES} simulated nodes → all Ready (${DEPLOYMENTS} Deployments)`,
      value: ready >= PODS ? ms(elapsed) : `only ${ready.toLocaleString('en')} Ready after ${ms(elapsed)}`,
      ok: ready >= PODS,
    });
    rows.push({
      name: `RSS of the lab: idle with ${NODES} nodes → when the last pod is Ready (ramp-up peak)`,
      value: `${idle.toFixed(0)} MB → ${full.toFixed(0)} MB (peak ${peak.toFixed(0)} MB)`,
    });
    if (ready >= PODS && SETTLE_MS > 0) {
      // The lab holding its pods: every node renews its Lease and resyncs its pods, statuses flow, and
      // the garbage of the ramp-up (10,000 creates, bindings and status writes in a minute) is collected,
      // the data file is compacted. Sampled from SETTLE_SKIP_MS on, after the heap has had time to shrink.
      const samples: number[] = [];
      const settleStart = performance.now();
      while (performance.now() - settleStart < SETTLE_MS) {
        await new Promise((r) => setTimeout(r, 2000));
        if (performance.now() - settleStart >= Math.min(SETTLE_SKIP_MS, SETTLE_MS / 2)) samples.push(rssMb(serve.child.pid!));
        if (VERBOSE) console.log(`settling ${((performance.now() - settleStart) / 1000).toFixed(0)} s: RSS ${rssMb(serve.child.pid!).toFixed(0)} MB`);
      }
      const settled = Math.max(...samples);
      rows.push({
        name: `RSS of the lab holding ${PODS.toLocaleString('en')} pods, ${Math.min(SETTLE_SKIP_MS, SETTLE_MS / 2) / 1000}–${SETTLE_MS / 1000} s after all Ready (max of ${samples.length} samples)`,
        value: `${settled.toFixed(0)} MB (${(((settled - idle) * 1024) / PODS).toFixed(1)} KB per pod over idle)`,
        goal: '≤ 500 MB',
        ok: settled <= 500,
      });
    }
    if (heapProfile) {
      serve.child.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 15_000));
    }
  } finally {
    await serve.stop();
    serve.cleanup();
  }
  printTable('Scale on simulated nodes (issue 3)', rows);
}

if (process.argv[1]?.endsWith('scale.ts')) {
  benchScale().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

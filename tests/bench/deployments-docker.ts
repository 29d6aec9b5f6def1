// Deployments on real containers (`bosun serve --runtime docker --nodes 3`): a 100-replica Deployment from
// create to all Ready, next to raw `docker create + start` of the same 100 containers (20 at a time, over the
// Engine API) in the same run, and a 20-replica rolling update end to end.
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { api, startServe } from '../support/serve';
import { untilRolledOut } from './deployments';
import { rawCreateStart, removeContainers } from './docker-api';
import { ms, printTable, type Row } from './stats';

const NS = 'bench';
const IMAGE = 'bosun-test/busybox:1.0';
const PAUSE = 'bosun-test/pause:1.0';

function deployment(name: string, replicas: number, marker: string): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: IMAGE, command: ['sleep', '3600'], env: [{ name: 'MARKER', value: marker }] }] },
      },
    },
  };
}

async function rawHundred(): Promise<number> {
  const t0 = performance.now();
  const queue = Array.from({ length: 100 }, (_, i) => i);
  const worker = async (): Promise<void> => {
    while (queue.shift() !== undefined) await rawCreateStart(IMAGE, ['sleep', '3600'], { 'bosun.bench': 'raw100', 'bosun.managed': 'true' });
  };
  try {
    await Promise.all(Array.from({ length: 20 }, worker));
    return performance.now() - t0;
  } finally {
    await removeContainers('bosun.bench=raw100');
  }
}

/** What the lab's cleanup could not remove (docker CLI), or '' when nothing is left. */
function leftovers(labId: string): string {
  const list = (args: string[]): string[] => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
  const filter = `label=bosun.lab=${labId}`;
  const found = [
    ...list(['ps', '-a', '--filter', filter, '--format', 'container {{.Names}}']),
    ...list(['network', 'ls', '--filter', filter, '--format', 'network {{.Name}}']),
    ...list(['volume', 'ls', '--filter', filter, '--format', 'volume {{.Name}}']),
  ];
  return found.join(', ');
}

export async function benchDockerDeployments(): Promise<void> {
  const raw = await rawHundred();
  const serve = await startServe({ runtime: 'docker', args: ['--nodes', '3', '--pause-image', PAUSE], timeoutMs: 60_000 });
  const rows: Row[] = [];
  try {
    await api(serve, '/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
    const create = (body: unknown): Promise<Response> => api(serve, `/apis/apps/v1/namespaces/${NS}/deployments`, { method: 'POST', body: JSON.stringify(body) });

    let t0 = performance.now();
    await create(deployment('hundred', 100, 'v1'));
    const hundred = await untilRolledOut(serve, 'hundred', 100, t0, 300_000);
    rows.push({ name: '100-replica Deployment → all Ready (3 Docker nodes)', value: ms(hundred), goal: '≤ 20 s', ok: hundred <= 20_000 });
    rows.push({ name: 'raw docker create+start of 100 containers (20 at a time), same run', value: ms(raw), goal: '' });
    rows.push({ name: 'Deployment / raw (a pod also starts its pause container)', value: `${(hundred / raw).toFixed(2)}×`, goal: '' });
    await api(serve, `/apis/apps/v1/namespaces/${NS}/deployments/hundred?propagationPolicy=Foreground`, { method: 'DELETE' });

    await create(deployment('roll', 20, 'v1'));
    await untilRolledOut(serve, 'roll', 20, performance.now(), 120_000);
    t0 = performance.now();
    await api(serve, `/apis/apps/v1/namespaces/${NS}/deployments/roll`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'MARKER', value: 'v2' }] }] } } } }),
    });
    const roll = await untilRolledOut(serve, 'roll', 20, t0, 180_000);
    rows.push({ name: '20-replica rolling update on Docker (25% surge/unavailable) → complete', value: ms(roll), goal: '' });
    await api(serve, `/api/v1/namespaces/${NS}`, { method: 'DELETE' });
    // Let the namespace controller and kubelets remove the containers before the lab stops.
    for (let i = 0; i < 240; i++) {
      const r = await api(serve, `/api/v1/namespaces/${NS}`);
      if (r.status === 404) break;
      await new Promise((res) => setTimeout(res, 500));
    }
  } finally {
    // Whatever failed above: the lab stops (its pods keep running), then every Docker object of it goes.
    try {
      await serve.stop();
    } finally {
      serve.cleanup();
      const left = leftovers(serve.labId);
      if (left) console.warn(`deployments-docker: Docker objects of lab ${serve.labId} left behind: ${left}`);
    }
  }
  printTable('Deployments on real containers (bosun serve --runtime docker --nodes 3)', rows);
}

// `npx tsx tests/bench/deployments-docker.ts` runs just this one.
if (require.main === module) {
  benchDockerDeployments().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

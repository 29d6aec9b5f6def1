// Deployments on simulated nodes (`bosun serve --runtime fake --nodes 20`: real apiserver, scheduler,
// controllers and fake kubelets): a 1,000-replica Deployment from create to all Ready, and a 20-replica
// rolling update from `set image` to complete — the whole control plane, measured over HTTP.
import { performance } from 'node:perf_hooks';
import { api, startServe, type ServeHandle } from '../support/serve';
import { ms, printTable, type Row } from './stats';

const NS = 'bench';

function deployment(name: string, replicas: number, image: string): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
    },
  };
}

interface Status { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number }

async function status(serve: ServeHandle, name: string): Promise<{ generation: number; status: Status }> {
  const r = await api(serve, `/apis/apps/v1/namespaces/${NS}/deployments/${name}`);
  const d = (await r.json()) as { metadata: { generation: number }; status?: Status };
  return { generation: d.metadata.generation, status: d.status ?? {} };
}

/** Polls until the rollout is complete; resolves with the elapsed time since t0 (also used by deployments-docker.ts). */
export async function untilRolledOut(serve: ServeHandle, name: string, replicas: number, t0: number, timeoutMs: number): Promise<number> {
  for (;;) {
    const { generation, status: s } = await status(serve, name);
    if ((s.observedGeneration ?? 0) >= generation && s.updatedReplicas === replicas && s.replicas === replicas && s.readyReplicas === replicas && s.availableReplicas === replicas) {
      return performance.now() - t0;
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${name} not rolled out in ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function benchDeployments(): Promise<void> {
  const serve = await startServe({ args: ['--nodes', '20'], timeoutMs: 60_000 });
  const rows: Row[] = [];
  try {
    await api(serve, '/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
    const create = (body: unknown): Promise<Response> => api(serve, `/apis/apps/v1/namespaces/${NS}/deployments`, { method: 'POST', body: JSON.stringify(body) });

    let t0 = performance.now();
    await create(deployment('big', 1000, 'bosun-test/web:1'));
    const big = await untilRolledOut(serve, 'big', 1000, t0, 300_000);
    rows.push({ name: '1,000-replica Deployment → all Ready (20 simulated nodes)', value: ms(big), goal: '—' });

    await create(deployment('roll', 20, 'bosun-test/web:1'));
    await untilRolledOut(serve, 'roll', 20, performance.now(), 60_000);
    t0 = performance.now();
    await api(serve, `/apis/apps/v1/namespaces/${NS}/deployments/roll`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'web', image: 'bosun-test/web:2' }] } } } }),
    });
    const roll = await untilRolledOut(serve, 'roll', 20, t0, 120_000);
    rows.push({ name: '20-replica rolling update (25% surge/unavailable), set image → complete', value: ms(roll), goal: '—' });
  } finally {
    await serve.stop();
    serve.cleanup();
  }
  printTable('Deployments on simulated nodes (bosun serve --runtime fake --nodes 20)', rows);
}

// `npx tsx tests/bench/deployments.ts` runs just this one.
if (require.main === module) {
  benchDeployments().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

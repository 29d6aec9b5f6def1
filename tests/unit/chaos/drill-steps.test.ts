// Drill steps other than faults, through the in-process API: rollout (kubectl set image / rollout restart
// patches, waits for the rollout), drain (cordon, evictions retried on 429, DaemonSet and mirror pods
// skipped, uncordon), and HTTP checks against a real loopback server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import type { Node } from '../../../shared/api/node';
import type { Pod } from '../../../shared/api/pod';
import type { Deployment } from '../../../shared/api/workloads';
import { deployment, drillObject, NS, runDrill, setReady, startDrillStack, type DrillStack } from './drill-support';

let stack: DrillStack | undefined;
let server: Server | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

const readyCheck = { name: 'web-ready', deploymentReady: { name: 'web', minReady: 3 } };

/** Plays the deployment controller finishing whatever rollout is asked: status follows the generation. */
function rolloutFollower(s: DrillStack): void {
  s.clock.setInterval(() => void setReady(s.client, 'web', 3).catch(() => undefined), 200);
}

describe('drill rollout step', () => {
  it('sets the image like kubectl set image and waits for the rollout', async () => {
    stack = await startDrillStack();
    await deployment(stack.client, 'web', 3);
    rolloutFollower(stack);
    const d = await runDrill(stack, drillObject('update', { steadyState: [readyCheck], steps: [{ name: 'roll', rollout: { deployment: 'web', image: 'nginx:1.28' } }] }));
    expect(d.status?.phase).toBe('Succeeded');
    const dep = await stack.client.deployments<Deployment>().get(NS, 'web');
    expect(dep.spec?.template.spec?.containers[0].image).toBe('nginx:1.28');
    expect(dep.metadata.generation).toBe(2);
    const lines = d.status!.timeline!.map((e) => e.message);
    expect(lines).toContain('deployment web: image set to nginx:1.28');
    expect(lines).toContain('deployment web successfully rolled out');
  });

  it('restarts like kubectl rollout restart (restartedAt template annotation)', async () => {
    stack = await startDrillStack();
    await deployment(stack.client, 'web', 3);
    rolloutFollower(stack);
    const d = await runDrill(stack, drillObject('restart', { steadyState: [readyCheck], steps: [{ name: 'restart', rollout: { deployment: 'web', restart: true } }] }));
    expect(d.status?.phase).toBe('Succeeded');
    const dep = await stack.client.deployments<Deployment>().get(NS, 'web');
    expect(dep.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('fails clearly when the deployment does not exist', async () => {
    stack = await startDrillStack();
    await deployment(stack.client, 'web', 3);
    const d = await runDrill(stack, drillObject('nodep', { steadyState: [readyCheck], steps: [{ name: 'roll', rollout: { deployment: 'api', image: 'x:1' } }] }));
    expect(d.status?.phase).toBe('Failed');
    expect(d.status?.message).toBe(`deployment api not found in ${NS}`);
  });
});

async function node(s: DrillStack, name: string): Promise<void> {
  await s.client.nodes<Node>().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} } as Node);
}

/** A Running, Ready pod (a Pending one could be evicted without asking any budget, as in Kubernetes). */
async function pod(s: DrillStack, name: string, nodeName: string, extra: Partial<Pod['metadata']> = {}): Promise<void> {
  const created = await s.client.pods<Pod>().create(NS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, ...extra },
    spec: { nodeName, containers: [{ name: 'c', image: 'nginx:1.27' }] },
  } as Pod);
  await s.client.pods<Pod>().updateStatus(NS, { ...created, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } } as Pod);
}

describe('drill drain step', () => {
  it('cordons, evicts through pods/eviction retrying 429s every second, skips DaemonSet and mirror pods, uncordons', async () => {
    let refusals = 2;
    const evicted: string[] = [];
    stack = await startDrillStack({
      evictionPolicy: (p) => {
        if (refusals-- > 0) throw ApiError.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.");
        evicted.push(p.metadata.name!);
      },
    });
    const s = stack;
    await deployment(s.client, 'web', 3);
    await node(s, 'node-1');
    await node(s, 'node-2');
    const owner = (kind: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name: 'x', uid: `${kind}-uid`, controller: true }] });
    await pod(s, 'web-a', 'node-2', owner('ReplicaSet'));
    await pod(s, 'web-b', 'node-1', owner('ReplicaSet'));
    await pod(s, 'agent', 'node-2', owner('DaemonSet'));
    await pod(s, 'static', 'node-2', { annotations: { 'kubernetes.io/config.mirror': 'abc' } });
    // Plays the kubelet: a pod marked for deletion finishes terminating at once.
    const kubelet = s.client.pods<Pod>().watch(NS, {}, {
      onEvent: (e) => {
        if (e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp) void s.client.pods().delete(NS, e.object.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
      },
    });
    let cordonedDuringDrill = false;
    const nodeWatch = s.client.nodes<Node>().watch(undefined, {}, { onEvent: (e) => void (e.object.metadata.name === 'node-2' && e.object.spec?.unschedulable && (cordonedDuringDrill = true)) });
    try {
      const d = await runDrill(s, drillObject('drain', { steadyState: [readyCheck], steps: [{ name: 'drain-2', drain: { node: 'node-2', uncordonAfter: true }, duration: '200ms' }] }));
      expect(d.status?.phase).toBe('Succeeded');
      expect(evicted).toEqual(['web-a']);
      expect(refusals).toBe(-1);
      const left = (await s.client.pods<Pod>().list(NS)).items.map((p) => p.metadata.name).sort();
      expect(left).toEqual(['agent', 'static', 'web-b']);
      expect(cordonedDuringDrill).toBe(true);
      expect((await s.client.nodes<Node>().get(undefined, 'node-2')).spec?.unschedulable).toBeUndefined();
      const lines = d.status!.timeline!.map((e) => e.message);
      expect(lines).toContain('node node-2 cordoned');
      expect(lines.filter((l) => l.startsWith(`eviction of pod ${NS}/web-a refused (will retry): Cannot evict pod`)).length).toBe(1);
      expect(lines).toContain('node node-2 drained (1 pods evicted)');
      expect(lines).toContain('node node-2 uncordoned');
    } finally {
      kubelet.stop();
      nodeWatch.stop();
    }
  });
});

describe('drill http check', () => {
  it('sends requests at the rate, counts failures while the server errs, and reports them', async () => {
    let failing = false;
    server = createServer((_req, res) => {
      res.statusCode = failing ? 503 : 200;
      res.end('ok');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    stack = await startDrillStack({ speed: 1 });
    const s = stack;
    s.nodeInjector.onInject = () => {
      failing = true;
      s.clock.setTimeout(() => (failing = false), 600);
    };
    const d = await runDrill(s, drillObject('http', {
      steadyState: [{ name: 'web-http', http: { url: `http://127.0.0.1:${port}/`, ratePerSecond: 20, successPercent: 100, timeout: '500ms' } }],
      steps: [{ name: 'crash', nodeFault: { action: 'crash', selector: { nodeNames: ['node-2'] } }, duration: '1500ms' }],
      recoveryTimeout: '5s',
    }));
    expect(d.status?.phase).toBe('Succeeded');
    const r = d.status!.report!;
    expect(r.hypothesisHeld).toBe(true);
    expect(r.heldThroughout).toBe(false);
    // 20/s for ~2 s of measuring; about 0.6 s of them failed.
    expect(r.requestsTotal).toBeGreaterThan(20);
    expect(r.requestsFailed).toBeGreaterThan(3);
    expect(r.requestsFailed).toBeLessThan(r.requestsTotal);
    expect(r.checks![0]).toMatchObject({ name: 'web-http', role: 'steadyState', requestsTotal: r.requestsTotal, requestsFailed: r.requestsFailed });
    expect(d.status!.timeline!.some((e) => e.type === 'Check' && e.message.startsWith(`check web-http fails: http://127.0.0.1:${port}/:`))).toBe(true);
  });

  it('reports zero failed requests when nothing broke', async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    stack = await startDrillStack({ speed: 1 });
    const d = await runDrill(stack, drillObject('calm', {
      steadyState: [{ name: 'web-http', http: { url: `http://127.0.0.1:${port}/`, ratePerSecond: 20, successPercent: 100 } }],
      steps: [{ name: 'wait', duration: '1s' }],
    }));
    expect(d.status?.report).toMatchObject({ hypothesisHeld: true, heldThroughout: true, requestsFailed: 0 });
    expect(d.status!.report!.requestsTotal).toBeGreaterThan(10);
  });
});

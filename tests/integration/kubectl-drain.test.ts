// Cordon, drain, eviction and taints with real kubectl 1.32 against `bosun serve --runtime fake` (3 nodes):
// a 3-replica Deployment packed on node-2 behind a PDB minAvailable=2 plus a DaemonSet. `kubectl drain`
// must complete through 429 retries while a pod watch never sees fewer than 2 ready web pods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPodReady, PodReadyWatch, type WatchedPod } from '../support/pod-ready-watch';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

let serve: ServeHandle;
const NS = 'drain';
const ns = ['-n', NS];

beforeAll(async () => {
  serve = await startServe({ args: ['--nodes', '3'] });
  await kubectlOk(serve, ['create', 'namespace', NS]);
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  serve?.cleanup();
});

type PodItem = WatchedPod;
const isReady = isPodReady;

const k = (...args: string[]): Promise<string> => kubectlOk(serve, [...ns, ...args]);
const pods = async (selector: string): Promise<PodItem[]> => (JSON.parse(await k('get', 'pods', '-l', selector, '-o', 'json')) as { items: PodItem[] }).items;

async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: web, image: bosun-test/busybox:1.0, command: [sleep, "3600"]}]
      volumes: [{name: scratch, emptyDir: {}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: bosun-test/busybox:1.0, command: [sleep, "3600"]}]
`;

describe('kubectl cordon, drain and eviction with a PodDisruptionBudget', () => {
  it('drain of a node holding all three replicas completes through 429 retries, never below minAvailable', async () => {
    // Cordoning the other nodes packs the Deployment on node-2, so the budget must meter the drain.
    expect(await kubectlOk(serve, ['cordon', 'node-1', 'node-3'])).toContain('node/node-1 cordoned');
    await kubectlOk(serve, [...ns, 'apply', '-f', '-'], APP);
    const placed = await eventually(async () => {
      const web = await pods('app=web');
      return web.length === 3 && web.every(isReady) ? web : undefined;
    }, 30_000, 'three ready web pods');
    expect(placed.map((p) => p.spec?.nodeName)).toEqual(['node-2', 'node-2', 'node-2']);
    await kubectlOk(serve, ['uncordon', 'node-1', 'node-3']);
    await eventually(async () => (await pods('app=agent')).filter(isReady).length === 3 || undefined, 30_000, 'daemon pods on every node');
    await eventually(async () => (await k('get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}')) === '1' || undefined, 10_000, 'PDB status');

    // Nothing changes on a server-side dry run.
    const dry = await kubectlOk(serve, ['drain', 'node-2', '--ignore-daemonsets', '--delete-emptydir-data', '--dry-run=server']);
    expect(dry).toContain('node/node-2 drained (server dry run)');
    expect(await kubectlOk(serve, ['get', 'node', 'node-2', '-o', 'jsonpath={.spec.unschedulable}'])).toBe('');
    expect((await pods('app=web')).filter(isReady)).toHaveLength(3);

    const watch = new PodReadyWatch(serve, NS, 'app=web');
    await watch.start();
    await eventually(async () => watch.ready() === 3 || undefined, 10_000, 'watch to see the three pods');
    watch.tracking = true;
    const started = Date.now();
    const drain = await kubectl(serve, ['drain', 'node-2', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=25s']);
    const tookMs = Date.now() - started;
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain('node/node-2 cordoned');
    expect(drain.stdout).toContain('node/node-2 drained');
    expect(drain.stdout.match(/pod\/web-[a-z0-9-]+ evicted/g)).toHaveLength(3);
    expect(drain.stderr).toContain('Warning: ignoring DaemonSet-managed Pods: drain/agent-');
    // The budget allowed one eviction at a time: kubectl was refused and retried after 5 s.
    expect(drain.stderr).toMatch(/error when evicting pods\/"web-[a-z0-9-]+" -n "drain" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    expect(tookMs).toBeGreaterThan(5000);

    // Replacements are ready elsewhere; the watch never saw fewer than minAvailable ready pods.
    const after = await eventually(async () => {
      const web = await pods('app=web');
      return web.length === 3 && web.every(isReady) ? web : undefined;
    }, 15_000, 'three ready replacements');
    await new Promise((r) => setTimeout(r, 300));
    watch.stop();
    expect(watch.samples).toBeGreaterThan(6);
    expect(watch.min, watch.log.join('\n')).toBeGreaterThanOrEqual(2);
    expect(after.every((p) => p.spec?.nodeName !== 'node-2')).toBe(true);
    expect((await pods('app=agent')).some((p) => p.spec?.nodeName === 'node-2')).toBe(true);
    expect(await kubectlOk(serve, ['get', 'node', 'node-2', '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
    expect(await kubectlOk(serve, ['get', 'nodes'])).toMatch(/node-2\s+Ready,SchedulingDisabled/);

    const pdb = await eventually(async () => {
      const o = JSON.parse(await k('get', 'pdb', 'web', '-o', 'json')) as { status: Record<string, unknown> & { conditions: Array<Record<string, unknown>> } };
      return o.status.currentHealthy === 3 && o.status.disruptionsAllowed === 1 ? o : undefined;
    }, 10_000, 'PDB back to one allowed disruption');
    expect(pdb.status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 1 });
    expect(pdb.status.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' })]);
    expect(await k('get', 'pdb', 'web')).toMatch(/web\s+2\s+N\/A\s+1\s+\d+s/);

    expect(await kubectlOk(serve, ['uncordon', 'node-2'])).toContain('node/node-2 uncordoned');
    expect(await kubectlOk(serve, ['get', 'node', 'node-2', '-o', 'jsonpath={.spec.unschedulable}'])).toBe('');
  }, 90_000);

  it('drain refuses bare pods without --force, skips mirror pods, and evicts bare pods with --force', async () => {
    const bare = (name: string, annotations = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: bare}${annotations}}
spec:
  nodeName: node-3
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: bosun-test/busybox:1.0, command: [sleep, "3600"]}]
`;
    await kubectlOk(serve, [...ns, 'apply', '-f', '-'], `${bare('static-web', ', annotations: {kubernetes.io/config.mirror: "abc123"}')}---\n${bare('loner')}`);
    await eventually(async () => (await pods('app=bare')).filter(isReady).length === 2 || undefined, 20_000, 'bare pods running');
    const refused = await kubectl(serve, ['drain', 'node-3', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=20s']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('cannot delete Pods that declare no controller (use --force to override): drain/loner');
    expect(refused.stderr).not.toContain('static-web');

    const forced = await kubectl(serve, ['drain', 'node-3', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=20s']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('pod/loner evicted');
    expect(forced.stdout).not.toContain('static-web');
    // The mirror pod stays (its kubelet owns it); the bare one is gone for good.
    const left = (await pods('app=bare')).map((p) => p.metadata.name);
    expect(left).toEqual(['static-web']);
    await kubectlOk(serve, ['uncordon', 'node-3']);
  }, 60_000);

  it('kubectl taint adds and removes NoSchedule, PreferNoSchedule and NoExecute taints', async () => {
    const taints = async () => JSON.parse((await kubectlOk(serve, ['get', 'node', 'node-1', '-o', 'jsonpath={.spec.taints}'])) || '[]') as Array<Record<string, string>>;
    expect(await kubectlOk(serve, ['taint', 'nodes', 'node-1', 'k=v:NoSchedule'])).toContain('node/node-1 tainted');
    await kubectlOk(serve, ['taint', 'nodes', 'node-1', 'k=v:PreferNoSchedule']);
    await kubectlOk(serve, ['taint', 'nodes', 'node-1', 'lab=drill:NoExecute']);
    const added = await taints();
    expect(added.map((t) => `${t.key}=${t.value}:${t.effect}`).sort()).toEqual(['k=v:NoSchedule', 'k=v:PreferNoSchedule', 'lab=drill:NoExecute']);
    const described = (await kubectlOk(serve, ['describe', 'node', 'node-1'])).split('Unschedulable:')[0].split('Taints:')[1];
    expect(described.split('\n').map((l) => l.trim()).filter(Boolean).sort()).toEqual(['k=v:NoSchedule', 'k=v:PreferNoSchedule', 'lab=drill:NoExecute']);

    const dup = await kubectl(serve, ['taint', 'nodes', 'node-1', 'k=w:NoSchedule']);
    expect(dup.stderr).toContain('already has k taint(s) with same effect(s) and --overwrite is false');

    expect(await kubectlOk(serve, ['taint', 'nodes', 'node-1', 'lab=drill:NoExecute-'])).toContain('node/node-1 untainted');
    expect((await taints()).map((t) => `${t.key}:${t.effect}`).sort()).toEqual(['k:NoSchedule', 'k:PreferNoSchedule']);
    await kubectlOk(serve, ['taint', 'nodes', 'node-1', 'k:PreferNoSchedule-']);
    expect((await taints()).map((t) => `${t.key}:${t.effect}`)).toEqual(['k:NoSchedule']);
    await kubectlOk(serve, ['taint', 'nodes', 'node-1', 'k-']);
    expect(await taints()).toEqual([]);
  }, 60_000);
});

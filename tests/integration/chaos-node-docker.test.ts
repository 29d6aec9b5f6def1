// NodeFaults on the Docker engine, applied with kubectl 1.32 against `bosun serve --runtime docker`: a 3-node
// lab running a 3-replica busybox httpd Deployment behind a NodePort. For each mode the Docker-visible effect
// is checked (containers killed / paused / disconnected, the node's Lease no longer renewed), then the fault
// ends (deleted, or its duration runs out) and nothing is left killed, paused or disconnected; the node is
// Ready again. Then the revert guarantees under exits: SIGKILL with a partition in force followed by a
// restart (start-up reconnects the sandboxes with their IPs), SIGTERM with a freeze in force (nothing paused).
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeLabDockerObjects, startServe, type ServeHandle } from '../support/serve';
import { until } from '../support/until';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';

let serve: ServeHandle;
let dataDir = '';
let labId = '';

const docker = (args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', timeout: 60_000 }).trim();

interface LabContainer {
  id: string;
  state: string;
  role: string;
  node: string;
  pod: string;
}

/** The lab's containers on one node (or all), as `docker ps -a` sees them. */
function containers(node?: string): LabContainer[] {
  const filters = ['--filter', `label=bosun.lab=${labId}`, ...(node ? ['--filter', `label=bosun.node=${node}`] : [])];
  const out = docker(['ps', '-a', ...filters, '--format', '{{.ID}}|{{.State}}|{{.Label "bosun.role"}}|{{.Label "bosun.node"}}|{{.Label "bosun.pod.name"}}']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, state, role, n, pod] = line.split('|');
      return { id, state, role, node: n, pod };
    });
}

/** IP of a container on the lab pod network ('' when disconnected). */
const podNetworkIp = (id: string): string => docker(['inspect', '-f', `{{with index .NetworkSettings.Networks "bosun-${labId}"}}{{.IPAddress}}{{end}}`, id]);


const json = async (args: string[]): Promise<any> => JSON.parse(await kubectlOk(serve, [...args, '-o', 'json']));

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' }, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const MANIFEST = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
      containers:
      - name: httpd
        image: ${BUSYBOX}
        command: [sh, -c, "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{name: http, containerPort: 8080}]
`;

const nodeFault = (name: string, action: string, node: string, duration?: string): string => `
apiVersion: chaos.bosun.dev/v1alpha1
kind: NodeFault
metadata: {name: ${name}}
spec:
  action: ${action}
  selector: {nodeNames: [${node}]}
${duration ? `  duration: ${duration}\n` : ''}`;

const phaseOf = async (name: string): Promise<string> => (await json(['get', 'nodefault', name])).status?.phase ?? '';
const waitPhase = (name: string, phase: string, timeoutMs = 30_000) =>
  until(`nodefault ${name} ${phase}`, async () => ((await phaseOf(name)) === phase ? json(['get', 'nodefault', name]) : undefined), timeoutMs);

const leaseRenewTime = async (node: string): Promise<string> => (await json(['get', 'lease', node, '-n', 'kube-node-lease'])).spec.renewTime;

/** The Lease is renewed (at least twice within the wait): the kubelet is alive. */
async function leaseRenewing(node: string): Promise<void> {
  const first = await leaseRenewTime(node);
  await until(`lease of ${node} renewed`, async () => (await leaseRenewTime(node)) !== first, 15_000);
}

/** The Lease is not renewed for `ms`: the kubelet is stopped. */
async function leaseFrozen(node: string, ms: number): Promise<void> {
  const first = await leaseRenewTime(node);
  await new Promise((r) => setTimeout(r, ms));
  expect(await leaseRenewTime(node)).toBe(first);
}

const nodeReady = async (node: string): Promise<boolean> =>
  (await json(['get', 'node', node])).status.conditions.find((c: any) => c.type === 'Ready')?.status === 'True';

async function readyReplicas(): Promise<number> {
  return (await json(['get', 'deployment', 'web'])).status?.readyReplicas ?? 0;
}

/** A node running at least one web pod. */
async function victimNode(): Promise<string> {
  const pods = await json(['get', 'pods', '-l', 'app=web']);
  const nodes = pods.items.filter((p: any) => p.status.phase === 'Running').map((p: any) => p.spec.nodeName).sort();
  return nodes[0];
}

/** After a fault ends: the node Ready with a renewing Lease, nothing of the lab paused, all web pods serving. */
async function recovered(node: string): Promise<void> {
  await until(`${node} Ready`, () => nodeReady(node), 30_000);
  await leaseRenewing(node);
  expect(containers().filter((c) => c.state === 'paused')).toEqual([]);
  for (const c of containers().filter((c) => c.role === 'sandbox' && c.state === 'running')) expect(podNetworkIp(c.id)).not.toBe('');
  await until('3 ready replicas', async () => (await readyReplicas()) === 3, 90_000);
}

describe('NodeFaults on the Docker engine', () => {
  let nodePort = 0;

  beforeAll(async () => {
    serve = await startServe({ runtime: 'docker', args: ['--nodes', '3', '--pause-image', PAUSE], timeoutMs: 60_000 });
    dataDir = serve.dataDir;
    labId = serve.labId;
    await kubectlOk(serve, ['apply', '-f', '-'], MANIFEST);
    nodePort = (await json(['get', 'service', 'web'])).spec.ports[0].nodePort;
    await until('3 ready replicas', async () => (await readyReplicas()) === 3, 90_000);
  }, 150_000);

  afterAll(async () => {
    if (serve) {
      await kubectl(serve, ['delete', 'nodefaults', '--all', '--wait=false']);
      await serve.stop().catch(() => undefined);
      serve.cleanup();
    } else if (labId) removeLabDockerObjects(labId);
  }, 120_000);

  it('is listed by `kubectl get chaos` and refuses an unknown node with a clear message', async () => {
    const bad = await kubectl(serve, ['apply', '-f', '-'], nodeFault('nowhere', 'crash', 'node-9'));
    expect(bad.code).toBe(0);
    const failed = await waitPhase('nowhere', 'Failed');
    expect(failed.status.message).toContain('spec.selector.nodeNames[0]');
    expect(await kubectlOk(serve, ['get', 'chaos'])).toMatch(/nodefault\.chaos\.bosun\.dev\/nowhere\s+crash\s+node-9\s+Failed/);
    const invalid = await kubectl(serve, ['apply', '-f', '-'], nodeFault('bad-action', 'explode', 'node-1'));
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('spec.action: Unsupported value: "explode"');
    await kubectlOk(serve, ['delete', 'nodefault', 'nowhere']);
  });

  it('kubeletStop: the Lease stops, containers keep running and still serve; delete → Ready again', async () => {
    const node = await victimNode();
    const before = containers(node).filter((c) => c.state === 'running');
    expect(before.length).toBeGreaterThan(0);
    await kubectlOk(serve, ['apply', '-f', '-'], nodeFault('stop-kubelet', 'kubeletStop', node));
    const injected = await waitPhase('stop-kubelet', 'Injected');
    expect(injected.status.targets).toEqual([expect.objectContaining({ kind: 'Node', name: node, injectedAt: expect.any(String) })]);
    await leaseFrozen(node, 3000);
    // Split brain: the node is silent, yet every container still runs and the pods still answer.
    expect(containers(node).filter((c) => c.state === 'running').map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
    expect(await get(nodePort)).toBe(200);
    await kubectlOk(serve, ['delete', 'nodefault', 'stop-kubelet']);
    await recovered(node);
  }, 120_000);

  it('freeze: every container of the node paused; delete unpauses all of them', async () => {
    const node = await victimNode();
    const running = containers(node).filter((c) => c.state === 'running');
    await kubectlOk(serve, ['apply', '-f', '-'], nodeFault('freeze', 'freeze', node));
    const injected = await waitPhase('freeze', 'Injected');
    const paused = containers(node).filter((c) => c.state === 'paused');
    expect(paused.map((c) => c.id).sort()).toEqual(running.map((c) => c.id).sort());
    expect(injected.status.targets[0].restore.paused.split(',')).toHaveLength(running.length);
    await leaseFrozen(node, 2500);
    await kubectlOk(serve, ['delete', 'nodefault', 'freeze']);
    expect(containers(node).filter((c) => c.state === 'paused')).toEqual([]);
    await recovered(node);
  }, 120_000);

  it('partition: sandboxes leave the pod network and their published ports; the duration ends → same IPs back', async () => {
    const node = await victimNode();
    const sandboxes = containers(node).filter((c) => c.role === 'sandbox' && c.state === 'running');
    const ips = new Map(sandboxes.map((s) => [s.id, podNetworkIp(s.id)]));
    expect([...ips.values()].every((ip) => ip.startsWith('10.'))).toBe(true);
    await kubectlOk(serve, ['apply', '-f', '-'], nodeFault('partition', 'partition', node, '6s'));
    await waitPhase('partition', 'Injected');
    for (const s of sandboxes) {
      expect(podNetworkIp(s.id)).toBe('');
      // Published 127.0.0.1 ports go with the endpoint: host-side traffic to these pods fails.
      expect(docker(['port', s.id])).toBe('');
    }
    await leaseFrozen(node, 2000);
    const reverted = await waitPhase('partition', 'Reverted', 30_000);
    expect(reverted.status.message).toBe('Reverted: duration 6s ended');
    expect(Date.parse(reverted.status.revertedAt)).toBeGreaterThanOrEqual(Date.parse(reverted.status.expiresAt));
    for (const s of sandboxes) expect(podNetworkIp(s.id)).toBe(ips.get(s.id));
    await recovered(node);
    // The history object stays (kubectl get chaos shows it) and deletes at once: no finalizer left.
    expect(reverted.metadata.finalizers ?? []).toEqual([]);
    await kubectlOk(serve, ['delete', 'nodefault', 'partition']);
  }, 120_000);

  it('crash: kubelet gone and every container killed; NotReady → taint → eviction → replacements elsewhere; delete → node back', async () => {
    const node = await victimNode();
    const victims = (await json(['get', 'pods', '-l', 'app=web'])).items.filter((p: any) => p.spec.nodeName === node).map((p: any) => p.metadata.name);
    const t0 = Date.now();
    await kubectlOk(serve, ['apply', '-f', '-'], nodeFault('crash', 'crash', node));
    await waitPhase('crash', 'Injected');
    const left = containers(node);
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((c) => c.state !== 'exited')).toEqual([]);
    await leaseFrozen(node, 2000);

    // The node lifecycle controller notices the silence, as in Kubernetes.
    const tUnknown = await until('node Ready=Unknown', async () => {
      const ready = (await json(['get', 'node', node])).status.conditions.find((c: any) => c.type === 'Ready');
      return ready?.status === 'Unknown' ? Date.now() : undefined;
    }, 90_000);
    const taints = (await json(['get', 'node', node])).spec.taints ?? [];
    expect(taints.map((t: any) => `${t.key}:${t.effect}`)).toContain('node.kubernetes.io/unreachable:NoExecute');
    const tReplaced = await until('3 ready replicas off the crashed node', async () => {
      const pods = (await json(['get', 'pods', '-l', 'app=web'])).items;
      const ready = pods.filter((p: any) => p.spec.nodeName !== node && !p.metadata.deletionTimestamp && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 3 ? Date.now() : undefined;
    }, 120_000);
    const timing = (await json(['get', 'configmap', 'bosun-lab-timing', '-n', 'kube-system'])).data ?? {};
    console.log(
      `node crash recovery: NotReady after ${((tUnknown - t0) / 1000).toFixed(1)} s, 3 replacement pods Ready after ${((tReplaced - t0) / 1000).toFixed(1)} s` +
        ` (evicted: ${victims.join(', ')}; lab timing: ${JSON.stringify(timing)})`,
    );
    expect(await get(nodePort)).toBe(200);

    await kubectlOk(serve, ['delete', 'nodefault', 'crash']);
    await until(`${node} Ready`, () => nodeReady(node), 30_000);
    await until('taint removed', async () => !((await json(['get', 'node', node])).spec.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/unreachable'), 30_000);
    await leaseRenewing(node);
    // The rebooted kubelet finishes the evicted pods and removes their containers.
    await until('evicted pods gone with their containers', async () => {
      const pods = (await json(['get', 'pods', '-l', 'app=web'])).items.map((p: any) => p.metadata.name);
      return victims.every((v: string) => !pods.includes(v)) && containers(node).every((c) => !victims.includes(c.pod));
    }, 60_000);
    await until('3 ready replicas', async () => (await readyReplicas()) === 3, 60_000);
  }, 300_000);

  // The same Kubernetes-visible sequence for the modes that leave containers alive but unreachable: the node
  // goes silent, the node lifecycle controller marks it Unknown and taints it, the pods are evicted after the
  // (scaled) toleration, and replacements run elsewhere; after the fault nothing stays paused or cut off.
  it.each(['freeze', 'partition'])('%s: NotReady → taint → eviction → replacements elsewhere; delete → nothing left paused or disconnected', async (action) => {
    const node = await victimNode();
    const victims = (await json(['get', 'pods', '-l', 'app=web'])).items.filter((p: any) => p.spec.nodeName === node).map((p: any) => p.metadata.name);
    const name = `${action}-evict`;
    const t0 = Date.now();
    await kubectlOk(serve, ['apply', '-f', '-'], nodeFault(name, action, node, '10m'));
    await waitPhase(name, 'Injected');
    await leaseFrozen(node, 2000);
    const tUnknown = await until('node Ready=Unknown', async () => {
      const ready = (await json(['get', 'node', node])).status.conditions.find((c: any) => c.type === 'Ready');
      return ready?.status === 'Unknown' ? Date.now() : undefined;
    }, 90_000);
    expect(((await json(['get', 'node', node])).spec.taints ?? []).map((t: any) => `${t.key}:${t.effect}`)).toContain('node.kubernetes.io/unreachable:NoExecute');
    const tReplaced = await until('3 ready replicas off the silent node', async () => {
      const pods = (await json(['get', 'pods', '-l', 'app=web'])).items;
      const ready = pods.filter((p: any) => p.spec.nodeName !== node && !p.metadata.deletionTimestamp && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 3 ? Date.now() : undefined;
    }, 120_000);
    // The evicted pods cannot finish without their kubelet: they stay Terminating, as in Kubernetes.
    const stuck = (await json(['get', 'pods', '-l', 'app=web'])).items.filter((p: any) => victims.includes(p.metadata.name));
    expect(stuck.every((p: any) => p.metadata.deletionTimestamp)).toBe(true);
    console.log(`node ${action} recovery: NotReady after ${((tUnknown - t0) / 1000).toFixed(1)} s, 3 replacement pods Ready after ${((tReplaced - t0) / 1000).toFixed(1)} s`);
    expect(await get(nodePort)).toBe(200);

    await kubectlOk(serve, ['delete', 'nodefault', name]);
    await until(`${node} Ready`, () => nodeReady(node), 30_000);
    await until('evicted pods gone with their containers', async () => {
      const pods = (await json(['get', 'pods', '-l', 'app=web'])).items.map((p: any) => p.metadata.name);
      return victims.every((v: string) => !pods.includes(v)) && containers(node).every((c) => !victims.includes(c.pod));
    }, 60_000);
    expect(containers().filter((c) => c.state === 'paused')).toEqual([]);
    for (const s of containers().filter((c) => c.role === 'sandbox' && c.state === 'running')) expect(podNetworkIp(s.id)).toMatch(/^10\./);
    await until('3 ready replicas', async () => (await readyReplicas()) === 3, 60_000);
  }, 300_000);

  it('SIGKILL with a partition in force, then restart: start-up reconnects every sandbox with its IP', async () => {
    const node = await victimNode();
    const sandboxes = containers(node).filter((c) => c.role === 'sandbox' && c.state === 'running');
    const ips = new Map(sandboxes.map((s) => [s.id, podNetworkIp(s.id)]));
    await kubectlOk(serve, ['apply', '-f', '-'], nodeFault('partition-crash', 'partition', node, '10m'));
    await waitPhase('partition-crash', 'Injected');
    expect(sandboxes.every((s) => podNetworkIp(s.id) === '')).toBe(true);
    await serve.stop('SIGKILL');
    // Killed: nothing reverted.
    expect(sandboxes.every((s) => podNetworkIp(s.id) === '')).toBe(true);

    serve = await startServe({ runtime: 'docker', dataDir, args: ['--nodes', '3', '--pause-image', PAUSE], timeoutMs: 60_000 });
    const reverted = await waitPhase('partition-crash', 'Reverted', 30_000);
    expect(reverted.status.message).toContain('Reverted at start-up');
    for (const s of sandboxes) expect(podNetworkIp(s.id)).toBe(ips.get(s.id));
    expect(serve.output.join('\n')).toContain('chaos: reverted 1 fault(s) left in force by the previous run');
    await recovered(node);
  }, 240_000);

  it('SIGTERM with a freeze in force leaves no paused lab container', async () => {
    const node = await victimNode();
    await kubectlOk(serve, ['apply', '-f', '-'], nodeFault('freeze-exit', 'freeze', node));
    await waitPhase('freeze-exit', 'Injected');
    expect(containers(node).filter((c) => c.state === 'paused').length).toBeGreaterThan(0);
    expect(await serve.stop('SIGTERM')).toBe(0);
    expect(containers().filter((c) => c.state === 'paused')).toEqual([]);
    // The record says so for the next start.
    serve = await startServe({ runtime: 'docker', dataDir, args: ['--nodes', '3', '--pause-image', PAUSE], timeoutMs: 60_000 });
    const after = await json(['get', 'nodefault', 'freeze-exit']);
    expect(after.status).toMatchObject({ phase: 'Reverted', message: 'Reverted: the lab stopped' });
  }, 180_000);
});

// The NodeFault injector on the fake runtime with a recording node suspender: what each action does to
// the node's containers, that reverts work from the recorded target alone (a fresh injector instance) and
// without restore data (killed before the status write), and LabNodes' hold semantics for suspend/resume.
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultTarget, NodeFault, NodeFaultAction } from '../../../shared/api/chaos';
import type { Pod } from '../../../shared/api/pod';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { FakeClock } from '../../../main/client/clock';
import { KubeClient } from '../../../main/client/client';
import { createNodeFaultInjector, type NodeSuspender } from '../../../main/chaos/node-faults';
import { LabNodes } from '../../../main/kubelet/lab-nodes';
import { DEFAULT_KUBELET_TIMING } from '../../../main/kubelet/types';
import { FakeRuntime } from '../../../main/runtime/fake';
import { RuntimeLabels } from '../../../main/runtime/runtime';
import { MemoryStore } from '../../../main/store/memory-store';

const LAB = 'lab1';
const NET = 'bosun-lab1';

class RecordingNodes implements NodeSuspender {
  readonly podNetwork = NET;
  readonly log: string[] = [];
  async suspend(name: string, holder: string): Promise<void> {
    this.log.push(`suspend ${name} ${holder}`);
  }
  async resume(name: string, holder: string): Promise<boolean> {
    this.log.push(`resume ${name} ${holder}`);
    return true;
  }
  isLabNode(name: string): boolean {
    return name.startsWith('node-');
  }
}

async function setup() {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'system:test');
  const runtime = new FakeRuntime();
  await runtime.ensureNetwork(NET, { subnet: '10.244.0.0/16', gateway: '10.244.0.1', labels: {} });
  await runtime.pullImage('pause');
  await runtime.pullImage('app');
  /** One pod on `node`: a sandbox on the pod network with `ip` and an app container in its namespace. */
  const pod = async (node: string, uid: string, ip: string) => {
    const labels = (container: string, role: string) => ({
      [RuntimeLabels.managed]: 'true',
      [RuntimeLabels.lab]: LAB,
      [RuntimeLabels.node]: node,
      [RuntimeLabels.podUid]: uid,
      [RuntimeLabels.container]: container,
      [RuntimeLabels.role]: role,
    });
    const sandbox = await runtime.createContainer({ name: `k8s_POD_${uid}`, image: 'pause', labels: labels('POD', 'sandbox'), network: { sandbox: { network: NET, ip, ports: [] } } });
    await runtime.startContainer(sandbox);
    const app = await runtime.createContainer({ name: `k8s_app_${uid}`, image: 'app', labels: labels('app', 'app'), network: { joinContainer: sandbox } });
    await runtime.startContainer(app);
    return { sandbox, app };
  };
  return { client, runtime, pod };
}

const fault = (action: NodeFaultAction): NodeFault => ({
  apiVersion: 'chaos.bosun.dev/v1alpha1',
  kind: 'NodeFault',
  metadata: { name: `f-${action}`, uid: `uid-${action}` },
  spec: { action, selector: { nodeNames: ['node-2'] } },
});
const target: FaultTarget = { kind: 'Node', name: 'node-2' };

describe('NodeFault injector', () => {
  it('crash: suspends the kubelet, then SIGKILLs every container of the node (sandboxes last) and only that node', async () => {
    const { client, runtime, pod } = await setup();
    const a = await pod('node-2', 'a', '10.244.2.2');
    const other = await pod('node-1', 'b', '10.244.1.2');
    const nodes = new RecordingNodes();
    const done = await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).inject(fault('crash'), target);
    expect(nodes.log).toEqual(['suspend node-2 uid-crash']);
    expect((await runtime.inspectContainer(a.app))?.state).toBe('exited');
    expect((await runtime.inspectContainer(a.sandbox))?.state).toBe('exited');
    expect((await runtime.inspectContainer(other.app))?.state).toBe('running');
    const kills = runtime.calls.filter((c) => c.method === 'killContainer').map((c) => c.args[0]);
    expect(kills).toEqual([a.app, a.sandbox]);
    expect(done.message).toBe('kubelet stopped and 2 containers killed (SIGKILL, power loss)');
    await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).revert(fault('crash'), done);
    expect(nodes.log.at(-1)).toBe('resume node-2 uid-crash');
  });

  it('freeze: pauses what runs after the kubelet is stopped; a fresh injector unpauses from the recorded ids, then resumes', async () => {
    const { client, runtime, pod } = await setup();
    const a = await pod('node-2', 'a', '10.244.2.2');
    const nodes = new RecordingNodes();
    const done = await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).inject(fault('freeze'), target);
    expect((await runtime.inspectContainer(a.app))?.state).toBe('paused');
    expect(done.restore?.paused?.split(',').sort()).toEqual([a.app, a.sandbox].sort());
    const order = () => runtime.calls.filter((c) => /pause|unpause/.test(c.method)).map((c) => c.method);
    expect(order()).toEqual(['pauseContainer', 'pauseContainer']);
    await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).revert(fault('freeze'), done);
    expect((await runtime.inspectContainer(a.app))?.state).toBe('running');
    expect((await runtime.inspectContainer(a.sandbox))?.state).toBe('running');
    expect(nodes.log).toEqual(['suspend node-2 uid-freeze', 'resume node-2 uid-freeze']);
    // Idempotent: a second revert finds nothing paused and still succeeds.
    await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).revert(fault('freeze'), done);
  });

  it('freeze without restore data (killed before the status write): unpauses every paused container of the node', async () => {
    const { client, runtime, pod } = await setup();
    const a = await pod('node-2', 'a', '10.244.2.2');
    const nodes = new RecordingNodes();
    await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).inject(fault('freeze'), target);
    await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).revert(fault('freeze'), target);
    expect((await runtime.inspectContainer(a.app))?.state).toBe('running');
  });

  it('partition: disconnects the sandboxes and reconnects them with the recorded IPs', async () => {
    const { client, runtime, pod } = await setup();
    const a = await pod('node-2', 'a', '10.244.2.2');
    const b = await pod('node-2', 'b', '10.244.2.3');
    const nodes = new RecordingNodes();
    const done = await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).inject(fault('partition'), target);
    expect((await runtime.inspectContainer(a.sandbox))?.ip).toBeUndefined();
    expect((await runtime.inspectContainer(b.sandbox))?.ip).toBeUndefined();
    expect((await runtime.inspectContainer(a.app))?.state).toBe('running');
    expect(done.restore?.sandboxes).toBe(`${a.sandbox}=10.244.2.2,${b.sandbox}=10.244.2.3`);
    await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).revert(fault('partition'), done);
    expect((await runtime.inspectContainer(a.sandbox))?.ip).toBe('10.244.2.2');
    expect((await runtime.inspectContainer(b.sandbox))?.ip).toBe('10.244.2.3');
    expect(nodes.log).toEqual(['suspend node-2 uid-partition', 'resume node-2 uid-partition']);
  });

  it('partition without restore data: reconnects with the pod IP the API has', async () => {
    const { client, runtime, pod } = await setup();
    await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const created = await client.pods<Pod>().create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'node-2', containers: [{ name: 'app', image: 'app' }] } });
    await client.pods<Pod>().updateStatus('default', { ...created, status: { phase: 'Running', podIP: '10.244.2.9' } });
    const a = await pod('node-2', created.metadata.uid!, '10.244.2.9');
    const nodes = new RecordingNodes();
    await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).inject(fault('partition'), target);
    await createNodeFaultInjector({ client, runtime, nodes, labId: LAB }).revert(fault('partition'), target);
    expect((await runtime.inspectContainer(a.sandbox))?.ip).toBe('10.244.2.9');
  });

  it('refuses nodes this lab does not run', async () => {
    const { client, runtime } = await setup();
    await client.nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'external' } });
    const injector = createNodeFaultInjector({ client, runtime, nodes: new RecordingNodes(), labId: LAB });
    const f = { ...fault('crash'), spec: { action: 'crash' as const, selector: { nodeNames: ['external'] } } };
    await expect(injector.selectTargets(f)).rejects.toThrow('no kubelet of this lab runs node "external"');
  });
});

describe('LabNodes.suspend/resume', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  it('holds a node down until every holder resumed it, then starts a fresh kubelet', async () => {
    const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
    const client = new KubeClient(handler, 'system:test');
    await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } });
    const runtime = new FakeRuntime();
    const nodes = new LabNodes({ client, runtime, clock: new FakeClock(), timing: DEFAULT_KUBELET_TIMING, labId: 'hold', pauseImage: 'pause', dataDir: '/tmp/bosun-lab-nodes-hold' });
    stops.push(() => nodes.stop());
    await nodes.start(2);
    const original = nodes.kubelets.get('node-2');
    await nodes.suspend('node-2', 'fault-a');
    await nodes.suspend('node-2', 'fault-b');
    expect(nodes.kubelets.has('node-2')).toBe(false);
    expect(nodes.isSuspended('node-2')).toBe(true);
    expect(nodes.isLabNode('node-2')).toBe(true);
    expect(await nodes.resume('node-2', 'fault-a')).toBe(false);
    expect(nodes.kubelets.has('node-2')).toBe(false);
    expect(await nodes.resume('node-2', 'fault-b')).toBe(true);
    const fresh = nodes.kubelets.get('node-2');
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(original);
    expect(fresh!.deps.node.podCIDR).toBe(original!.deps.node.podCIDR);
    expect(await nodes.resume('node-2', 'fault-b')).toBe(false);
    await expect(nodes.suspend('node-9', 'x')).rejects.toThrow('node "node-9" has no kubelet in this lab');
  });
});

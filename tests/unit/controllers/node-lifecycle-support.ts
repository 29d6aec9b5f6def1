// Set-up for the node lifecycle and pod GC tests: the in-process apiserver on a memory store, a
// FakeClock shared by apiserver and controller (time moves only when a test steps it), and helpers that
// play the kubelet's part (posting status, renewing the Lease) without any runtime.
import type { Lease } from '../../../shared/api/coordination';
import type { KubeObject } from '../../../shared/api/meta';
import type { Node, NodeCondition } from '../../../shared/api/node';
import type { ConditionStatus, Pod, Toleration } from '../../../shared/api/pod';
import { addDefaultTolerations, builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import { NAMESPACES } from '../../../main/client/gvr';
import { SharedInformerFactory } from '../../../main/client/informer-factory';
import { MemoryStore } from '../../../main/store/memory-store';

export const stops: Array<() => void> = [];

const micro = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const seconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export interface Cluster {
  client: KubeClient;
  clock: FakeClock;
  informers: SharedInformerFactory;
}

export async function startCluster(): Promise<Cluster> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock });
  const client = new KubeClient(handler, 'system:test');
  for (const name of ['default', 'kube-node-lease']) {
    await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // Informers on real time: only the controller's own timers follow the fake clock.
  const informers = new SharedInformerFactory(client);
  informers.start();
  stops.push(() => informers.shutdown());
  return { client, clock, informers };
}

export async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what = 'condition', ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached in time`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** What a kubelet does each heartbeat: post the four conditions (Ready as given) and renew the Lease. */
export async function heartbeat(c: Cluster, name: string, ready: ConditionStatus = 'True'): Promise<void> {
  const nodes = c.client.nodes<Node>();
  let node = await nodes.get(undefined, name).catch(() => undefined);
  if (!node) node = await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
  const now = seconds(c.clock.nowMs());
  const cond = (type: string, status: ConditionStatus, reason: string): NodeCondition => {
    const prev = node!.status?.conditions?.find((x) => x.type === type);
    return { type, status, reason, message: reason, lastHeartbeatTime: now, lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : now };
  };
  await nodes.updateStatus(undefined, {
    ...node,
    status: {
      ...node.status,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID'),
        cond('Ready', ready, ready === 'True' ? 'KubeletReady' : 'KubeletNotReady'),
      ],
    },
  });
  const leases = c.client.leases<Lease>();
  const lease = await leases.get('kube-node-lease', name).catch(() => undefined);
  const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(c.clock.nowMs()) };
  if (lease) await leases.update('kube-node-lease', { ...lease, spec });
  else await leases.create('kube-node-lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec });
}

/** A Running, Ready pod bound to `node` (with the DefaultTolerationSeconds tolerations unless `bare`). */
export async function runningPod(c: Cluster, name: string, node: string, opts: { tolerations?: Toleration[]; bare?: boolean; toleration?: number } = {}): Promise<Pod> {
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], tolerations: opts.tolerations } };
  if (!opts.bare) addDefaultTolerations(pod, opts.toleration ?? 300);
  const created = await c.client.pods<Pod>().create('default', pod);
  const now = seconds(c.clock.nowMs());
  return c.client.pods<Pod>().updateStatus('default', {
    ...created,
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
      ],
    },
  });
}

export async function events(c: Cluster, namespace = 'default'): Promise<Array<KubeObject & { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string }; source?: { component?: string } }>> {
  return (await c.client.events().list(namespace)).items as never;
}

export const getPod = (c: Cluster, name: string): Promise<Pod | undefined> => c.client.pods<Pod>().get('default', name).catch(() => undefined);
export const getNode = (c: Cluster, name: string): Promise<Node> => c.client.nodes<Node>().get(undefined, name);

// The real in-process stack for scheduler tests: RestHandler + MemoryStore + built-in registry, a
// KubeClient, and helpers to make nodes and pods the way kubelets and controllers would.
import { vi } from 'vitest';
import type { KubeObject } from '../../../shared/api/meta';
import type { Node, Taint } from '../../../shared/api/node';
import type { Pod, PodSpec } from '../../../shared/api/pod';
import { builtinResources, defaultTolerationSeconds } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { RealClock } from '../../../main/client/clock';
import type { CoreEvent } from '../../../main/client/events';
import { startScheduler, type SchedulerHandle, type StartSchedulerOptions } from '../../../main/scheduler';
import { MemoryStore } from '../../../main/store/memory-store';

export interface NodeShape {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
}

export function makeNode(name: string, shape: NodeShape = {}): Node {
  const allocatable = { cpu: shape.cpu ?? '4', memory: shape.memory ?? '8Gi', pods: shape.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...shape.labels } },
    spec: { ...(shape.taints ? { taints: shape.taints } : {}), ...(shape.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export function makePod(name: string, opts: { cpu?: string; memory?: string; labels?: Record<string, string>; spec?: Partial<PodSpec>; owner?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: opts.labels,
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: opts.owner, controller: true }] } : {}),
    },
    spec: {
      containers: [{ name: 'app', image: 'bosun-test/busybox:1.0', ...(opts.cpu || opts.memory ? { resources: { requests } } : {}) }],
      ...opts.spec,
    },
  };
}

export async function stack(options: Partial<StartSchedulerOptions> = {}) {
  const store = new MemoryStore();
  const rest = new RestHandler({ store, resources: builtinResources, admission: [defaultTolerationSeconds] });
  const client = new KubeClient(rest, 'system:kube-scheduler');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  let handle: SchedulerHandle | undefined;
  const warnings: string[] = [];
  const ctx = {
    client,
    rest,
    warnings,
    pods: client.pods<Pod>(),
    nodes: client.nodes<Node>(),
    start(extra: Partial<StartSchedulerOptions> = {}): SchedulerHandle {
      handle = startScheduler({
        client,
        clock: new RealClock(),
        logger: { warn: (m) => warnings.push(m) },
        queue: { initialBackoffMs: 20, maxBackoffMs: 100, flushIntervalMs: 20 },
        ...options,
        ...extra,
      });
      return handle;
    },
    async stop(): Promise<void> {
      await handle?.stop();
    },
    /** As a kubelet registers: create, then report status (create drops status, as for every kind with /status). */
    async addNode(name: string, shape?: NodeShape): Promise<Node> {
      const node = makeNode(name, shape);
      const created = await client.nodes<Node>().create(undefined, node);
      return client.nodes<Node>().updateStatus(undefined, { ...created, status: node.status });
    },
    addPod(pod: Pod): Promise<Pod> {
      return client.pods<Pod>().create('default', pod);
    },
    get(name: string): Promise<Pod> {
      return client.pods<Pod>().get('default', name);
    },
    /** Polls until the pod is bound; returns its node. */
    async boundNode(name: string, timeout = 10_000): Promise<string> {
      let node = '';
      await vi.waitFor(
        async () => {
          node = (await client.pods<Pod>().get('default', name)).spec?.nodeName ?? '';
          if (!node) throw new Error(`pod ${name} not bound yet`);
        },
        { timeout, interval: 10 },
      );
      return node;
    },
    /** Polls until the pod has the PodScheduled=False condition; returns its message. */
    async unschedulableMessage(name: string, timeout = 10_000): Promise<string> {
      let message = '';
      await vi.waitFor(
        async () => {
          const pod = await client.pods<Pod>().get('default', name);
          const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
          if (c?.status !== 'False') throw new Error(`pod ${name} has no PodScheduled=False yet`);
          message = c.message ?? '';
        },
        { timeout, interval: 10 },
      );
      return message;
    },
    async events(name: string): Promise<CoreEvent[]> {
      const list = await client.events<KubeObject>().list('default');
      return (list.items as unknown as CoreEvent[]).filter((e) => e.involvedObject.name === name);
    },
  };
  return ctx;
}

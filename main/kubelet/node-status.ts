// The node's presence in the API: registers the Node (labels, capacity, addresses, nodeInfo with the
// runtime's version, podCIDR), reports status with heartbeats on the timing, re-registers a Node that
// was deleted, and renews the node's Lease in kube-node-lease (what the node lifecycle controller
// watches to tell a live node from a dead one).
import { randomUUID } from 'node:crypto';
import { isAlreadyExists, isConflict, isNotFound } from '../../shared/api/errors';
import type { Lease } from '../../shared/api/coordination';
import type { Node, NodeCondition, NodeStatus } from '../../shared/api/node';
import type { TimerHandle } from '../client/clock';
import type { RuntimeVersion } from '../runtime/runtime';
import { nodeAddressOf } from './ip-allocator';
import type { KubeletDeps } from './types';

export const KUBELET_VERSION = 'v1.32.0-bosun';
export const KUBELET_PORT = 10250;
export const INSTANCE_TYPE = 'bosun-lab';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const ARCH: Record<string, string> = { x86_64: 'amd64', x64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

export function nodeLabels(deps: KubeletDeps, version: RuntimeVersion): Record<string, string> {
  const os = (version.operatingSystem || 'linux').toLowerCase();
  const arch = ARCH[version.architecture] ?? version.architecture ?? 'amd64';
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': os,
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': deps.node.name,
    'kubernetes.io/os': os,
    'node.kubernetes.io/instance-type': INSTANCE_TYPE,
    ...deps.node.labels,
  };
}

export class NodeStatusReporter {
  private version?: RuntimeVersion;
  private readonly bootID = randomUUID();
  private readonly machineID = randomUUID().replace(/-/g, '');
  private statusTimer?: TimerHandle;
  private leaseTimer?: TimerHandle;
  private stopped = false;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: KubeletDeps,
    private readonly logger: { warn(message: string): void },
  ) {}

  async start(): Promise<void> {
    this.version = await this.deps.runtime.version();
    await this.registerOrUpdate();
    await this.renewLease();
    this.statusTimer = this.deps.clock.setInterval(() => this.tick(() => this.registerOrUpdate()), this.deps.timing.nodeStatusUpdateMs);
    this.leaseTimer = this.deps.clock.setInterval(() => this.tick(() => this.renewLease()), this.deps.timing.leaseRenewMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.statusTimer?.cancel();
    this.leaseTimer?.cancel();
    await this.inFlight.catch(() => undefined);
  }

  private tick(fn: () => Promise<void>): void {
    if (this.stopped) return;
    this.inFlight = this.inFlight
      .then(() => (this.stopped ? undefined : fn()))
      .catch((e: unknown) => this.logger.warn(`kubelet ${this.deps.node.name}: ${(e as Error).message}`));
  }

  /** Creates the Node if missing (also after a deletion), else refreshes its status. */
  async registerOrUpdate(): Promise<void> {
    const nodes = this.deps.client.nodes<Node>();
    let node: Node;
    try {
      node = await nodes.get(undefined, this.deps.node.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        node = await nodes.create(undefined, this.initialNode());
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        node = await nodes.get(undefined, this.deps.node.name);
      }
    }
    if (!node.spec?.podCIDR) {
      node = await nodes.update(undefined, { ...node, spec: { ...node.spec, podCIDR: this.deps.node.podCIDR, podCIDRs: [this.deps.node.podCIDR] } });
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await nodes.updateStatus(undefined, { ...node, status: this.status(node.status) });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
        node = await nodes.get(undefined, this.deps.node.name);
      }
    }
  }

  private initialNode(): Node {
    const v = this.version!;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.deps.node.name,
        labels: nodeLabels(this.deps, v),
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: { podCIDR: this.deps.node.podCIDR, podCIDRs: [this.deps.node.podCIDR] },
    };
  }

  status(old: NodeStatus | undefined): NodeStatus {
    const v = this.version!;
    const now = rfc3339(this.deps.clock.nowMs());
    const cond = (type: string, ok: boolean, reason: string, message: string): NodeCondition => {
      const status = ok ? 'True' : 'False';
      const prev = old?.conditions?.find((c) => c.type === type);
      return {
        type,
        status,
        lastHeartbeatTime: now,
        lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
        reason,
        message,
      };
    };
    const capacity = { ...this.deps.node.capacity };
    return {
      ...old,
      capacity,
      allocatable: { ...capacity },
      conditions: [
        cond('MemoryPressure', false, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', true, 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: nodeAddressOf(this.deps.node.podCIDR) },
        { type: 'Hostname', address: this.deps.node.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
      nodeInfo: {
        machineID: this.machineID,
        systemUUID: this.machineID,
        bootID: this.bootID,
        kernelVersion: v.kernelVersion,
        osImage: v.osImage,
        containerRuntimeVersion: `${v.runtimeName}://${v.runtimeVersion}`,
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: (v.operatingSystem || 'linux').toLowerCase(),
        architecture: ARCH[v.architecture] ?? v.architecture,
      },
    };
  }

  async renewLease(): Promise<void> {
    const leases = this.deps.client.leases<Lease>();
    const name = this.deps.node.name;
    const renewTime = microTime(this.deps.clock.nowMs());
    try {
      const lease = await leases.get(NODE_LEASE_NAMESPACE, name);
      await leases.update(NODE_LEASE_NAMESPACE, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: name, leaseDurationSeconds: this.deps.timing.leaseDurationSeconds, renewTime },
      });
      return;
    } catch (e) {
      if (isConflict(e)) return; // the next renewal wins
      if (!isNotFound(e)) throw e;
    }
    const node = await this.deps.client.nodes<Node>().get(undefined, name).catch(() => undefined);
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: NODE_LEASE_NAMESPACE,
        ...(node?.metadata.uid
          ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] }
          : {}),
      },
      spec: { holderIdentity: name, leaseDurationSeconds: this.deps.timing.leaseDurationSeconds, renewTime },
    };
    await leases.create(NODE_LEASE_NAMESPACE, lease).catch((e: unknown) => {
      if (!isAlreadyExists(e)) throw e;
    });
  }
}

// The node's presence in the API: registers the Node (labels, capacity, addresses, nodeInfo with the
// runtime's version, podCIDR), reports status with heartbeats on the timing, re-registers a Node that
// was deleted, and renews the node's Lease in kube-node-lease (what the node lifecycle controller
// watches to tell a live node from a dead one).
import { randomUUID } from 'node:crypto';
import { readFile, statfs } from 'node:fs/promises';
import { freemem } from 'node:os';
import { dirname } from 'node:path';
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

/** What the eviction signals of the kubelet read (undefined: not measurable here, report no pressure). */
export interface NodePressureSample {
  /** memory.available */
  memoryAvailableBytes?: number;
  /** nodefs.available and its filesystem's size */
  diskAvailableBytes?: number;
  diskCapacityBytes?: number;
  /** pid.available = pidMax - pidsInUse */
  pidsInUse?: number;
  pidMax?: number;
}

export type NodePressureProbe = () => Promise<NodePressureSample>;

/**
 * Thresholds as the kubelet's default evictionHard: memory.available<100Mi, nodefs.available<10%. The
 * kubelet sets no pid.available default; the lab uses <10% of pid_max so a fork bomb shows as PIDPressure.
 */
export const PRESSURE_THRESHOLDS = Object.freeze({ memoryAvailableBytes: 100 * 1024 * 1024, diskAvailableRatio: 0.1, pidAvailableRatio: 0.1 });

export interface NodePressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

export function pressureFrom(sample: NodePressureSample, t = PRESSURE_THRESHOLDS): NodePressure {
  const { memoryAvailableBytes: mem, diskAvailableBytes: disk, diskCapacityBytes: diskCap, pidsInUse, pidMax } = sample;
  return {
    memory: mem !== undefined && mem < t.memoryAvailableBytes,
    disk: disk !== undefined && !!diskCap && disk / diskCap < t.diskAvailableRatio,
    pid: pidsInUse !== undefined && !!pidMax && (pidMax - pidsInUse) / pidMax < t.pidAvailableRatio,
  };
}

/** The simulated runtime's nodes never run short. */
export const noPressureProbe: NodePressureProbe = async () => ({});

// Every lab node shares the host: one sample serves all reporters for a second (status runs per node).
let hostSample: { at: number; value: Promise<NodePressureSample> } | undefined;

/**
 * The host the engine runs on: free memory (MemAvailable on Linux), the data dir's filesystem, and
 * thread count (/proc/loadavg) against /proc/sys/kernel/pid_max. Each part is skipped where unavailable
 * (a Docker Desktop VM's memory is not the host's; there the numbers are the host's, a known limit).
 */
export function hostPressureProbe(path: string, nowMs: () => number = Date.now): NodePressureProbe {
  return () => {
    if (hostSample && nowMs() - hostSample.at < 1000) return hostSample.value;
    const value = (async (): Promise<NodePressureSample> => {
      const sample: NodePressureSample = { memoryAvailableBytes: freemem() };
      for (let dir = path; ; dir = dirname(dir)) {
        const fs = await statfs(dir).catch(() => undefined);
        if (fs) {
          sample.diskAvailableBytes = Number(fs.bavail) * Number(fs.bsize);
          sample.diskCapacityBytes = Number(fs.blocks) * Number(fs.bsize);
          break;
        }
        if (dirname(dir) === dir) break;
      }
      const [loadavg, pidMax] = await Promise.all([readFile('/proc/loadavg', 'utf8').catch(() => ''), readFile('/proc/sys/kernel/pid_max', 'utf8').catch(() => '')]);
      const threads = /\s\d+\/(\d+)\s/.exec(loadavg);
      if (threads && Number(pidMax) > 0) {
        sample.pidsInUse = Number(threads[1]);
        sample.pidMax = Number(pidMax);
      }
      return sample;
    })();
    hostSample = { at: nowMs(), value };
    return value;
  };
}

export class NodeStatusReporter {
  private version?: RuntimeVersion;
  private readonly bootID = randomUUID();
  private readonly machineID = randomUUID().replace(/-/g, '');
  private statusTimer?: TimerHandle;
  private leaseTimer?: TimerHandle;
  private stopped = false;
  private registered = false;
  private inFlight: Promise<unknown> = Promise.resolve();
  /** Heartbeats waiting behind the one in flight, at most one of each kind (see tick). */
  private readonly queued = new Set<'status' | 'lease'>();
  private pressure: NodePressure = { memory: false, disk: false, pid: false };
  private probe?: NodePressureProbe;

  constructor(
    private readonly deps: KubeletDeps,
    private readonly logger: { warn(message: string): void },
    /** Defaults by runtime: the host for real engines, none for the simulated one. */
    probe?: NodePressureProbe,
  ) {
    this.probe = probe;
  }

  async start(): Promise<void> {
    this.version = await this.deps.runtime.version();
    this.probe ??= this.version.runtimeName === 'fake' ? noPressureProbe : hostPressureProbe(this.deps.dataDir);
    await this.registerOrUpdate();
    await this.renewLease();
    this.statusTimer = this.deps.clock.setInterval(() => this.tick('status', () => this.registerOrUpdate()), this.deps.timing.nodeStatusUpdateMs);
    this.leaseTimer = this.deps.clock.setInterval(() => this.tick('lease', () => this.renewLease()), this.deps.timing.leaseRenewMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.statusTimer?.cancel();
    this.leaseTimer?.cancel();
    await this.inFlight.catch(() => undefined);
  }

  // A renewal still waiting when the next one is due would write the same thing twice, so it stands for
  // both (as the kubelet's timer loops never overlap). Queuing every tick grew without bound while the
  // store lagged: 100 simulated nodes renewing every second queued megabytes of closures.
  private tick(kind: 'status' | 'lease', fn: () => Promise<void>): void {
    if (this.stopped || this.queued.has(kind)) return;
    this.queued.add(kind);
    this.inFlight = this.inFlight
      .then(() => {
        this.queued.delete(kind);
        return this.stopped ? undefined : fn();
      })
      .catch((e: unknown) => this.logger.warn(`kubelet ${this.deps.node.name}: ${(e as Error).message}`));
  }

  /** Heartbeats queued behind the one in flight (tests). */
  get queuedHeartbeats(): number {
    return this.queued.size;
  }

  /** Creates the Node if missing (also after a deletion), else refreshes its status. */
  async registerOrUpdate(): Promise<void> {
    const nodes = this.deps.client.nodes<Node>();
    await this.samplePressure();
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
    // Like the kubelet's updateDefaultLabels when it registers with an existing Node (one a user added):
    // the well-known labels (hostname, os, arch, instance type) are the kubelet's to set — at
    // registration only, so a label a user removes later stays removed.
    const defaults = nodeLabels(this.deps, this.version!);
    const labels = node.metadata.labels ?? {};
    const missingLabels = !this.registered && Object.keys(defaults).some((k) => labels[k] !== defaults[k]);
    this.registered = true;
    if (!node.spec?.podCIDR || missingLabels) {
      node = await nodes.update(undefined, {
        ...node,
        metadata: { ...node.metadata, labels: { ...labels, ...defaults } },
        spec: { ...node.spec, podCIDR: node.spec?.podCIDR || this.deps.node.podCIDR, podCIDRs: node.spec?.podCIDRs?.length ? node.spec.podCIDRs : [this.deps.node.podCIDR] },
      });
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

  private async samplePressure(): Promise<void> {
    try {
      this.pressure = pressureFrom(await (this.probe ?? noPressureProbe)());
    } catch (e) {
      // A failed measurement is no evidence of pressure: keep the last answer.
      this.logger.warn(`kubelet ${this.deps.node.name}: measuring node pressure: ${(e as Error).message}`);
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
    const cond = (type: string, isTrue: boolean, reason: string, message: string): NodeCondition => {
      const status = isTrue ? 'True' : 'False';
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
        this.pressure.memory
          ? cond('MemoryPressure', true, 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
          : cond('MemoryPressure', false, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        this.pressure.disk
          ? cond('DiskPressure', true, 'KubeletHasDiskPressure', 'kubelet has disk pressure')
          : cond('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        this.pressure.pid
          ? cond('PIDPressure', true, 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
          : cond('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
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

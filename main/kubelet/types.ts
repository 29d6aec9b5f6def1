// Contracts between the parts of the kubelet, so that they can be built and tested apart:
// the pod lifecycle core (kubelet.ts, pod workers, status manager) calls env resolution, the volume
// manager, the probe manager and the lifecycle-handler runner only through these interfaces.
import type { Container, LifecycleHandler, Pod, Probe } from '../../shared/api/pod';
import type { Clock } from '../client/clock';
import type { KubeClient } from '../client/client';
import type { ContainerInfo, ContainerRuntime, Mount } from '../runtime/runtime';

/** Lab-level timing knobs: Kubernetes defaults, possibly compressed by the lab's time scale. */
export interface KubeletTiming {
  /** NodeStatus/Lease renewal (Kubernetes: lease 10 s, nodeStatusReportFrequency 5 min). */
  leaseRenewMs: number;
  leaseDurationSeconds: number;
  nodeStatusUpdateMs: number;
  /** CrashLoopBackOff: first delay (Kubernetes 10 s), doubling to the cap (5 min), reset after 10 min running. */
  backoffBaseMs: number;
  backoffCapMs: number;
  backoffResetMs: number;
  /** Periodic resync of every pod (configMap/secret volume refresh; Kubernetes ~1 min + jitter). */
  podResyncMs: number;
}

export const DEFAULT_KUBELET_TIMING: KubeletTiming = {
  leaseRenewMs: 10_000,
  leaseDurationSeconds: 40,
  nodeStatusUpdateMs: 10_000,
  backoffBaseMs: 10_000,
  backoffCapMs: 300_000,
  backoffResetMs: 600_000,
  podResyncMs: 60_000,
};

/** One lab node: a kubelet in the main process. */
export interface NodeConfig {
  name: string;
  labels: Record<string, string>;
  /** Virtual capacity, Kubernetes quantities: cpu "4", memory "8Gi", pods "110", ephemeral-storage. */
  capacity: Record<string, string>;
  /** Pod IP range of this node inside the lab pod network, e.g. 10.244.1.0/24 (the IP tells the node). */
  podCIDR: string;
}

export interface KubeletDeps {
  node: NodeConfig;
  client: KubeClient;
  runtime: ContainerRuntime;
  clock: Clock;
  timing: KubeletTiming;
  /** Lab instance id (RuntimeLabels.lab) so two labs on one engine never touch each other. */
  labId: string;
  /** The lab pod network (a Docker bridge network) every sandbox joins. */
  podNetwork: string;
  pauseImage: string;
  /** Per-lab directory for volume files (configMap/secret/downwardAPI/emptyDir on the host). */
  dataDir: string;
}

/** Resolves a container's environment like the kubelet: env, envFrom, valueFrom, $(VAR) expansion. */
export interface EnvResolver {
  /**
   * Throws KubeletError('CreateContainerConfigError', message) when a required ConfigMap/Secret/key is missing.
   * `ips`: the sandbox's pod IPs and the node's host IPs, which the pod object does not carry yet when its
   * first containers start (Kubernetes passes them from the sandbox status the same way). Optional: without
   * them the resolver looks them up itself (sandbox by labels, node InternalIP).
   */
  resolve(pod: Pod, container: Container, ips?: { podIPs?: string[]; hostIPs?: string[] }): Promise<Array<{ name: string; value: string }>>;
}

/** Volumes of a pod, prepared before its sandbox starts and released after its containers are gone. */
export interface VolumeManager {
  /** Creates/refreshes the pod's volumes; throws KubeletError('CreateContainerConfigError'|'FailedMount', …). */
  setUp(pod: Pod): Promise<void>;
  /** Runtime mounts for one container (from its volumeMounts), after setUp. */
  mountsFor(pod: Pod, container: Container): Mount[];
  /** Re-writes projected files (configMap/secret/downwardAPI) whose sources changed, in place, atomically. */
  refresh(pod: Pod): Promise<void>;
  tearDown(podUid: string): Promise<void>;
}

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface ProbeResult {
  /** RFC 3339 time of the probe. */
  time: string;
  ok: boolean;
  latencyMs: number;
  message: string;
}

/** What the status manager needs from the prober for one running container instance. */
export interface ContainerProbeState {
  /** Readiness: true when no readiness probe is defined and the container has started. */
  ready: boolean;
  /** Startup: true when no startup probe is defined or it has succeeded. */
  started: boolean;
}

export interface ProbeManagerEvents {
  /** Readiness or startup changed: the status manager recomputes the pod's status. */
  onStateChange(podUid: string, containerName: string): void;
  /** Liveness (or startup) failed failureThreshold times: the kubelet kills and restarts the container. */
  onUnhealthy(pod: Pod, containerName: string, probeType: 'liveness' | 'startup', result: ProbeResult): void;
}

export interface ProbeManager {
  /** Starts the probe workers of a container instance that just started (keyed by runtime container id). */
  addContainer(pod: Pod, container: Container, info: ContainerInfo): void;
  removeContainer(podUid: string, containerName: string): void;
  removePod(podUid: string): void;
  state(podUid: string, containerName: string): ContainerProbeState;
  /** Bounded history (newest last) for the API/dashboard; survives container restarts of the same pod. */
  history(podUid: string, containerName: string, probeType: ProbeType): ProbeResult[];
}

/** The kubelet-managed /etc/hosts of a pod (in-cluster names; see hosts-file.ts). */
export interface PodHostsFile {
  /** Writes the pod's file and returns the mount for a container, or undefined to keep the engine's own. */
  mountFor(pod: Pod, podIP: string | undefined): Promise<Mount | undefined>;
  /** Keeps an already running pod's file current (adopted pods, IP known from the sandbox). */
  track(pod: Pod, podIP: string | undefined): Promise<unknown>;
  forget(podUid: string): void;
}

/** Runs lifecycle hooks (postStart/preStop) and probe handlers against a running container. */
export interface HandlerRunner {
  run(pod: Pod, container: Container, info: ContainerInfo, handler: LifecycleHandler | Probe, timeoutMs: number): Promise<ProbeResult>;
}

export type KubeletErrorReason =
  | 'CreateContainerConfigError'
  | 'CreateContainerError'
  | 'RunContainerError'
  | 'FailedMount'
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'ErrImageNeverPull'
  | 'InvalidImageName'
  | 'PostStartHookError';

/** A failure the kubelet reports on a container's waiting state (reason + message), as Kubernetes does. */
export class KubeletError extends Error {
  constructor(
    readonly reason: KubeletErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'KubeletError';
  }
}

// What the parts of one kubelet share: its dependencies, the helper components (env, volumes, probes,
// handlers — engineer P's, or the minimal defaults below until a lab passes its own) and its memory of
// why containers wait. One object per node, passed to pod-sync, container-start and pod-termination.
import type { Container, Pod } from '../../shared/api/pod';
import type { EventRecorder } from '../client/events';
import type { ContainerInfo, Mount } from '../runtime/runtime';
import type { Backoff } from './backoff';
import type { IpAllocator } from './ip-allocator';
import type { WaitingReason } from './pod-status';
import type { PodWorkers } from './pod-workers';
import type { StatusManager } from './status-manager';
import type {
  ContainerProbeState, EnvResolver, HandlerRunner, KubeletDeps, PodHostsFile, ProbeManager, ProbeManagerEvents, ProbeResult, ProbeType, VolumeManager,
} from './types';

/** The pluggable helpers; each has a minimal default so the core runs without them. */
export interface KubeletParts {
  env: EnvResolver;
  volumes: VolumeManager;
  /** Built by the kubelet, which passes its callbacks for readiness changes and liveness failures. */
  probes: (events: ProbeManagerEvents, recorder: EventRecorder) => ProbeManager;
  handlers: HandlerRunner;
  hosts: PodHostsFile;
}

export interface KubeletContext {
  deps: KubeletDeps;
  env: EnvResolver;
  volumes: VolumeManager;
  probes: ProbeManager;
  handlers: HandlerRunner;
  hosts: PodHostsFile;
  recorder: EventRecorder;
  ips: IpAllocator;
  crashBackoff: Backoff;
  imagePullBackoff: Backoff;
  /** Per pod uid: why each container waits (cleared when it starts). */
  waiting: Map<string, Map<string, WaitingReason>>;
  /** Last image pull failure per backoff key, for the ImagePullBackOff message. */
  pullFailures: Map<string, { at: number; message: string }>;
  /** Termination messages by runtime container id, read once after exit. */
  terminationMessages: Map<string, string>;
  /** Which container instance the prober watches, by `<pod uid>/<container>` (adopted ones included). */
  probed: Map<string, string>;
  /**
   * Pods (uids) where a container died since their last sync began: that sync reports the death
   * before it restarts anything, as the kubelet's SyncPod writes the API status first.
   */
  deaths: Set<string>;
  statuses: StatusManager;
  workers: PodWorkers;
  /** The node's InternalIP, every pod's hostIP. */
  hostIP: string;
  /** Delay before retrying a sync that failed for a reason without its own backoff. */
  retryMs: number;
}

export function waitingOf(ctx: KubeletContext, uid: string): Map<string, WaitingReason> {
  let m = ctx.waiting.get(uid);
  if (!m) ctx.waiting.set(uid, (m = new Map()));
  return m;
}

// ---- defaults used until the lab passes engineer P's implementations ----

export const literalEnvResolver: EnvResolver = {
  async resolve(_pod: Pod, container: Container) {
    return (container.env ?? []).filter((e) => e.value !== undefined).map((e) => ({ name: e.name, value: e.value ?? '' }));
  },
};

export const noVolumes: VolumeManager = {
  async setUp() {},
  mountsFor(): Mount[] {
    return [];
  },
  async refresh() {},
  async tearDown() {},
};

/** Without a prober, a started container counts as started and ready (Kubernetes' rule with no probes). */
export const noProbes = (): ProbeManager => ({
  addContainer() {},
  removeContainer() {},
  removePod() {},
  state(): ContainerProbeState {
    return { ready: true, started: true };
  },
  history(_uid: string, _name: string, _type: ProbeType): ProbeResult[] {
    return [];
  },
});

/** Without a handler runner, hooks "succeed" doing nothing (reported in the result message). */
export const noHandlers: HandlerRunner = {
  async run(_pod: Pod, _container: Container, _info: ContainerInfo) {
    return { time: new Date().toISOString(), ok: true, latencyMs: 0, message: 'lifecycle handlers are not available in this lab' };
  },
};

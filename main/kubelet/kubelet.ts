// One lab node's kubelet: registers the Node and renews its Lease, watches the pods bound to it
// (fieldSelector spec.nodeName), runs one serialized worker per pod, reacts to runtime events
// (die/oom update the status at once, no polling) and adopts what a previous run left running.
import type { Pod } from '../../shared/api/pod';
import { EventRecorder, type EventBroadcaster } from '../client/events';
import { SharedInformer } from '../client/informer';
import type { TimerHandle } from '../client/clock';
import type { ContainerInfo, RuntimeEvent } from '../runtime/runtime';
import { RuntimeLabels } from '../runtime/runtime';
import { Backoff } from './backoff';
import { KubeletFaultHooks } from './fault-hooks';
import { nodeAddressOf, IpAllocator } from './ip-allocator';
import { literalEnvResolver, noHandlers, noProbes, noVolumes, type KubeletContext, type KubeletParts } from './kubelet-context';
import { noHostsFile } from './hosts-file';
import { nodeSelector, podUidOf, roleOf } from './naming';
import { NodeStatusReporter } from './node-status';
import { killContainer, releasePod } from './pod-termination';
import { syncPod, writeStatus } from './pod-sync';
import { PodWorkers } from './pod-workers';
import { StatusManager } from './status-manager';
import type { KubeletDeps } from './types';

export interface KubeletLogger {
  warn(message: string): void;
}

export interface KubeletOptions {
  parts?: Partial<KubeletParts>;
  logger?: KubeletLogger;
  /** Retry delay for syncs that failed without a backoff of their own (default 2 s). */
  retryMs?: number;
  /** Shared by the lab's kubelets (lab-nodes.ts): one set of bounded event caches and queue, not one per node. */
  events?: EventBroadcaster;
}

export class Kubelet {
  readonly ctx: KubeletContext;
  readonly nodeStatus: NodeStatusReporter;
  /** PodFault hooks (probe overrides, image pull failures): the chaos package's only way in. */
  readonly faults: KubeletFaultHooks;
  private readonly informer: SharedInformer<Pod>;
  private readonly pods = new Map<string, Pod>();
  private readonly logger: KubeletLogger;
  private events?: { stop(): void };
  private resyncTimer?: TimerHandle;
  private started = false;
  private stopped = false;

  constructor(
    readonly deps: KubeletDeps,
    options: KubeletOptions = {},
  ) {
    this.logger = options.logger ?? { warn: (m) => console.warn(m) };
    const client = deps.client;
    const workers = new PodWorkers((uid) => this.sync(uid), deps.clock, this.logger);
    const backoff = { baseMs: deps.timing.backoffBaseMs, capMs: deps.timing.backoffCapMs, resetMs: deps.timing.backoffResetMs };
    const recorder = new EventRecorder(client, {
      component: 'kubelet',
      host: deps.node.name,
      clock: deps.clock,
      logger: this.logger,
      ...(options.events ? { broadcaster: options.events } : {}),
    });
    const probes = (options.parts?.probes ?? noProbes)(
      {
        onStateChange: (uid) => workers.enqueue(uid),
        onUnhealthy: (pod, containerName, probeType) => void this.restartUnhealthy(pod, containerName, probeType),
      },
      recorder,
    );
    this.ctx = {
      deps,
      env: options.parts?.env ?? literalEnvResolver,
      volumes: options.parts?.volumes ?? noVolumes,
      probes,
      handlers: options.parts?.handlers ?? noHandlers,
      hosts: options.parts?.hosts ?? noHostsFile,
      recorder,
      ips: new IpAllocator(deps.node.podCIDR),
      crashBackoff: new Backoff(deps.clock, backoff),
      // Image pulls: Kubernetes backs off from 10 s to 5 min as for crashes.
      imagePullBackoff: new Backoff(deps.clock, backoff),
      waiting: new Map(),
      pullFailures: new Map(),
      terminationMessages: new Map(),
      probed: new Map(),
      deaths: new Set(),
      statuses: new StatusManager(client),
      workers,
      hostIP: nodeAddressOf(deps.node.podCIDR),
      retryMs: options.retryMs ?? 2000,
    };
    this.faults = new KubeletFaultHooks(this.ctx);
    this.nodeStatus = new NodeStatusReporter(deps, this.logger);
    this.informer = new SharedInformer<Pod>(client.pods<Pod>(), {
      fieldSelector: `spec.nodeName=${deps.node.name}`,
      clock: deps.clock,
      logger: this.logger,
    });
  }

  get nodeName(): string {
    return this.deps.node.name;
  }

  /** Registers the node, adopts or removes what runs, then syncs every pod bound here. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.nodeStatus.start();
    this.events = this.deps.runtime.watchEvents({
      onEvent: (e) => this.onRuntimeEvent(e),
      onResync: () => void this.resyncAll(),
      onError: (e) => this.logger.warn(`kubelet ${this.nodeName}: runtime events: ${e.message}`),
    });
    this.informer.addEventHandler({
      onAdd: (pod) => this.track(pod),
      onUpdate: (old, pod) => this.track(pod, old),
      onDelete: (pod) => {
        const uid = pod.metadata.uid ?? '';
        this.pods.delete(uid);
        this.ctx.workers.enqueue(uid);
      },
    });
    this.informer.start();
    await this.informer.waitForSync();
    if (this.stopped) return;
    await this.removeOrphans();
    this.resyncTimer = this.deps.clock.setInterval(() => void this.resyncAll(), this.deps.timing.podResyncMs);
  }

  /** Stops watching and heartbeating; running containers keep running (the next start adopts them). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.resyncTimer?.cancel();
    this.events?.stop();
    this.informer.stop();
    this.ctx.workers.stop();
    await this.ctx.workers.waitAllIdle();
    await this.nodeStatus.stop();
    await this.ctx.recorder.flush().catch(() => undefined);
  }

  /** The node is removed from the lab: stop, then remove every container it ran. */
  async removeNode(): Promise<void> {
    await this.stop();
    const all = await this.deps.runtime.listContainers(nodeSelector(this.deps.labId, this.nodeName));
    const byUid = groupByPod(all);
    await Promise.all([...byUid].map(([uid, containers]) => releasePod(this.ctx, uid, containers)));
  }

  /** Pods this kubelet knows, by uid (tests, dashboard). */
  podByUid(uid: string): Pod | undefined {
    return this.pods.get(uid);
  }

  /** Resolves when no pod sync runs (tests). */
  waitIdle(): Promise<void> {
    return this.ctx.workers.waitAllIdle();
  }

  private track(pod: Pod, old?: Pod): void {
    const uid = pod.metadata.uid ?? '';
    this.pods.set(uid, pod);
    // Status-only updates (mostly our own writes) need no sync, as in the kubelet's pod config source.
    if (old && old.metadata.uid === uid && !specChanged(old, pod)) return;
    this.ctx.workers.enqueue(uid);
  }

  private sync(uid: string): Promise<void> {
    return syncPod(this.ctx, uid, this.pods.get(uid));
  }

  private onRuntimeEvent(e: RuntimeEvent): void {
    if (e.labels[RuntimeLabels.lab] !== this.deps.labId || e.labels[RuntimeLabels.node] !== this.nodeName) return;
    // Only what the kubelet did not cause itself: deaths and removals (its own starts would just re-sync).
    if (e.type !== 'die' && e.type !== 'oom' && e.type !== 'destroy') return;
    const uid = e.labels[RuntimeLabels.podUid];
    if (!uid) return;
    if (e.type !== 'destroy') this.ctx.deaths.add(uid);
    this.ctx.workers.enqueue(uid);
  }

  /** Containers of pods this node no longer has (deleted while the lab was away, or re-created under a new uid). */
  private async removeOrphans(): Promise<void> {
    const all = await this.deps.runtime.listContainers(nodeSelector(this.deps.labId, this.nodeName));
    for (const [uid, containers] of groupByPod(all)) {
      if (this.pods.has(uid)) {
        const sandbox = containers.find((c) => roleOf(c) === 'sandbox' && c.ip);
        if (sandbox?.ip) this.ctx.ips.reserve(uid, sandbox.ip);
        continue;
      }
      this.ctx.workers.enqueue(uid);
    }
  }

  private async resyncAll(): Promise<void> {
    if (this.stopped) return;
    for (const uid of this.pods.keys()) this.ctx.workers.enqueue(uid);
    await this.removeOrphans().catch((e: unknown) => this.logger.warn(`kubelet ${this.nodeName}: resync: ${(e as Error).message}`));
    this.ctx.crashBackoff.gc();
    this.ctx.imagePullBackoff.gc();
  }

  private async restartUnhealthy(pod: Pod, containerName: string, probeType: 'liveness' | 'startup'): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const current = this.pods.get(uid);
    if (!current || current.metadata.deletionTimestamp) return;
    const containers = await this.deps.runtime.listContainers({
      ...nodeSelector(this.deps.labId, this.nodeName),
      [RuntimeLabels.podUid]: uid,
      [RuntimeLabels.container]: containerName,
    });
    const running = containers.filter((c) => c.state === 'running');
    const grace = current.spec?.terminationGracePeriodSeconds ?? 30;
    const message = `Container ${containerName} failed ${probeType} probe, will be restarted`;
    await Promise.all(running.map((c) => killContainer(this.ctx, current, c, grace, message)));
    await writeStatus(this.ctx, current).catch(() => undefined);
  }
}

function specChanged(a: Pod, b: Pod): boolean {
  const view = (p: Pod): string =>
    JSON.stringify([p.spec, p.metadata.labels, p.metadata.annotations, p.metadata.deletionTimestamp, p.metadata.deletionGracePeriodSeconds]);
  return view(a) !== view(b);
}

function groupByPod(containers: ContainerInfo[]): Map<string, ContainerInfo[]> {
  const byUid = new Map<string, ContainerInfo[]>();
  for (const c of containers) {
    const uid = podUidOf(c);
    if (!uid) continue;
    byUid.set(uid, [...(byUid.get(uid) ?? []), c]);
  }
  return byUid;
}

// Pod garbage collector (kube-controller-manager's podgc, 1.32): every gc period it force-deletes
// (grace 0) what no kubelet will ever finish:
//  - pods bound to a Node that no longer exists (after a quarantine, confirmed by a live GET), first
//    marked Failed with DisruptionTarget "PodGC: node no longer exists";
//  - terminating pods on a NotReady node tainted node.kubernetes.io/out-of-service (the user vouches it is off);
//  - terminating pods that were never scheduled;
//  - finished pods beyond --terminated-pod-gc-threshold, evicted ones and the oldest first.
import { isNotFound } from '../../shared/api/errors';
import type { Node } from '../../shared/api/node';
import type { Pod, PodCondition } from '../../shared/api/pod';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock, type TimerHandle } from '../client/clock';
import { NODES, PODS } from '../client/gvr';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { KUBERNETES_CONTROL_PLANE_DEFAULTS, type PodGcTiming } from '../lab-timing';

export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export interface PodGcOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  timing?: PodGcTiming;
  logger?: { warn(message: string): void };
}

const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Finished pods to delete so that at most `threshold` remain: evicted first, then the oldest. */
export function terminatedPodsOverThreshold(pods: Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isTerminal);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  const evicted = (p: Pod): number => (p.status?.reason === 'Evicted' ? 0 : 1);
  const created = (p: Pod): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return terminated
    .sort((a, b) => evicted(a) - evicted(b) || created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
    .slice(0, excess);
}

export class PodGcController {
  private readonly clock: Clock;
  private readonly timing: PodGcTiming;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly logger: { warn(message: string): void };
  /** Node names pods point at but the cache lacks, with when that was first seen (the quarantine). */
  private readonly missingSince = new Map<string, number>();
  private timer?: TimerHandle;
  private running?: Promise<void>;

  constructor(private readonly options: PodGcOptions) {
    this.clock = options.clock ?? new RealClock();
    this.timing = options.timing ?? {
      periodMs: KUBERNETES_CONTROL_PLANE_DEFAULTS.podGcPeriodMs,
      quarantineMs: KUBERNETES_CONTROL_PLANE_DEFAULTS.podGcQuarantineMs,
      terminatedPodThreshold: KUBERNETES_CONTROL_PLANE_DEFAULTS.terminatedPodGcThreshold,
    };
    this.logger = options.logger ?? { warn: (m) => console.warn(m) };
    this.pods = options.informers.informerFor<Pod>(PODS);
    this.nodes = options.informers.informerFor<Node>(NODES);
  }

  start(): void {
    this.timer = this.clock.setInterval(() => void this.gc(), this.timing.periodMs);
  }

  stop(): void {
    this.timer?.cancel();
  }

  /** One collection pass (passes never overlap). */
  gc(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    if (!this.pods.hasSynced() || !this.nodes.hasSynced()) return;
    const pods = this.pods.lister.list();
    for (const pod of terminatedPodsOverThreshold(pods, this.timing.terminatedPodThreshold)) await this.forceDelete(pod);
    for (const pod of pods) {
      if (!pod.metadata.deletionTimestamp || isTerminal(pod)) continue;
      const nodeName = pod.spec?.nodeName;
      if (!nodeName) await this.forceDelete(pod);
      else if (this.outOfService(nodeName)) await this.markFailedAndDelete(pod, 'DeletionByPodGC', 'PodGC: node is out of service');
    }
    await this.gcOrphaned(pods);
  }

  private outOfService(nodeName: string): boolean {
    const node = this.nodes.lister.get(undefined, nodeName);
    if (!node) return false;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return !ready && (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE && t.effect === 'NoExecute');
  }

  private async gcOrphaned(pods: Pod[]): Promise<void> {
    const now = this.clock.nowMs();
    const missing = new Set<string>();
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName;
      if (nodeName && !this.nodes.lister.get(undefined, nodeName)) missing.add(nodeName);
    }
    for (const name of [...this.missingSince.keys()]) if (!missing.has(name)) this.missingSince.delete(name);
    const deleted = new Set<string>();
    for (const name of missing) {
      const since = this.missingSince.get(name) ?? now;
      this.missingSince.set(name, since);
      if (now - since < this.timing.quarantineMs) continue;
      // The cache may lag a re-created node: ask the API before deleting anything.
      try {
        await this.options.client.nodes<Node>().get(undefined, name);
        this.missingSince.delete(name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        deleted.add(name);
      }
    }
    for (const pod of pods) {
      if (pod.spec?.nodeName && deleted.has(pod.spec.nodeName)) await this.markFailedAndDelete(pod, 'DeletionByPodGC', 'PodGC: node no longer exists');
    }
  }

  /** markFailedAndDeletePodWithCondition: a pod that never finished ends Failed, with the reason why. */
  private async markFailedAndDelete(pod: Pod, reason: string, message: string): Promise<void> {
    const pods = this.options.client.pods<Pod>();
    try {
      if (!isTerminal(pod)) {
        const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason, message, lastProbeTime: null, lastTransitionTime: rfc3339(this.clock.nowMs()) };
        const status = structuredClone(pod.status ?? {});
        status.phase = 'Failed';
        status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), condition];
        await pods.updateStatus(pod.metadata.namespace, { ...structuredClone(pod), status });
      }
    } catch (e) {
      if (isNotFound(e)) return;
      this.logger.warn(`pod-garbage-collector: marking ${pod.metadata.namespace}/${pod.metadata.name} Failed: ${(e as Error).message}`);
    }
    await this.forceDelete(pod);
  }

  private async forceDelete(pod: Pod): Promise<void> {
    try {
      await this.options.client.pods<Pod>().delete(pod.metadata.namespace, pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) this.logger.warn(`pod-garbage-collector: deleting ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`);
    }
  }
}

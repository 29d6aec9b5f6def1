// The taint eviction controller (the "taint manager", pkg/controller/tainteviction): a pod on a node with
// NoExecute taints it does not tolerate is deleted at once; one tolerating them with tolerationSeconds is
// deleted when the shortest of those runs out. Level-triggered: the deadline is re-derived on every sync
// from each taint's timeAdded (first sight when a taint has none), so a restart keeps it; timers from the
// injected Clock only bring the pod back to sync.
import { isConflict, isNotFound } from '../../../shared/api/errors';
import type { Node, Taint } from '../../../shared/api/node';
import type { Pod, PodCondition, Toleration } from '../../../shared/api/pod';
import type { KubeClient } from '../../client/client';
import type { Clock, TimerHandle } from '../../client/clock';
import type { EventRecorder } from '../../client/events';
import { indexByNodeName, metaNamespaceKey, NODE_NAME_INDEX, splitMetaNamespaceKey, type IndexFunc } from '../../client/indexer';
import type { SharedInformer } from '../../client/informer';
import { runWorkers, WorkQueue } from '../../client/workqueue';
import { tolerates } from '../../scheduler/node-match';
import { rfc3339, TAINT_NOT_READY, TAINT_UNREACHABLE } from './node-state';

export interface TaintEvictionOptions {
  client: KubeClient;
  nodes: SharedInformer<Node>;
  pods: SharedInformer<Pod>;
  clock: Clock;
  recorder: EventRecorder;
  workers?: number;
}

/** When a pod must go: now (an untolerated taint), at a time, or never (tolerated forever / no taint). */
export type EvictionDecision = { at: 'now' } | { at: number } | { at: 'never' };

/**
 * getMinTolerationTime over the tolerations used: all NoExecute taints must be tolerated; the pod may
 * stay until the earliest (taint timeAdded + tolerationSeconds) among tolerations that set seconds.
 */
export function evictionDecision(taints: Taint[], tolerations: Toleration[] | undefined, addedAt: (taint: Taint) => number): EvictionDecision {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return { at: 'never' };
  let deadline = Infinity;
  for (const taint of noExecute) {
    const matching = (tolerations ?? []).filter((tol) => tolerates(tol, taint));
    if (matching.length === 0) return { at: 'now' };
    for (const tol of matching) {
      if (tol.tolerationSeconds === undefined || tol.tolerationSeconds === null) continue;
      if (tol.tolerationSeconds <= 0) return { at: 'now' };
      deadline = Math.min(deadline, addedAt(taint) + tol.tolerationSeconds * 1000);
    }
  }
  return Number.isFinite(deadline) ? { at: deadline } : { at: 'never' };
}

export const DISRUPTION_TARGET_BY_TAINT_MANAGER: PodCondition = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
};

const taintId = (node: string, t: Taint): string => `${node}\u0000${t.key}\u0000${t.value ?? ''}`;

export class TaintEvictionController {
  private readonly queue: WorkQueue<string>;
  private readonly timers = new Map<string, { at: number; handle: TimerHandle }>();
  /** First sight of NoExecute taints without timeAdded (e.g. some kubectl versions), per node+key+value. */
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly options: TaintEvictionOptions) {
    this.queue = new WorkQueue<string>({ name: 'taint-eviction', clock: options.clock });
    options.pods.addIndexers({ [NODE_NAME_INDEX]: indexByNodeName as IndexFunc<Pod> });
    const enqueuePod = (pod: Pod): void => this.queue.add(metaNamespaceKey(pod));
    options.pods.addEventHandler({
      onAdd: enqueuePod,
      onUpdate: (old, pod) => {
        if (old.spec?.nodeName !== pod.spec?.nodeName || JSON.stringify(old.spec?.tolerations) !== JSON.stringify(pod.spec?.tolerations) || !!pod.metadata.deletionTimestamp !== !!old.metadata.deletionTimestamp) enqueuePod(pod);
      },
      onDelete: (pod) => this.cancel(metaNamespaceKey(pod)),
    });
    options.nodes.addEventHandler({
      onAdd: (node) => this.enqueueNode(node),
      onUpdate: (old, node) => {
        if (JSON.stringify(effectiveNoExecuteTaints(old)) !== JSON.stringify(effectiveNoExecuteTaints(node))) this.enqueueNode(node);
      },
      onDelete: (node) => this.enqueueNode(node),
    });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 2, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
  }

  /** The time a pending eviction of this pod is due (tests, dashboard). */
  scheduledEviction(key: string): number | undefined {
    return this.timers.get(key)?.at;
  }

  private enqueueNode(node: Node): void {
    for (const pod of this.options.pods.lister.byIndex(NODE_NAME_INDEX, node.metadata.name ?? '')) this.queue.add(metaNamespaceKey(pod));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pod = this.options.pods.lister.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || pod.metadata.deletionTimestamp) {
      this.cancel(key);
      return;
    }
    const node = this.options.nodes.lister.get(undefined, nodeName);
    const taints = node ? effectiveNoExecuteTaints(node) : [];
    const now = this.options.clock.nowMs();
    const decision = evictionDecision(taints, pod.spec?.tolerations, (t) => this.addedAt(nodeName, t, now));
    if (decision.at === 'never') {
      this.cancel(key, pod);
      return;
    }
    if (decision.at === 'now' || decision.at <= now) {
      this.cancel(key);
      await this.evict(pod);
      return;
    }
    this.schedule(key, decision.at);
  }

  private addedAt(nodeName: string, taint: Taint, now: number): number {
    const stamped = taint.timeAdded ? Date.parse(taint.timeAdded) : NaN;
    if (Number.isFinite(stamped)) return stamped;
    const id = taintId(nodeName, taint);
    if (!this.firstSeen.has(id)) this.firstSeen.set(id, now);
    return this.firstSeen.get(id)!;
  }

  private schedule(key: string, at: number): void {
    const existing = this.timers.get(key);
    if (existing?.at === at) return;
    existing?.handle.cancel();
    const handle = this.options.clock.setTimeout(() => {
      this.timers.delete(key);
      this.queue.add(key);
    }, at - this.options.clock.nowMs());
    this.timers.set(key, { at, handle });
  }

  /** Drops a pending eviction; says so on the pod when one was scheduled and the pod stays. */
  private cancel(key: string, pod?: Pod): void {
    const existing = this.timers.get(key);
    if (!existing) return;
    existing.handle.cancel();
    this.timers.delete(key);
    if (pod) this.options.recorder.eventf(pod, 'Normal', 'TaintManagerEviction', 'Cancelling deletion of Pod %s', key);
  }

  private async evict(cached: Pod): Promise<void> {
    const key = metaNamespaceKey(cached);
    const pods = this.options.client.pods<Pod>();
    let pod = cached;
    try {
      // As Kubernetes 1.26+: say why before deleting, so controllers and users can tell a disruption.
      // The cache is often a write behind (MarkPodsNotReady just wrote): on conflict, re-read and retry.
      for (let attempt = 0; ; attempt++) {
        const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
        conditions.push({ ...DISRUPTION_TARGET_BY_TAINT_MANAGER, lastProbeTime: null, lastTransitionTime: rfc3339(this.options.clock.nowMs()) });
        try {
          await pods.updateStatus(pod.metadata.namespace, { ...structuredClone(pod), status: { ...structuredClone(pod.status ?? {}), conditions } });
          break;
        } catch (e) {
          if (!isConflict(e) || attempt >= 4) throw e;
          pod = await pods.get(pod.metadata.namespace, pod.metadata.name ?? '');
          if (pod.metadata.uid !== cached.metadata.uid || pod.metadata.deletionTimestamp) return;
        }
      }
      this.options.recorder.eventf(pod, 'Normal', 'TaintManagerEviction', 'Marking for deletion Pod %s', key);
      await pods.delete(pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: cached.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export function noExecuteTaints(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * The NoExecute taints to act on. A not-ready/unreachable taint on a node whose kubelet reports Ready is
 * stale — left from before a lab restart, with an old timeAdded — and the node lifecycle controller is
 * about to lift it: evicting for it would empty a healthy node.
 */
export function effectiveNoExecuteTaints(node: Node): Taint[] {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return noExecuteTaints(node).filter((t) => !(ready && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE)));
}

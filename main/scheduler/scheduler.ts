// The scheduling loop: one pod at a time through filters and scores against the cache, then an
// asynchronous binding (as kube-scheduler's binding cycle) so the next pod is decided while the
// previous binding is still being written. The pod is "assumed" on its node in between.
import { isConflict, isNotFound } from '../../shared/api/errors';
import type { Node } from '../../shared/api/node';
import type { Pod, PodCondition } from '../../shared/api/pod';
import type { Service } from '../../shared/api/service';
import type { KubeClient } from '../client/client';
import type { Clock } from '../client/clock';
import type { EventRecorder } from '../client/events';
import { NODES, PODS, SERVICES } from '../client/gvr';
import type { HandlerRegistration, SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { metaNamespaceKey } from '../client/indexer';
import { SchedulerCache, type NodeInfo } from './cache';
import { buildDecision, DECISION_ANNOTATION, DECISION_MAX_SCORED, fitErrorMessage, parseDecision, sameDecision, type Decision } from './explain';
import { ERR_NO_NODES, preFilter, runFilters, type FilterFailure } from './filters';
import { buildPodInfo, type PodInfo } from './pod-info';
import { SchedulingQueue, type QueueOptions } from './queue';
import { scoreNodes, type ScoreContext, type ScorePluginName } from './scores';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerLogger {
  warn(message: string): void;
}

export interface SchedulerConfig {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock: Clock;
  recorder: EventRecorder;
  schedulerName?: string;
  /** Tie-break among equally scored nodes (kube-scheduler picks at random). */
  random?: () => number;
  logger?: SchedulerLogger;
  queue?: Omit<QueueOptions, 'clock'>;
  /** Bindings written concurrently before the loop waits for one to finish. */
  maxInFlightBindings?: number;
}

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

// Only what scheduling reads: a node's heartbeat must not wake every pending pod.
function nodeSchedulingKey(node: Node): string {
  return JSON.stringify([node.metadata.labels, node.spec?.taints, node.spec?.unschedulable, node.status?.allocatable ?? node.status?.capacity]);
}

// What a user can change on a pending pod that may make it fit; our own status and annotation
// writes are not among them (else every failure would trigger its own retry).
function podSchedulingKey(pod: Pod): string {
  return JSON.stringify([pod.spec, pod.metadata.labels]);
}

/**
 * Indices of the `k` highest totals except `skip`, highest first, ties by lower index — what a stable
 * sort of all indices by total would start with, without sorting every feasible node for each pod.
 */
export function topByTotal(totals: number[], k: number, skip: number): number[] {
  const top: number[] = [];
  if (k <= 0) return top;
  for (let i = 0; i < totals.length; i++) {
    if (i === skip) continue;
    const t = totals[i];
    if (top.length === k && t <= totals[top[k - 1]]) continue;
    let at = top.length;
    while (at > 0 && totals[top[at - 1]] < t) at--;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly services: SharedInformer<Service>;
  private readonly registrations: HandlerRegistration[] = [];
  private readonly schedulerName: string;
  private readonly random: () => number;
  private readonly logger: SchedulerLogger;
  private readonly bindings = new Set<Promise<void>>();
  private stopped = false;
  private loop?: Promise<void>;
  private readonly controllerZones = (uid: string): ReadonlyMap<string, number> | undefined => this.cache.zones.zonesOf(uid);
  /** Attempts made (for tests and the benchmark). */
  attempts = 0;

  constructor(private readonly config: SchedulerConfig) {
    this.schedulerName = config.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.random = config.random ?? Math.random;
    this.logger = config.logger ?? { warn: (m) => console.warn(m) };
    this.queue = new SchedulingQueue({ clock: config.clock, ...config.queue });
    this.pods = config.informers.informerFor<Pod>(PODS);
    this.nodes = config.informers.informerFor<Node>(NODES);
    this.services = config.informers.informerFor<Service>(SERVICES);
    this.registrations.push(
      this.nodes.addEventHandler({
        onAdd: (node) => {
          this.cache.upsertNode(node);
          this.queue.moveAllToActiveOrBackoff();
        },
        onUpdate: (old, node) => {
          this.cache.upsertNode(node);
          if (nodeSchedulingKey(old) !== nodeSchedulingKey(node)) this.queue.moveAllToActiveOrBackoff();
        },
        onDelete: (node) => this.cache.removeNode(node.metadata.name ?? ''),
      }),
      this.pods.addEventHandler({
        onAdd: (pod) => this.onPod(undefined, pod),
        onUpdate: (old, pod) => this.onPod(old, pod),
        onDelete: (pod) => this.onPodDeleted(pod),
      }),
    );
  }

  start(): void {
    for (const informer of [this.nodes, this.pods, this.services]) informer.start();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.close();
    for (const r of this.registrations) r.remove();
    await this.loop;
    await Promise.allSettled([...this.bindings]);
  }

  private responsible(pod: Pod): boolean {
    return (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.schedulerName;
  }

  private onPod(old: Pod | undefined, pod: Pod): void {
    const key = metaNamespaceKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      this.queue.delete(key);
      if (isTerminal(pod)) {
        // A finished pod's requests are free again: that may be what a parked pod waits for.
        this.cache.removePod(key);
        if (old && !isTerminal(old)) this.queue.moveAllToActiveOrBackoff();
      } else {
        this.cache.addOrUpdateBoundPod(this.cache.confirmable(key, pod) ?? buildPodInfo(pod), nodeName);
      }
      return;
    }
    const gated = (pod.spec?.schedulingGates?.length ?? 0) > 0;
    if (!this.responsible(pod) || pod.metadata.deletionTimestamp || isTerminal(pod) || gated) {
      this.queue.delete(key);
      return;
    }
    if (old && old.spec?.nodeName === undefined && this.queue.has(key) && podSchedulingKey(old) === podSchedulingKey(pod)) return;
    this.queue.add(key, pod.spec?.priority ?? 0);
  }

  private onPodDeleted(pod: Pod): void {
    const key = metaNamespaceKey(pod);
    this.queue.delete(key);
    if (pod.spec?.nodeName || this.cache.isAssumed(key)) {
      this.cache.removePod(key);
      this.queue.moveAllToActiveOrBackoff();
    }
  }

  private async run(): Promise<void> {
    await Promise.all([this.nodes.waitForSync(), this.pods.waitForSync(), this.services.waitForSync()]);
    let sinceYield = 0;
    for (;;) {
      const key = await this.queue.pop();
      if (key === undefined || this.stopped) return;
      try {
        this.scheduleOne(key);
      } catch (error) {
        this.logger.warn(`scheduler: attempt for pod ${key} failed: ${(error as Error)?.stack ?? String(error)}`);
        this.queue.requeueBackoff(key);
      }
      // Let watch events, timers and I/O in: a long active queue must not starve the process.
      if (++sinceYield >= 64) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const max = this.config.maxInFlightBindings ?? 256;
      while (this.bindings.size >= max) await Promise.race(this.bindings);
    }
  }

  private scheduleOne(key: string): void {
    const pod = this.pods.indexer.getByKey(key);
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || !this.responsible(pod) || this.cache.isAssumed(key)) {
      this.queue.done(key);
      return;
    }
    this.attempts++;
    const info = buildPodInfo(pod);
    const nodes = this.cache.nodeList();
    if (nodes.length === 0) {
      this.failed(pod, ERR_NO_NODES, undefined);
      return;
    }
    const state = preFilter(info, nodes);
    const feasible: NodeInfo[] = [];
    const failed = new Map<string, FilterFailure>();
    for (const node of nodes) {
      const failure = runFilters(state, node);
      if (failure) failed.set(node.name, failure);
      else feasible.push(node);
    }
    const time = rfc3339(this.config.clock.nowMs());
    if (feasible.length === 0) {
      const message = fitErrorMessage(pod, nodes.length, [...failed.values()]);
      this.failed(pod, message, buildDecision({ time, result: 'Unschedulable', message, failed, feasible: [] }));
      return;
    }
    let chosen = feasible[0];
    let scored: { name: string; scores?: Partial<Record<ScorePluginName, number>>; total?: number }[] = [{ name: chosen.name }];
    // With one feasible node there is nothing to compare (kube-scheduler skips scoring too).
    if (feasible.length > 1) {
      const { byPlugin, totals } = scoreNodes(info, feasible, nodes, this.scoreContext(info));
      const best = this.selectHost(totals);
      chosen = feasible[best];
      // Only the nodes the annotation can list get their per-plugin scores spelled out.
      const listed = [best, ...topByTotal(totals, DECISION_MAX_SCORED - 1, best)];
      const plugins = Object.entries(byPlugin) as [ScorePluginName, number[]][];
      scored = listed.map((i) => {
        const scores: Partial<Record<ScorePluginName, number>> = {};
        for (const [name, values] of plugins) scores[name] = values[i];
        return { name: feasible[i].name, scores, total: totals[i] };
      });
    }
    this.cache.assumePod(info, chosen.name);
    const decision = buildDecision({ time, result: 'Scheduled', node: chosen.name, failed, feasible: scored, feasibleCount: feasible.length });
    this.bind(pod, info, chosen.name, decision);
  }

  /** Index of the highest total; ties broken uniformly at random (reservoir sampling). */
  private selectHost(totals: number[]): number {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best] && this.random() * ++ties < 1) {
        best = i;
      }
    }
    return best;
  }

  /** The pod's workload for default spreading: its controller and the services selecting it. */
  private scoreContext(info: PodInfo): ScoreContext {
    const selecting = this.services.lister
      .listNamespace(info.namespace)
      .map((s) => s.spec?.selector)
      .filter((sel): sel is Record<string, string> => !!sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => info.labels[k] === v));
    const controller = info.controllerUid;
    if (!controller && selecting.length === 0) return { spreadByControllerOnly: false };
    return {
      controllerZones: this.controllerZones,
      spreadMatcher: (p) =>
        p.namespace === info.namespace &&
        (!controller || p.controllerUid === controller) &&
        selecting.every((sel) => Object.entries(sel).every(([k, v]) => p.labels[k] === v)),
      spreadByControllerOnly: selecting.length === 0,
    };
  }

  private bind(pod: Pod, info: PodInfo, nodeName: string, decision: Decision): void {
    const namespace = info.namespace;
    const name = pod.metadata.name ?? '';
    const body = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, uid: pod.metadata.uid, annotations: { [DECISION_ANNOTATION]: JSON.stringify(decision) } },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    const p = this.config.client
      .pods()
      .createSubresource(namespace, name, 'binding', body)
      .then(
        () => {
          this.config.recorder.eventf(pod, 'Normal', 'Scheduled', 'Successfully assigned %s/%s to %s', namespace, name, nodeName);
          this.queue.done(info.key);
        },
        (error: unknown) => {
          this.cache.forgetPod(info.key);
          // Gone, or bound by someone else meanwhile: nothing left to schedule.
          if (isNotFound(error) || isConflict(error)) {
            this.queue.done(info.key);
            return;
          }
          const message = `Binding rejected: ${(error as Error)?.message ?? String(error)}`;
          this.config.recorder.event(pod, 'Warning', 'FailedScheduling', message);
          this.queue.requeueBackoff(info.key);
          this.queue.moveAllToActiveOrBackoff();
        },
      )
      .finally(() => this.bindings.delete(p));
    this.bindings.add(p);
  }

  private failed(pod: Pod, message: string, decision: Decision | undefined): void {
    const key = metaNamespaceKey(pod);
    this.config.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    this.queue.requeueUnschedulable(key);
    void this.writeFailure(pod, message, decision).catch((error: unknown) => {
      if (!isNotFound(error)) this.logger.warn(`scheduler: could not record why pod ${key} is unschedulable: ${(error as Error)?.message ?? String(error)}`);
    });
  }

  private async writeFailure(pod: Pod, message: string, decision: Decision | undefined): Promise<void> {
    const namespace = pod.metadata.namespace;
    const name = pod.metadata.name ?? '';
    const pods = this.config.client.pods<Pod>();
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (!current || current.status !== 'False' || current.reason !== 'Unschedulable' || current.message !== message) {
      const condition: PodCondition = {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(this.config.clock.nowMs()),
        reason: 'Unschedulable',
        message,
      };
      await pods.patchSubresource(namespace, name, 'status', 'application/strategic-merge-patch+json', {
        metadata: { uid: pod.metadata.uid },
        status: { conditions: [condition] },
      });
    }
    const previous = parseDecision(pod);
    const next = decision ?? { time: rfc3339(this.config.clock.nowMs()), result: 'Unschedulable' as const, message, evaluated: 0, feasible: 0, nodes: {} };
    if (!sameDecision(previous, next)) {
      await pods.patch(namespace, name, 'application/merge-patch+json', {
        metadata: { uid: pod.metadata.uid, annotations: { [DECISION_ANNOTATION]: JSON.stringify(next) } },
      });
    }
  }
}

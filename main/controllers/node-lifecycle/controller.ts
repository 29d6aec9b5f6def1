// Node lifecycle controller (kube-controller-manager 1.32, pkg/controller/nodelifecycle). Every
// nodeMonitorPeriod it checks each Node's heartbeats — its Lease in kube-node-lease and its Ready
// condition's lastHeartbeatTime — and a node silent for longer than the grace period gets its kubelet
// conditions set to Unknown, an event "Node X status is now: NodeNotReady", and its pods' Ready condition
// set to False (MarkPodsNotReady) so Services stop sending them traffic. Taints follow the conditions
// (TaintNodesByCondition NoSchedule taints; not-ready/unreachable NoExecute taints for taint-based
// eviction, rate-limited and paused when a whole zone fails), and the taint eviction controller deletes
// the pods that do not tolerate them. When the kubelet posts again the taints go.
import type { Lease } from '../../../shared/api/coordination';
import type { Node } from '../../../shared/api/node';
import type { Pod } from '../../../shared/api/pod';
import { isConflict, isNotFound } from '../../../shared/api/errors';
import type { KubeClient } from '../../client/client';
import { RealClock, type Clock, type TimerHandle } from '../../client/clock';
import { EventRecorder } from '../../client/events';
import { LEASES, NODES, PODS } from '../../client/gvr';
import { indexByNodeName, NODE_NAME_INDEX, type IndexFunc } from '../../client/indexer';
import type { SharedInformer } from '../../client/informer';
import type { SharedInformerFactory } from '../../client/informer-factory';
import { runWorkers, WorkQueue } from '../../client/workqueue';
import type { NodeLifecycleTiming } from '../../lab-timing';
import { KUBERNETES_CONTROL_PLANE_DEFAULTS } from '../../lab-timing';
import {
  desiredNoExecuteKey,
  desiredNoScheduleKeys,
  nodeCondition,
  nodeZone,
  readyStatus,
  reconcileTaints,
  rfc3339,
  silentNodeConditions,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  zoneState,
  type ZoneState,
} from './node-state';
import { TaintEvictionController } from './taint-eviction';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export const KUBERNETES_NODE_LIFECYCLE_TIMING: NodeLifecycleTiming = {
  nodeMonitorGracePeriodMs: KUBERNETES_CONTROL_PLANE_DEFAULTS.nodeMonitorGracePeriodMs,
  nodeMonitorPeriodMs: KUBERNETES_CONTROL_PLANE_DEFAULTS.nodeMonitorPeriodMs,
  nodeStartupGracePeriodMs: KUBERNETES_CONTROL_PLANE_DEFAULTS.nodeStartupGracePeriodMs,
  nodeEvictionRate: KUBERNETES_CONTROL_PLANE_DEFAULTS.nodeEvictionRate,
};

export interface NodeLifecycleOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  timing?: NodeLifecycleTiming;
  workers?: number;
  logger?: { warn(message: string): void };
}

interface NodeHealth {
  /** Heartbeat stamps last seen: the Ready condition's lastHeartbeatTime and the Lease's renewTime. */
  stamp: string;
  /** Controller time when a stamp last changed (Kubernetes' probeTimestamp: the kubelet's clock is not trusted). */
  probeMs: number;
}

export class NodeLifecycleController {
  readonly taintEviction: TaintEvictionController;
  private readonly clock: Clock;
  private readonly timing: NodeLifecycleTiming;
  private readonly nodes: SharedInformer<Node>;
  private readonly leases: SharedInformer<Lease>;
  private readonly pods: SharedInformer<Pod>;
  private readonly taintQueue: WorkQueue<string>;
  private readonly recorder: EventRecorder;
  private readonly logger: { warn(message: string): void };
  private readonly health = new Map<string, NodeHealth>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private lastNoExecuteTaintMs = -Infinity;
  private monitorTimer?: TimerHandle;
  private monitoring?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: NodeLifecycleOptions) {
    this.clock = options.clock ?? new RealClock();
    this.timing = options.timing ?? KUBERNETES_NODE_LIFECYCLE_TIMING;
    this.logger = options.logger ?? { warn: (m) => console.warn(m) };
    this.nodes = options.informers.informerFor<Node>(NODES);
    this.leases = options.informers.informerFor<Lease>(LEASES, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = options.informers.informerFor<Pod>(PODS, { indexers: { [NODE_NAME_INDEX]: indexByNodeName as IndexFunc<Pod> } });
    this.recorder = new EventRecorder(options.client, { component: 'node-controller', clock: this.clock, logger: this.logger });
    this.taintQueue = new WorkQueue<string>({ name: 'node-lifecycle-taints', clock: this.clock });
    this.nodes.addEventHandler({
      onAdd: (node) => this.taintQueue.add(node.metadata.name ?? ''),
      onUpdate: (_old, node) => this.taintQueue.add(node.metadata.name ?? ''),
      onDelete: (node) => this.health.delete(node.metadata.name ?? ''),
    });
    this.taintEviction = new TaintEvictionController({
      client: options.client,
      nodes: this.nodes,
      pods: this.pods,
      clock: this.clock,
      recorder: new EventRecorder(options.client, { component: 'taint-eviction-controller', clock: this.clock, logger: this.logger }),
      workers: options.workers,
    });
  }

  start(): void {
    runWorkers(this.taintQueue, 1, (name) => this.syncTaints(name), this.logger);
    this.taintEviction.start();
    this.monitorTimer = this.clock.setInterval(() => void this.monitorNodeHealth(), this.timing.nodeMonitorPeriodMs);
  }

  stop(): void {
    this.stopped = true;
    this.monitorTimer?.cancel();
    this.taintQueue.shutDown();
    this.taintEviction.stop();
  }

  /** One pass over every node (runs every nodeMonitorPeriod; passes never overlap). */
  monitorNodeHealth(): Promise<void> {
    this.monitoring ??= this.monitorPass().finally(() => (this.monitoring = undefined));
    return this.monitoring;
  }

  private async monitorPass(): Promise<void> {
    const counts = new Map<string, { ready: number; notReady: number }>();
    for (const cached of this.nodes.lister.list()) {
      if (this.stopped) return;
      let ready: string | undefined;
      try {
        ready = await this.updateNodeHealth(cached);
      } catch (e) {
        ready = readyStatus(cached);
        if (!isNotFound(e)) this.logger.warn(`node-lifecycle: node ${cached.metadata.name}: ${(e as Error).message}`);
      }
      const zone = nodeZone(cached);
      const c = counts.get(zone) ?? { ready: 0, notReady: 0 };
      if (ready === 'True') c.ready++;
      else c.notReady++;
      counts.set(zone, c);
    }
    this.zoneStates.clear();
    for (const [zone, c] of counts) this.zoneStates.set(zone, zoneState(c.ready, c.notReady));
    for (const node of this.nodes.lister.list()) this.taintQueue.add(node.metadata.name ?? '');
  }

  /** tryUpdateNodeHealth + MarkPodsNotReady; answers the node's Ready status afterwards. */
  private async updateNodeHealth(node: Node): Promise<string | undefined> {
    const name = node.metadata.name ?? '';
    const now = this.clock.nowMs();
    const ready = nodeCondition(node, 'Ready');
    const lease = this.leases.lister.get(NODE_LEASE_NAMESPACE, name);
    const stamp = `${ready?.lastHeartbeatTime ?? ''}|${lease?.spec?.renewTime ?? ''}`;
    let health = this.health.get(name);
    if (!health || health.stamp !== stamp) {
      health = { stamp, probeMs: now };
      this.health.set(name, health);
    }
    const grace = ready ? this.timing.nodeMonitorGracePeriodMs : this.timing.nodeStartupGracePeriodMs;
    let status = ready?.status;
    if (now - health.probeMs > grace) {
      const conditions = silentNodeConditions(node, now);
      if (conditions) {
        await this.options.client.nodes<Node>().updateStatus(undefined, { ...structuredClone(node), status: { ...structuredClone(node.status ?? {}), conditions } });
        if (ready?.status === 'True') {
          // RecordNodeStatusChange: Kubernetes refers to the node with its name as uid.
          this.recorder.eventf({ kind: 'Node', apiVersion: 'v1', name, uid: name }, 'Normal', 'NodeNotReady', 'Node %s status is now: %s', name, 'NodeNotReady');
        }
        status = 'Unknown';
      }
    }
    // Level-triggered MarkPodsNotReady: while the kubelet is silent nobody else would correct its pods.
    if (status === 'Unknown') await this.markPodsNotReady(name);
    return status;
  }

  private async markPodsNotReady(nodeName: string): Promise<void> {
    for (const cached of this.pods.lister.byIndex(NODE_NAME_INDEX, nodeName)) {
      let pod: Pod | undefined = cached;
      // The cache may be a write behind (the taint manager's DisruptionTarget): on conflict, re-read once.
      for (let attempt = 0; pod && attempt < 2; attempt++) {
        const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
        if (!ready || ready.status === 'False' || pod.spec?.nodeName !== nodeName) break;
        const copy = structuredClone(pod);
        const cond = copy.status!.conditions!.find((c) => c.type === 'Ready')!;
        cond.status = 'False';
        cond.lastTransitionTime = rfc3339(this.clock.nowMs());
        cond.lastProbeTime = null;
        try {
          await this.options.client.pods<Pod>().updateStatus(pod.metadata.namespace, copy);
          this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
          break;
        } catch (e) {
          if (isNotFound(e)) break;
          if (!isConflict(e) || attempt > 0) {
            this.logger.warn(`node-lifecycle: marking pod ${pod.metadata.namespace}/${pod.metadata.name} not ready: ${(e as Error).message}`);
            break;
          }
          pod = await this.options.client.pods<Pod>().get(pod.metadata.namespace, pod.metadata.name ?? '').catch(() => undefined);
        }
      }
    }
  }

  /** NoSchedule taints from conditions; not-ready/unreachable NoExecute taints, rate-limited per Kubernetes. */
  async syncTaints(name: string): Promise<void> {
    const node = this.nodes.lister.get(undefined, name);
    if (!node) return;
    const now = this.clock.nowMs();
    const current = (node.spec?.taints ?? []).find((t) => t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE))?.key;
    let noExecute = desiredNoExecuteKey(node);
    const states = [...this.zoneStates.values()];
    if (states.length > 0 && states.every((s) => s === 'FullDisruption')) {
      // Every node silent at once: more likely the control plane lost them than they all died. Kubernetes
      // stops evicting and lifts the NoExecute taints until one node is back.
      noExecute = undefined;
    } else if (noExecute && !current) {
      const zone = this.zoneStates.get(nodeZone(node)) ?? 'Initial';
      const intervalMs = this.timing.nodeEvictionRate > 0 ? 1000 / this.timing.nodeEvictionRate : Infinity;
      if (zone === 'PartialDisruption' || zone === 'Initial' || now - this.lastNoExecuteTaintMs < intervalMs) {
        // Not now (rate limit, a largely failed zone, or before the first health pass): keep what is there.
        noExecute = current;
        this.taintQueue.addAfter(name, Math.min(this.timing.nodeMonitorPeriodMs, Number.isFinite(intervalMs) ? intervalMs : this.timing.nodeMonitorPeriodMs));
      } else {
        this.lastNoExecuteTaintMs = now;
      }
    }
    const taints = reconcileTaints(node, desiredNoScheduleKeys(node), noExecute, now);
    if (!taints) return;
    try {
      await this.options.client.nodes<Node>().update(undefined, { ...structuredClone(node), spec: { ...structuredClone(node.spec ?? {}), taints } });
    } catch (e) {
      if (noExecute && !current) this.lastNoExecuteTaintMs = -Infinity;
      if (!isNotFound(e)) throw e;
    }
  }
}

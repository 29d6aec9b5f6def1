// DaemonSet controller (k8s pkg/controller/daemon): one pod on every node that should run it (node
// selector, required node affinity, taints against the pod's tolerations plus the ones Kubernetes adds to
// daemon pods). Pods are pinned to their node with required node affinity on metadata.name, so the
// scheduler places them. Follows nodes being added, removed and relabelled. RollingUpdate replaces pods
// of an old template while at most maxUnavailable daemon pods are unavailable; OnDelete waits for the user.
import { isConflict, isNotFound } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import type { Node } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';
import type { DaemonSet, DaemonSetStatus } from '../../shared/api/workloads';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { DAEMONSETS, NODES, PODS } from '../client/gvr';
import { indexByOwnerUid, metaNamespaceKey, OWNER_UID_INDEX, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { nodeOfDaemonPod, nodeShouldRunDaemonPod, newDaemonPod, REVISION_LABEL, revisionOf, scaledIntOrPercent } from './daemonset-util';
import { ControllerExpectations, controllerRefOf, isPodAvailable, isPodReady } from './deployment/pods';
import { ControllerHistory, REVISION_HASH_LABEL } from './statefulset-history';
import { sameValue } from './statefulset-util';

export interface DaemonSetControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  workers?: number;
}

const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class DaemonSetController {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly sets: SharedInformer<DaemonSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly recorder: EventRecorder;
  private readonly expectations: ControllerExpectations;
  private readonly history: ControllerHistory;

  constructor(private readonly options: DaemonSetControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: 'daemonset-controller', clock: this.clock });
    this.expectations = new ControllerExpectations(this.clock);
    this.recorder = new EventRecorder(options.client, { component: 'daemonset-controller', clock: this.clock });
    this.sets = options.informers.informerFor<DaemonSet>(DAEMONSETS);
    this.pods = options.informers.informerFor<Pod>(PODS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
    this.nodes = options.informers.informerFor<Node>(NODES);
    this.history = new ControllerHistory(options.client, options.informers, 'DaemonSet');
    const enqueue = (s: KubeObject): void => this.queue.add(metaNamespaceKey(s));
    this.sets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: (s) => this.expectations.delete(metaNamespaceKey(s)) });
    this.pods.addEventHandler({
      onAdd: (p) => this.podEvent(p, 'add'),
      onUpdate: (_o, p) => this.podEvent(p, p.metadata.deletionTimestamp ? 'delete' : 'update'),
      onDelete: (p) => this.podEvent(p, 'delete'),
    });
    // Which daemons belong on a node depends on its labels, taints and existence: look at every set.
    const allSets = (): void => { for (const s of this.sets.lister.list()) enqueue(s); };
    this.nodes.addEventHandler({
      onAdd: allSets,
      onUpdate: (o, n) => {
        if (!sameValue(o.metadata.labels, n.metadata.labels) || !sameValue(o.spec, n.spec)) allSets();
      },
      onDelete: allSets,
    });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 2, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  private podEvent(pod: Pod, what: 'add' | 'update' | 'delete'): void {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'DaemonSet') return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    if (what === 'add') this.expectations.creationObserved(key);
    if (what === 'delete') this.expectations.deletionObserved(key, metaNamespaceKey(pod));
    this.queue.add(key);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const ds = this.sets.lister.get(namespace, name);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const owned = this.pods.lister.byIndex(OWNER_UID_INDEX, ds.metadata.uid!).filter((p) => controllerRefOf(p)?.uid === ds.metadata.uid);
    const byNode = new Map<string, Pod[]>();
    for (const p of owned) {
      const node = nodeOfDaemonPod(p);
      if (node) byNode.set(node, [...(byNode.get(node) ?? []), p]);
    }
    const nodes = this.nodes.lister.list();
    if (ds.metadata.deletionTimestamp) {
      await this.writeStatus(ds, nodes, byNode, ds.status?.collisionCount ?? 0, revisionOf(ds));
      return;
    }
    // constructHistory: the revision of the current template; its hash label is what the pods carry.
    const { update, revisions, collisionCount } = await this.history.sync(ds);
    const hash = update.metadata.labels?.[REVISION_HASH_LABEL] ?? this.history.nameFor(ds, ds.spec?.template, collisionCount).hash;
    if (this.expectations.satisfied(key)) await this.manage(key, ds, nodes, byNode, hash);
    await this.writeStatus(ds, nodes, byNode, collisionCount, hash);
    const live = new Set([hash, ...owned.map((p) => p.metadata.labels?.[REVISION_LABEL] ?? '')]);
    await this.history.truncate(ds, revisions, (r) => live.has(r.metadata.labels?.[REVISION_HASH_LABEL] ?? ''));
  }

  private async manage(key: string, ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string): Promise<void> {
    const create: string[] = [];
    const remove: Pod[] = [];
    const known = new Set(nodes.map((n) => n.metadata.name!));
    for (const node of nodes) {
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(ds, node);
      const pods = (byNode.get(node.metadata.name!) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      if (shouldRun && pods.length === 0) create.push(node.metadata.name!);
      else if (!shouldContinueRunning) remove.push(...pods);
      else if (shouldContinueRunning) {
        // A failed daemon pod is replaced (Kubernetes does this with a backoff); extra pods go, oldest stays.
        const failed = pods.filter(isTerminal);
        for (const f of failed) {
          this.recorder.event({ ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' }, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${f.metadata.namespace}/${f.metadata.name} on node ${node.metadata.name}, will try to kill it`);
        }
        remove.push(...failed);
        const alive = pods.filter((p) => !isTerminal(p)).sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
        // During a surge rollout a node may hold one old and one updated pod; otherwise only one stays.
        const surging = surgeOf(ds, 1) > 0;
        const keep = surging
          ? [alive.find((p) => p.metadata.labels?.[REVISION_LABEL] === hash), alive.find((p) => p.metadata.labels?.[REVISION_LABEL] !== hash)].filter((p): p is Pod => !!p)
          : alive.slice(0, 1);
        remove.push(...alive.filter((p) => !keep.includes(p)));
        if (shouldRun && alive.length === 0 && failed.length) create.push(node.metadata.name!);
      }
    }
    // The node is gone: its daemon pods go too (the lab has no separate pod GC for this).
    for (const [node, pods] of byNode) if (!known.has(node)) remove.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    if (!create.length && !remove.length) {
      const step = this.rollingUpdate(ds, nodes, byNode, hash);
      create.push(...step.create);
      remove.push(...step.remove);
    }
    await this.apply(key, ds, create, remove, hash);
  }

  /**
   * RollingUpdate (k8s daemon/update.go). Without surge: old-template pods that are unavailable go first,
   * then available ones while fewer than maxUnavailable nodes lack an available pod. With maxSurge: an
   * updated pod starts beside the old one on up to maxSurge nodes at a time, and the old pod goes once
   * the updated one is available.
   */
  private rollingUpdate(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string): { create: string[]; remove: Pod[] } {
    const strategy = ds.spec?.updateStrategy;
    const none = { create: [], remove: [] };
    if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return none;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const now = this.clock.nowMs();
    const eligible = nodes.filter((n) => nodeShouldRunDaemonPod(ds, n).shouldRun);
    const available = (p: Pod | undefined): boolean => !!p && isPodAvailable(p, minReady, now);
    const podsOn = (n: Node): Pod[] => (byNode.get(n.metadata.name!) ?? []).filter((p) => !p.metadata.deletionTimestamp && !isTerminal(p));
    const maxSurge = surgeOf(ds, eligible.length);
    if (maxSurge > 0) {
      const create: string[] = [];
      const remove: Pod[] = [];
      let surging = eligible.filter((n) => podsOn(n).length > 1).length;
      for (const node of eligible) {
        const pods = podsOn(node);
        const old = pods.find((p) => p.metadata.labels?.[REVISION_LABEL] !== hash);
        const updated = pods.find((p) => p.metadata.labels?.[REVISION_LABEL] === hash);
        if (!old) continue;
        if (updated) {
          if (available(updated)) remove.push(old);
          continue;
        }
        if (!available(old)) create.push(node.metadata.name!);
        else if (surging < maxSurge) {
          create.push(node.metadata.name!);
          surging++;
        }
      }
      return { create, remove };
    }
    let maxUnavailable = scaledIntOrPercent(strategy?.rollingUpdate?.maxUnavailable, eligible.length, 1);
    if (maxUnavailable === 0) maxUnavailable = 1;
    let unavailable = 0;
    const oldAvailable: Pod[] = [];
    const victims: Pod[] = [];
    for (const node of eligible) {
      const pod = podsOn(node)[0];
      if (!available(pod)) unavailable++;
      if (!pod || pod.metadata.labels?.[REVISION_LABEL] === hash) continue;
      if (available(pod)) oldAvailable.push(pod);
      else victims.push(pod);
    }
    const terminating = eligible.filter((n) => (byNode.get(n.metadata.name!) ?? []).some((p) => p.metadata.deletionTimestamp)).length;
    const budget = maxUnavailable - unavailable - terminating;
    return { create: [], remove: [...victims, ...oldAvailable.slice(0, Math.max(0, budget))] };
  }

  private async apply(key: string, ds: DaemonSet, create: string[], remove: Pod[], hash: string): Promise<void> {
    if (!create.length && !remove.length) return;
    // Only creations are tracked: a repeated delete on a stale cache is a harmless NotFound.
    this.expectations.expectCreations(key, create.length);
    const target: KubeObject = { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' };
    const errors: unknown[] = [];
    await Promise.all(create.map(async (node) => {
      try {
        const pod = await this.options.client.pods<Pod>().create(ds.metadata.namespace, newDaemonPod(ds, node, hash));
        this.recorder.event(target, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      } catch (e) {
        this.expectations.creationObserved(key);
        this.recorder.event(target, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        errors.push(e);
      }
    }));
    await Promise.all(remove.map(async (pod) => {
      try {
        await this.options.client.pods().delete(pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
        this.recorder.event(target, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) errors.push(e);
      }
    }));
    if (errors.length) throw errors[0];
  }

  private async writeStatus(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, collisionCount: number, hash: string): Promise<void> {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const now = this.clock.nowMs();
    const status: DaemonSetStatus = {
      currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0,
      updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0, observedGeneration: ds.metadata.generation,
    };
    let waitForAvailability = false;
    for (const node of nodes) {
      const { shouldRun } = nodeShouldRunDaemonPod(ds, node);
      const pods = (byNode.get(node.metadata.name!) ?? []).filter((p) => !p.metadata.deletionTimestamp && !isTerminal(p));
      if (shouldRun) status.desiredNumberScheduled++;
      if (!pods.length) continue;
      if (!shouldRun) {
        status.numberMisscheduled++;
        continue;
      }
      status.currentNumberScheduled++;
      // Mid-surge a node holds two pods; the updated one is the node's daemon.
      const pod = pods.find((p) => p.metadata.labels?.[REVISION_LABEL] === hash) ?? pods[0];
      if (isPodReady(pod)) {
        status.numberReady++;
        if (isPodAvailable(pod, minReady, now)) status.numberAvailable!++;
        else waitForAvailability = true;
      }
      if (pod.metadata.labels?.[REVISION_LABEL] === hash) status.updatedNumberScheduled!++;
    }
    status.numberUnavailable = status.desiredNumberScheduled - status.numberAvailable!;
    if (waitForAvailability) this.queue.addAfter(metaNamespaceKey(ds), minReady * 1000);
    if (ds.status?.collisionCount !== undefined || collisionCount > 0) status.collisionCount = collisionCount;
    if (ds.status?.conditions) status.conditions = ds.status.conditions;
    if (sameValue(ds.status ?? {}, status)) return;
    await this.options.client.daemonSets<DaemonSet>().updateStatus(ds.metadata.namespace, { ...cloneObject(ds), status })
      .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
  }
}

/** rollingUpdate.maxSurge of `total` nodes (percentages round up); 0 for OnDelete or when unset. */
function surgeOf(ds: DaemonSet, total: number): number {
  const strategy = ds.spec?.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return 0;
  return scaledIntOrPercent(strategy?.rollingUpdate?.maxSurge, total, 0);
}

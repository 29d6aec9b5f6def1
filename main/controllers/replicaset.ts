// ReplicaSet controller (k8s pkg/controller/replicaset), also serving v1 ReplicationControllers through
// the same code path: keep exactly spec.replicas active pods matching the selector. Pods are adopted and
// released through controller ownerReferences; creations go out in slow-start batches and are tracked
// by expectations so a sync running before the informer saw its own creates does not create twice.
import { isNotFound } from '../../shared/api/errors';
import { labelSelectorAsSelector, type LabelSelector, type LabelSelectorObject } from '../../shared/api/labels';
import type { GroupVersionResource, KubeObject, OwnerReference } from '../../shared/api/meta';
import type { Pod, PodTemplateSpec } from '../../shared/api/pod';
import type { ReplicaSet, ReplicaSetStatus, WorkloadCondition } from '../../shared/api/workloads';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { PODS, REPLICASETS } from '../client/gvr';
import { indexByOwnerUid, metaNamespaceKey, OWNER_UID_INDEX, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { ControllerExpectations, controllerRefOf, isPodActive, isPodAvailable, isPodReady, podsToDelete } from './deployment/pods';

export const REPLICATIONCONTROLLERS: GroupVersionResource = Object.freeze({ group: '', version: 'v1', resource: 'replicationcontrollers' });

/** kube-controller-manager's burstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

/** What differs between ReplicaSets and ReplicationControllers. */
interface WorkloadKind {
  gvr: GroupVersionResource;
  apiVersion: string;
  kind: string;
  component: string;
  selectorOf(o: ReplicaSet): LabelSelector;
}

const REPLICA_SET_KIND: WorkloadKind = {
  gvr: REPLICASETS,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  selectorOf: (o) => labelSelectorAsSelector(o.spec?.selector as LabelSelectorObject | undefined),
};

const REPLICATION_CONTROLLER_KIND: WorkloadKind = {
  gvr: REPLICATIONCONTROLLERS,
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: 'replication-controller',
  // An RC's selector is a plain map, defaulted from the template labels by the apiserver.
  selectorOf: (o) => {
    const map = (o.spec?.selector ?? o.spec?.template?.metadata?.labels) as Record<string, string> | undefined;
    return labelSelectorAsSelector(map && Object.keys(map).length ? { matchLabels: map } : undefined);
  },
};

export interface ReplicaSetControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  workers?: number;
  /** Serve v1 ReplicationControllers instead of apps/v1 ReplicaSets. */
  replicationControllers?: boolean;
  recorder?: EventRecorder;
  burstReplicas?: number;
}

export class ReplicaSetController {
  readonly queue: WorkQueue<string>;
  readonly expectations: ControllerExpectations;
  private readonly kind: WorkloadKind;
  private readonly clock: Clock;
  private readonly sets: SharedInformer<ReplicaSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly burst: number;

  constructor(private readonly options: ReplicaSetControllerOptions) {
    this.kind = options.replicationControllers ? REPLICATION_CONTROLLER_KIND : REPLICA_SET_KIND;
    this.clock = options.clock ?? new RealClock();
    this.burst = options.burstReplicas ?? BURST_REPLICAS;
    this.expectations = new ControllerExpectations(this.clock);
    this.queue = new WorkQueue<string>({ name: this.kind.component, clock: this.clock });
    this.recorder = options.recorder ?? new EventRecorder(options.client, { component: this.kind.component, clock: this.clock });
    this.sets = options.informers.informerFor<ReplicaSet>(this.kind.gvr);
    this.pods = options.informers.informerFor<Pod>(PODS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
    this.sets.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (_old, rs) => this.enqueue(rs),
      onDelete: (rs) => {
        this.expectations.delete(metaNamespaceKey(rs));
        this.enqueue(rs);
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (pod) => this.podDeleted(pod),
    });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 5, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  private enqueue(rs: KubeObject): void {
    this.queue.add(metaNamespaceKey(rs));
  }

  /** The set named by a pod's controller reference, if it is one of ours and still the same object. */
  private ownerOf(pod: Pod, ref = controllerRefOf(pod)): ReplicaSet | undefined {
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const rs = this.sets.lister.get(pod.metadata.namespace, ref.name);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  /** Sets whose selector matches an orphan pod (any of them may adopt it). */
  private matchingSets(pod: Pod): ReplicaSet[] {
    return this.sets.lister.listNamespace(pod.metadata.namespace ?? '').filter((rs) => this.kind.selectorOf(rs).matches(pod.metadata.labels));
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const ref = controllerRefOf(pod);
    if (ref) {
      const rs = this.ownerOf(pod, ref);
      if (!rs) return;
      this.expectations.creationObserved(metaNamespaceKey(rs));
      return this.enqueue(rs);
    }
    for (const rs of this.matchingSets(pod)) this.enqueue(rs);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      // A graceful delete: the pod no longer counts, so act now rather than at its final removal.
      this.podDeleted(pod);
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const previous = this.ownerOf(old, oldRef);
      if (previous) this.enqueue(previous);
    }
    if (ref) {
      const rs = this.ownerOf(pod, ref);
      if (!rs) return;
      this.enqueue(rs);
      // Becoming ready starts the minReadySeconds wait; look again once it is over.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(metaNamespaceKey(rs), minReady * 1000 + 1);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
    if (labelsChanged || oldRef) for (const rs of this.matchingSets(pod)) this.enqueue(rs);
  }

  private podDeleted(pod: Pod): void {
    const rs = this.ownerOf(pod);
    if (!rs) return;
    const key = metaNamespaceKey(rs);
    this.expectations.deletionObserved(key, metaNamespaceKey(pod));
    this.enqueue(rs);
  }


  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const rs = this.sets.lister.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = this.kind.selectorOf(rs);
    const candidates = this.pods.lister.listNamespace(namespace ?? '').filter(isPodActive);
    const pods = await this.claimPods(rs, selector, candidates);
    let manageError: { reason: string; error: Error } | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) manageError = await this.manageReplicas(key, rs, pods);
    const status = this.calculateStatus(rs, pods, manageError);
    const fresh = await this.updateStatus(rs, status);
    const minReady = rs.spec?.minReadySeconds ?? 0;
    if (!manageError && fresh && minReady > 0 && fresh.status?.readyReplicas === rs.spec?.replicas && fresh.status?.availableReplicas !== rs.spec?.replicas) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageError) throw manageError.error;
  }

  /** ControllerRefManager.ClaimPods: adopt matching orphans, release owned pods that stopped matching. */
  private async claimPods(rs: ReplicaSet, selector: LabelSelector, candidates: Pod[]): Promise<Pod[]> {
    const claimed: Pod[] = [];
    const uid = rs.metadata.uid!;
    const podsClient = this.options.client.pods<Pod>();
    for (const pod of candidates) {
      const ref = controllerRefOf(pod);
      const matches = selector.matches(pod.metadata.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) {
          claimed.push(pod);
          continue;
        }
        if (rs.metadata.deletionTimestamp) continue;
        // Released: drop only our reference, guarded by the pod's uid so a recreated pod is untouched.
        const patch = { metadata: { uid: pod.metadata.uid, ownerReferences: [{ $patch: 'delete', uid }] } };
        await podsClient
          .patch(pod.metadata.namespace, pod.metadata.name!, 'application/strategic-merge-patch+json', patch)
          .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
        continue;
      }
      if (!matches || rs.metadata.deletionTimestamp || pod.metadata.deletionTimestamp) continue;
      const owner: OwnerReference = { apiVersion: this.kind.apiVersion, kind: this.kind.kind, name: rs.metadata.name!, uid, controller: true, blockOwnerDeletion: true };
      const patch = { metadata: { uid: pod.metadata.uid, ownerReferences: [owner] } };
      try {
        claimed.push(await podsClient.patch(pod.metadata.namespace, pod.metadata.name!, 'application/strategic-merge-patch+json', patch));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return claimed;
  }

  private async manageReplicas(key: string, rs: ReplicaSet, pods: Pod[]): Promise<{ reason: string; error: Error } | undefined> {
    const desired = rs.spec?.replicas ?? 1;
    const diff = pods.length - desired;
    if (diff < 0) {
      const count = Math.min(-diff, this.burst);
      this.expectations.expectCreations(key, count);
      const { created, error } = await slowStartBatch(count, 1, () => this.createPod(rs));
      // Creations that never went out will never be observed.
      for (let i = created; i < count; i++) this.expectations.creationObserved(key);
      return error ? { reason: 'FailedCreate', error } : undefined;
    }
    if (diff > 0) {
      const related = this.relatedPods(rs);
      const victims = podsToDelete(pods, related, Math.min(diff, this.burst));
      this.expectations.expectDeletions(key, victims.map((p) => metaNamespaceKey(p)));
      const results = await Promise.all(victims.map((pod) => this.deletePod(key, rs, pod)));
      const error = results.find((e) => e !== undefined);
      return error ? { reason: 'FailedDelete', error } : undefined;
    }
    return undefined;
  }

  /** Pods of every set sharing this set's controller (one Deployment's ReplicaSets), for node spreading. */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerRefOf(rs);
    if (!owner) return this.pods.lister.byIndex(OWNER_UID_INDEX, rs.metadata.uid!);
    const siblings = this.sets.lister.listNamespace(rs.metadata.namespace ?? '').filter((s) => controllerRefOf(s)?.uid === owner.uid);
    return siblings.flatMap((s) => this.pods.lister.byIndex(OWNER_UID_INDEX, s.metadata.uid!)).filter(isPodActive);
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    const template: PodTemplateSpec = cloneObject(rs.spec?.template ?? {});
    const meta = template.metadata ?? {};
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        ...(meta.labels ? { labels: meta.labels } : {}),
        ...(meta.annotations ? { annotations: meta.annotations } : {}),
        ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
        ownerReferences: [{ apiVersion: this.kind.apiVersion, kind: this.kind.kind, name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: template.spec,
    };
    const target = this.eventTarget(rs);
    try {
      const created = await this.options.client.pods<Pod>().create(rs.metadata.namespace, pod);
      this.recorder.event(target, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (e) {
      this.recorder.event(target, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
      throw e;
    }
  }

  private async deletePod(key: string, rs: ReplicaSet, pod: Pod): Promise<Error | undefined> {
    const target = this.eventTarget(rs);
    try {
      await this.options.client.pods().delete(pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
      this.recorder.event(target, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      return undefined;
    } catch (e) {
      // Not coming: the deletion the expectations wait for will never be observed.
      this.expectations.deletionObserved(key, metaNamespaceKey(pod));
      if (isNotFound(e)) return undefined;
      this.recorder.event(target, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
      return e as Error;
    }
  }

  // Cached objects from a watch carry kind/apiVersion; a cache filled by list may not, so set them.
  private eventTarget(rs: ReplicaSet): KubeObject {
    return { ...rs, apiVersion: this.kind.apiVersion, kind: this.kind.kind };
  }

  private calculateStatus(rs: ReplicaSet, pods: Pod[], manageError?: { reason: string; error: Error }): ReplicaSetStatus {
    const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const now = this.clock.nowMs();
    let fullyLabeled = 0;
    let ready = 0;
    let available = 0;
    for (const pod of pods) {
      if (Object.entries(templateLabels).every(([k, v]) => pod.metadata.labels?.[k] === v)) fullyLabeled++;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
    }
    let conditions: WorkloadCondition[] = (rs.status?.conditions ?? []).map((c) => ({ ...c }));
    const failure = conditions.find((c) => c.type === 'ReplicaFailure');
    if (manageError && !failure) {
      const lastTransitionTime = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
      conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime, reason: manageError.reason, message: manageError.error.message });
    } else if (!manageError && failure) {
      conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
    }
    const status: ReplicaSetStatus = {
      replicas: pods.length,
      fullyLabeledReplicas: fullyLabeled,
      readyReplicas: ready,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation,
    };
    if (conditions.length) status.conditions = conditions;
    return status;
  }

  /** Writes status when it changed; on a conflict re-reads once, as the k8s controller does. */
  private async updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSet | undefined> {
    const current = rs.status;
    if (current && sameStatus(current, status)) return rs;
    const client = this.options.client.resource<ReplicaSet>(this.kind.gvr);
    let base = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await client.updateStatus(base.metadata.namespace, { ...cloneObject(base), status });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        if (attempt >= 1) throw e;
        base = await client.get(rs.metadata.namespace, rs.metadata.name!);
        if (base.metadata.uid !== rs.metadata.uid) return undefined;
      }
    }
  }
}

function sameStatus(a: ReplicaSetStatus, b: ReplicaSetStatus): boolean {
  return (
    a.replicas === b.replicas &&
    (a.fullyLabeledReplicas ?? 0) === b.fullyLabeledReplicas &&
    (a.readyReplicas ?? 0) === b.readyReplicas &&
    (a.availableReplicas ?? 0) === b.availableReplicas &&
    a.observedGeneration === b.observedGeneration &&
    JSON.stringify(a.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}

/**
 * Kubernetes' slowStartBatch: calls fn in batches of 1, 2, 4, … so a template the apiserver rejects
 * costs one failed call, not hundreds. Stops after the first batch with an error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ created: number; error?: Error }> {
  let remaining = count;
  let created = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    created += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { created, error: failed.reason as Error };
    remaining -= batch;
  }
  return { created };
}

export function newReplicationControllerController(options: Omit<ReplicaSetControllerOptions, 'replicationControllers'>): ReplicaSetController {
  return new ReplicaSetController({ ...options, replicationControllers: true });
}

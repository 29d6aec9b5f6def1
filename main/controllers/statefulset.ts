// StatefulSet controller (k8s pkg/controller/statefulset): pods with stable names `<set>-<ordinal>`, each
// with its own PersistentVolumeClaims from volumeClaimTemplates (created before the pod, kept when the pod
// goes). OrderedReady creates in ordinal order, each Running and Ready before the next, and removes in
// reverse; Parallel does both at once. RollingUpdate replaces pods from the highest ordinal down to the
// partition, one at a time, each Ready before the next; OnDelete only uses the new template for pods the
// user deletes.
import { isAlreadyExists, isConflict, isNotFound } from '../../shared/api/errors';
import { labelSelectorAsSelector, type LabelSelectorObject } from '../../shared/api/labels';
import type { KubeObject, OwnerReference } from '../../shared/api/meta';
import type { Pod, PodTemplateSpec } from '../../shared/api/pod';
import type { PersistentVolumeClaim } from '../../shared/api/storage';
import type { StatefulSet, StatefulSetStatus } from '../../shared/api/workloads';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { PERSISTENTVOLUMECLAIMS, PODS, STATEFULSETS } from '../client/gvr';
import { indexByOwnerUid, metaNamespaceKey, OWNER_UID_INDEX, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { controllerRefOf, isPodAvailable, isPodReady } from './deployment/pods';
import {
  claimsFor, isRunning, isTerminated, newStatefulPod, ordinalOf, podRevision, replicasOf, sameValue, startOrdinal,
} from './statefulset-util';
import { ControllerHistory, templateOfRevision } from './statefulset-history';

export interface StatefulSetControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  workers?: number;
}

const runningAndReady = (p: Pod): boolean => isRunning(p) && isPodReady(p) && !p.metadata.deletionTimestamp;

export class StatefulSetController {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly sets: SharedInformer<StatefulSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly recorder: EventRecorder;
  /** The sets' ControllerRevisions: a pod below the partition is recreated from the current revision's template. */
  private readonly history: ControllerHistory;

  constructor(private readonly options: StatefulSetControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: 'statefulset-controller', clock: this.clock });
    this.recorder = new EventRecorder(options.client, { component: 'statefulset-controller', clock: this.clock });
    this.sets = options.informers.informerFor<StatefulSet>(STATEFULSETS);
    this.pods = options.informers.informerFor<Pod>(PODS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
    this.claims = options.informers.informerFor<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS);
    this.history = new ControllerHistory(options.client, options.informers, 'StatefulSet');
    // A revision deleted by hand (or by someone else's cleanup) is recreated for the set that owns it.
    this.history.informer.addEventHandler({ onDelete: (r) => {
      const ref = controllerRefOf(r as unknown as Pod);
      if (ref?.kind === 'StatefulSet') this.queue.add(`${r.metadata.namespace}/${ref.name}`);
    } });
    const enqueue = (s: KubeObject): void => this.queue.add(metaNamespaceKey(s));
    this.sets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
    const podEvent = (p: Pod): void => {
      const ref = controllerRefOf(p);
      if (ref?.kind === 'StatefulSet') this.queue.add(`${p.metadata.namespace}/${ref.name}`);
      else if (!ref) {
        // An orphan (e.g. released with --cascade=orphan): a set it belongs to may adopt it.
        for (const set of this.sets.lister.listNamespace(p.metadata.namespace ?? '')) if (ordinalOf(set, p) !== undefined) enqueue(set);
      }
    };
    this.pods.addEventHandler({ onAdd: podEvent, onUpdate: (_o, p) => podEvent(p), onDelete: podEvent });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 5, async (key) => {
      try {
        await this.sync(key);
      } catch (e) {
        // Conflicts and AlreadyExists only mean the cache was behind our own writes.
        if (!isConflict(e) && !isAlreadyExists(e)) throw e;
        this.queue.addAfter(key, 20);
      }
    });
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const set = this.sets.lister.get(namespace, name);
    if (!set || set.metadata.deletionTimestamp) return;
    const selector = labelSelectorAsSelector(set.spec?.selector as LabelSelectorObject | undefined);
    const pods = [
      ...this.pods.lister.byIndex(OWNER_UID_INDEX, set.metadata.uid!).filter((p) => controllerRefOf(p)?.uid === set.metadata.uid && selector.matches(p.metadata.labels)),
      ...(await this.adoptOrphans(set, selector)),
    ];
    const { update, revisions, collisionCount } = await this.history.sync(set);
    const updateRevision = update.metadata.name!;
    // The status names the current revision; one that no longer exists starts the history afresh.
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    const currentRevision = current.metadata.name!;
    const known = new Map<string, PodTemplateSpec>();
    for (const r of [current, update]) {
      const template = templateOfRevision(r);
      if (template) known.set(r.metadata.name!, template);
    }
    await this.reconcile(set, pods, currentRevision, updateRevision, known);
    const owned = this.pods.lister.byIndex(OWNER_UID_INDEX, set.metadata.uid!).filter((p) => controllerRefOf(p)?.uid === set.metadata.uid);
    await this.writeStatus(set, owned, currentRevision, updateRevision, collisionCount);
    const live = new Set([currentRevision, updateRevision, ...owned.map((p) => podRevision(p) ?? '')]);
    await this.history.truncate(set, revisions, (r) => live.has(r.metadata.name!));
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && pods.some((p) => isPodReady(p) && !isPodAvailable(p, minReady, this.clock.nowMs()))) this.queue.addAfter(key, minReady * 1000);
  }

  /**
   * ClaimPods: orphans matching the selector and named like this set's pods (isMemberOf) are adopted —
   * e.g. after `kubectl delete statefulset web --cascade=orphan` and re-creating it.
   */
  private async adoptOrphans(set: StatefulSet, selector: { matches(labels: Record<string, string> | undefined): boolean }): Promise<Pod[]> {
    const adopted: Pod[] = [];
    const orphans = this.pods.lister.listNamespace(set.metadata.namespace ?? '')
      .filter((p) => !controllerRefOf(p) && !p.metadata.deletionTimestamp && selector.matches(p.metadata.labels) && ordinalOf(set, p) !== undefined);
    for (const pod of orphans) {
      const patch = { metadata: { uid: pod.metadata.uid, ownerReferences: [ownerRefTo(set, 'apps/v1', 'StatefulSet')] } };
      try {
        adopted.push(await this.options.client.pods<Pod>().patch(pod.metadata.namespace, pod.metadata.name!, 'application/strategic-merge-patch+json', patch));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return adopted;
  }

  /** One pass of stateful_set_control.go's updateStatefulSet: returns after the first step it must wait on. */
  private async reconcile(set: StatefulSet, pods: Pod[], currentRevision: string, updateRevision: string, known: Map<string, PodTemplateSpec>): Promise<void> {
    const ordered = (set.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const start = startOrdinal(set);
    const end = start + replicasOf(set);
    const byOrdinal = new Map<number, Pod>();
    const condemned: Pod[] = [];
    for (const p of pods) {
      const ord = ordinalOf(set, p);
      if (ord === undefined) continue;
      if (ord >= start && ord < end) byOrdinal.set(ord, p);
      else condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(set, b)! - ordinalOf(set, a)!);

    // Bring up every ordinal in range (in order when OrderedReady).
    for (let ord = start; ord < end; ord++) {
      const pod = byOrdinal.get(ord);
      if (pod && isTerminated(pod) && !pod.metadata.deletionTimestamp) {
        // A failed (or finished) pod is replaced under the same name, as Kubernetes does.
        this.recorder.event(target(set), 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating failed Pod ${pod.metadata.name}`);
        await this.deletePod(set, pod);
        if (ordered) return;
        continue;
      }
      if (!pod) {
        await this.ensureClaims(set, ord);
        // newVersionedStatefulSetPod: below a RollingUpdate partition a pod keeps the current revision.
        const strategy = set.spec?.updateStrategy;
        const current = known.get(currentRevision);
        if ((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && ord < start + (strategy?.rollingUpdate?.partition ?? 0) && current) {
          await this.createPod({ ...set, spec: { ...set.spec!, template: current } }, ord, currentRevision);
        } else {
          await this.createPod(set, ord, updateRevision);
        }
        if (ordered) return;
        continue;
      }
      if (ordered && !runningAndReady(pod)) return;
    }

    // Scale down: highest ordinal first, one at a time when OrderedReady, and only once the rest is healthy.
    if (condemned.length) {
      if (ordered && [...byOrdinal.values()].some((p) => !runningAndReady(p))) return;
      for (const pod of condemned) {
        if (pod.metadata.deletionTimestamp) {
          if (ordered) return;
          continue;
        }
        await this.releaseClaimsOnScaleDown(set, pod);
        await this.deletePod(set, pod);
        if (ordered) return;
      }
      return;
    }

    // Rolling update: highest ordinal down to the partition, waiting for each replacement to be Ready.
    const strategy = set.spec?.updateStrategy;
    if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
    const partition = strategy?.rollingUpdate?.partition ?? 0;
    for (let ord = end - 1; ord >= start + partition; ord--) {
      const pod = byOrdinal.get(ord);
      if (!pod) return;
      if (podRevision(pod) !== updateRevision) {
        if (!pod.metadata.deletionTimestamp) await this.deletePod(set, pod);
        return;
      }
      if (!runningAndReady(pod)) return;
    }
  }

  private async ensureClaims(set: StatefulSet, ordinal: number): Promise<void> {
    const client = this.options.client.resource<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS);
    const podName = `${set.metadata.name}-${ordinal}`;
    for (const claim of claimsFor(set, ordinal)) {
      if (this.claims.lister.get(claim.metadata.namespace, claim.metadata.name!)) continue;
      // whenDeleted: Delete makes the set an owner, so the garbage collector removes the claim with it.
      if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') claim.metadata.ownerReferences = [ownerRefTo(set, 'apps/v1', 'StatefulSet')];
      try {
        await client.create(claim.metadata.namespace, claim);
        this.recorder.event(target(set), 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${podName} in StatefulSet ${set.metadata.name} success`);
      } catch (e) {
        if (isAlreadyExists(e)) continue;
        this.recorder.event(target(set), 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
        throw e;
      }
    }
  }

  /** whenScaled: Delete — the condemned pod becomes an owner of its claims, so they go with it. */
  private async releaseClaimsOnScaleDown(set: StatefulSet, pod: Pod): Promise<void> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    const client = this.options.client.resource<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS);
    for (const claim of claimsFor(set, ordinalOf(set, pod)!)) {
      const existing = this.claims.lister.get(claim.metadata.namespace, claim.metadata.name!);
      if (!existing || existing.metadata.ownerReferences?.some((r) => r.uid === pod.metadata.uid)) continue;
      // As Kubernetes does: the set lets go of a scaled-down claim, the pod takes it.
      const refs = [...(existing.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid), { ...ownerRefTo(pod, 'v1', 'Pod'), controller: false }];
      await client.patch(claim.metadata.namespace, claim.metadata.name!, 'application/merge-patch+json', { metadata: { ownerReferences: refs } })
        .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
    }
  }

  private async createPod(set: StatefulSet, ordinal: number, revision: string): Promise<void> {
    const pod = newStatefulPod(set, ordinal, revision);
    try {
      await this.options.client.pods<Pod>().create(set.metadata.namespace, pod);
      this.recorder.event(target(set), 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (e) {
      // The previous pod of this name is still terminating; its deletion event brings us back.
      if (isAlreadyExists(e)) return;
      this.recorder.event(target(set), 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  private async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.options.client.pods().delete(pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
      this.recorder.event(target(set), 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return;
      this.recorder.event(target(set), 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  private async writeStatus(set: StatefulSet, pods: Pod[], currentRevision: string, updateRevision: string, collisionCount: number): Promise<void> {
    const minReady = set.spec?.minReadySeconds ?? 0;
    const now = this.clock.nowMs();
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation,
      replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
      currentRevision, updateRevision, collisionCount,
    };
    for (const p of pods) {
      status.replicas++;
      if (runningAndReady(p)) {
        status.readyReplicas!++;
        if (isPodAvailable(p, minReady, now)) status.availableReplicas!++;
      }
      if (p.metadata.deletionTimestamp) continue;
      if (podRevision(p) === currentRevision) status.currentReplicas!++;
      if (podRevision(p) === updateRevision) status.updatedReplicas!++;
    }
    // Once every replica runs the update revision it becomes the current one.
    if (status.updatedReplicas === replicasOf(set) && status.replicas === replicasOf(set)) {
      status.currentRevision = updateRevision;
      status.currentReplicas = status.updatedReplicas;
    }
    if (set.status?.conditions) status.conditions = set.status.conditions;
    if (sameValue(set.status ?? {}, status)) return;
    await this.options.client.statefulSets<StatefulSet>().updateStatus(set.metadata.namespace, { ...cloneObject(set), status })
      .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
  }
}

function ownerRefTo(o: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: o.metadata.name!, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

function target(set: StatefulSet): KubeObject {
  return { ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' };
}

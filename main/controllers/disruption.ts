// Disruption controller (k8s pkg/controller/disruption): keeps each PodDisruptionBudget's status —
// expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed, the DisruptionAllowed condition —
// so that the eviction subresource can decide from status alone. It also ages out `disruptedPods`:
// pods the eviction API accepted but that were not deleted within DELETION_TIMEOUT_MS count again.
import { isNotFound } from '../../shared/api/errors';
import { labelSelectorAsSelector, type LabelSelectorObject } from '../../shared/api/labels';
import type { KubeObject, OwnerReference } from '../../shared/api/meta';
import type { Pod } from '../../shared/api/pod';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../shared/api/policy';
import type { ReplicaSet } from '../../shared/api/workloads';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { DEPLOYMENTS, knownResourceForKind, PODDISRUPTIONBUDGETS, PODS, REPLICASETS, STATEFULSETS } from '../client/gvr';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { controllerRefOf, isPodReady } from './deployment/pods';
import { REPLICATIONCONTROLLERS } from './replicaset';
import { disruptionAllowedCondition, scaledIntOrPercent } from '../apiserver/admission/pod-disruption-condition';

/** Kubernetes' DeletionTimeout: how long an eviction-accepted pod may linger before it counts again. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export interface DisruptionControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  recorder?: EventRecorder;
  workers?: number;
}

interface WorkloadWithReplicas extends KubeObject {
  spec?: { replicas?: number };
}

/** A controller of pods and the scale it asks for; uid identifies it across pods. */
interface ControllerScale {
  uid: string;
  scale: number;
}

export class DisruptionController {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly recorder: EventRecorder;
  private readonly pdbs: SharedInformer<PodDisruptionBudget>;
  private readonly pods: SharedInformer<Pod>;
  private readonly replicaSets: SharedInformer<ReplicaSet>;
  private readonly deployments: SharedInformer<WorkloadWithReplicas>;
  private readonly statefulSets: SharedInformer<WorkloadWithReplicas>;
  private readonly replicationControllers: SharedInformer<WorkloadWithReplicas>;

  constructor(private readonly options: DisruptionControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: 'disruption', clock: this.clock });
    this.recorder = options.recorder ?? new EventRecorder(options.client, { component: 'controllermanager', clock: this.clock });
    const informers = options.informers;
    this.pdbs = informers.informerFor<PodDisruptionBudget>(PODDISRUPTIONBUDGETS);
    this.pods = informers.informerFor<Pod>(PODS);
    this.replicaSets = informers.informerFor<ReplicaSet>(REPLICASETS);
    this.deployments = informers.informerFor<WorkloadWithReplicas>(DEPLOYMENTS);
    this.statefulSets = informers.informerFor<WorkloadWithReplicas>(STATEFULSETS);
    this.replicationControllers = informers.informerFor<WorkloadWithReplicas>(REPLICATIONCONTROLLERS);
    this.pdbs.addEventHandler({
      onAdd: (pdb) => this.enqueue(pdb),
      onUpdate: (_old, pdb) => this.enqueue(pdb),
      onDelete: (pdb) => this.enqueue(pdb),
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.enqueueBudgetsOf(pod),
      onUpdate: (old, pod) => {
        this.enqueueBudgetsOf(pod);
        if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})) this.enqueueBudgetsOf(old);
      },
      onDelete: (pod) => this.enqueueBudgetsOf(pod),
    });
    // Kubernetes notices a scale change only through the pods it creates or deletes; a percentage
    // budget over a scaled-down controller would then lag, so scale edits enqueue the namespace's budgets.
    for (const workload of [this.replicaSets, this.deployments, this.statefulSets, this.replicationControllers] as SharedInformer<WorkloadWithReplicas>[]) {
      workload.addEventHandler({
        onUpdate: (old, o) => {
          if (old.spec?.replicas !== o.spec?.replicas) for (const pdb of this.pdbs.lister.listNamespace(o.metadata.namespace ?? '')) this.enqueue(pdb);
        },
      });
    }
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 2, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  private enqueue(pdb: KubeObject): void {
    this.queue.add(metaNamespaceKey(pdb));
  }

  private enqueueBudgetsOf(pod: Pod): void {
    for (const pdb of this.pdbs.lister.listNamespace(pod.metadata.namespace ?? '')) {
      if (selectorOf(pdb).matches(pod.metadata.labels)) this.enqueue(pdb);
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pdb = this.pdbs.lister.get(namespace, name);
    if (!pdb) return;
    try {
      await this.trySync(key, pdb);
    } catch (e) {
      // A Conflict only means our cache was behind (an eviction just spent a disruption): look again.
      if ((e as { reason?: string }).reason === 'Conflict' || isNotFound(e)) throw e;
      await this.failSafe(pdb, e as Error);
    }
  }

  private async trySync(key: string, pdb: PodDisruptionBudget): Promise<void> {
    const target = { ...pdb, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' };
    const pods = this.pods.lister.listNamespace(pdb.metadata.namespace ?? '').filter((p) => selectorOf(pdb).matches(p.metadata.labels));
    if (pods.length === 0) this.recorder.event(target, 'Normal', 'NoPods', 'No matching pods found');
    let counts: { expected: number; desiredHealthy: number; unmanaged: string[] };
    try {
      counts = await this.expectedPodCount(pdb, pods);
    } catch (e) {
      this.recorder.event(target, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(e as Error).message}`);
      throw e;
    }
    if (counts.unmanaged.length) {
      this.recorder.event(
        target,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. ` +
          'As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
          'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
      );
    }
    const now = this.clock.nowMs();
    const { disrupted, recheckAt } = this.disruptedPodMap(pods, pdb, now);
    const currentHealthy = countHealthyPods(pods, disrupted, now);
    await this.updateStatus(pdb, currentHealthy, counts.desiredHealthy, counts.expected, disrupted);
    if (recheckAt !== undefined) this.queue.addAfter(key, Math.max(0, recheckAt - now) + 1);
  }

  /** getExpectedPodCount: integer minAvailable counts pods; percentages and maxUnavailable need controllers' scale. */
  private async expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[]): Promise<{ expected: number; desiredHealthy: number; unmanaged: string[] }> {
    const spec = pdb.spec ?? {};
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
      const { expected, unmanaged } = await this.expectedScale(pods);
      const maxUnavailable = scaledIntOrPercent(spec.maxUnavailable, expected);
      return { expected, desiredHealthy: Math.max(0, expected - maxUnavailable), unmanaged };
    }
    if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
      if (typeof spec.minAvailable === 'number') return { expected: pods.length, desiredHealthy: spec.minAvailable, unmanaged: [] };
      const { expected, unmanaged } = await this.expectedScale(pods);
      return { expected, desiredHealthy: scaledIntOrPercent(spec.minAvailable, expected), unmanaged };
    }
    return { expected: 0, desiredHealthy: 0, unmanaged: [] };
  }

  /** getExpectedScale: the sum of the scale of every controller owning a selected pod. */
  private async expectedScale(pods: Pod[]): Promise<{ expected: number; unmanaged: string[] }> {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerRefOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata.name!);
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = await this.controllerScale(ref, pod.metadata.namespace ?? '');
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
      scales.set(found.uid, found.scale);
    }
    let expected = 0;
    for (const s of scales.values()) expected += s;
    return { expected, unmanaged };
  }

  /** The finders of Kubernetes, in its order: RC, Deployment (through its ReplicaSet), bare ReplicaSet, StatefulSet, any /scale. */
  private async controllerScale(ref: OwnerReference, namespace: string): Promise<ControllerScale | undefined> {
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const appsGroup = group === 'apps' || group === 'extensions';
    const same = <T extends KubeObject>(o: T | undefined, uid: string): T | undefined => (o && o.metadata.uid === uid ? o : undefined);
    const replicas = (o: WorkloadWithReplicas): number => o.spec?.replicas ?? 1;
    if (ref.kind === 'ReplicationController' && group === '') {
      const rc = same(this.replicationControllers.lister.get(namespace, ref.name), ref.uid);
      if (rc) return { uid: rc.metadata.uid!, scale: replicas(rc) };
    }
    if (ref.kind === 'ReplicaSet' && appsGroup) {
      const rs = same(this.replicaSets.lister.get(namespace, ref.name), ref.uid);
      if (rs) {
        const owner = controllerRefOf(rs);
        if (owner?.kind === 'Deployment') {
          const deployment = same(this.deployments.lister.get(namespace, owner.name), owner.uid);
          return deployment ? { uid: deployment.metadata.uid!, scale: replicas(deployment) } : undefined;
        }
        return { uid: rs.metadata.uid!, scale: rs.spec?.replicas ?? 1 };
      }
    }
    if (ref.kind === 'StatefulSet' && appsGroup) {
      const sts = same(this.statefulSets.lister.get(namespace, ref.name), ref.uid);
      if (sts) return { uid: sts.metadata.uid!, scale: replicas(sts) };
    }
    // getScaleController: any other owner that serves /scale (custom resources included).
    const known = knownResourceForKind(ref.apiVersion, ref.kind);
    if (!known) return undefined;
    try {
      const scale = await this.options.client.resource(known).getSubresource<KubeObject & { spec?: { replicas?: number } }>(namespace, ref.name, 'scale');
      if (scale.metadata.uid !== ref.uid) return undefined;
      return { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** buildDisruptedPodMap: keep entries of pods still present, not yet deleting, and not past the timeout. */
  private disruptedPodMap(pods: Pod[], pdb: PodDisruptionBudget, now: number): { disrupted: Record<string, string>; recheckAt?: number } {
    const recorded = pdb.status?.disruptedPods;
    const disrupted: Record<string, string> = {};
    let recheckAt: number | undefined;
    if (!recorded) return { disrupted };
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const at = recorded[pod.metadata.name!];
      if (at === undefined) continue;
      const expectedDeletion = Date.parse(at) + DELETION_TIMEOUT_MS;
      if (expectedDeletion < now) {
        const ns = pdb.metadata.namespace;
        // The Kubernetes message names the namespace twice (a long-standing upstream typo), kept as seen there.
        this.recorder.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'NotDeleted', `Pod was expected by PDB ${ns}/${ns} to be deleted but it wasn't`);
        continue;
      }
      if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
      disrupted[pod.metadata.name!] = at;
    }
    return { disrupted, recheckAt };
  }

  private async updateStatus(pdb: PodDisruptionBudget, currentHealthy: number, desiredHealthy: number, expected: number, disrupted: Record<string, string>): Promise<void> {
    // expectedPods > 0 keeps a budget that matches nothing yet safe when its first pods appear.
    let disruptionsAllowed = currentHealthy - desiredHealthy;
    if (expected <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
    const old = pdb.status;
    const generation = pdb.metadata.generation ?? 0;
    if (
      old &&
      old.currentHealthy === currentHealthy &&
      old.desiredHealthy === desiredHealthy &&
      old.expectedPods === expected &&
      old.disruptionsAllowed === disruptionsAllowed &&
      sameDisrupted(old.disruptedPods, disrupted) &&
      old.observedGeneration === generation &&
      conditionsUpToDate(pdb)
    ) {
      return;
    }
    const status: PodDisruptionBudgetStatus = {
      observedGeneration: generation,
      disruptionsAllowed,
      currentHealthy,
      desiredHealthy,
      expectedPods: expected,
      conditions: cloneObject(old?.conditions ?? []),
    };
    if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
    status.conditions = disruptionAllowedCondition(status, this.clock.nowMs());
    await this.writeStatus(pdb, status);
  }

  /** On an error other than a conflict, allow no disruptions and say why (SyncFailed), as Kubernetes' failSafe. */
  private async failSafe(pdb: PodDisruptionBudget, error: Error): Promise<void> {
    const status: PodDisruptionBudgetStatus = {
      ...(cloneObject(pdb.status) ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 }),
      disruptionsAllowed: 0,
    };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed');
    const previous = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
    const now = new Date(Math.floor(this.clock.nowMs() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    conditions.push({
      type: 'DisruptionAllowed',
      status: 'False',
      reason: 'SyncFailed',
      message: error.message,
      observedGeneration: status.observedGeneration ?? 0,
      lastTransitionTime: previous?.status === 'False' && previous.lastTransitionTime ? previous.lastTransitionTime : now,
    });
    status.conditions = conditions;
    await this.writeStatus(pdb, status);
  }

  private async writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus): Promise<void> {
    // The cached resourceVersion travels with the write: an eviction that spent a disruption since
    // our cache was filled makes this a Conflict, and the sync runs again on fresh data.
    try {
      await this.options.client.resource<PodDisruptionBudget>(PODDISRUPTIONBUDGETS).updateStatus(pdb.metadata.namespace, { ...cloneObject(pdb), status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function selectorOf(pdb: PodDisruptionBudget) {
  // policy/v1: a null selector selects nothing, an empty one every pod of the namespace.
  return labelSelectorAsSelector(pdb.spec?.selector as LabelSelectorObject | undefined);
}

/** countHealthyPods: Ready, not being deleted, not just accepted for eviction. */
export function countHealthyPods(pods: Pod[], disrupted: Record<string, string>, now: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name!];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

function sameDisrupted(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}

/** pdbhelper.ConditionsAreUpToDate. */
function conditionsUpToDate(pdb: PodDisruptionBudget): boolean {
  const cond = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  if (!cond || pdb.status?.observedGeneration !== (pdb.metadata.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === 'SufficientPods';
  return cond.status === 'False' && cond.reason === 'InsufficientPods';
}

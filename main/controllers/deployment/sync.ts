// Shared steps of every Deployment sync (k8s deployment/sync.go): finding or creating the new ReplicaSet,
// scaling (proportionally while a rollout is in flight), and computing status.
import { isAlreadyExists } from '../../../shared/api/errors';
import type { Pod } from '../../../shared/api/pod';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../../shared/api/workloads';
import { cloneObject } from '../../client/cache-object';
import type { KubeClient } from '../../client/client';
import type { Clock } from '../../client/clock';
import type { EventRecorder } from '../../client/events';
import { cleanupDeployment, maxRevision, setNewReplicaSetAnnotations } from './history';
import {
  activeSets, computeHash, DESIRED_REPLICAS_ANNOTATION, findNewReplicaSet, getCondition, hasProgressDeadline, isoSeconds,
  MAX_REPLICAS_ANNOTATION, maxSurge, maxUnavailable, newCondition, POD_TEMPLATE_HASH_LABEL, REASON, replicasOf, REVISION_ANNOTATION,
  setCondition, setReplicasAnnotations, sortByCreation, sumSpecReplicas, sumStatus,
} from './util';

export interface DeploymentContext {
  client: KubeClient;
  clock: Clock;
  recorder: EventRecorder;
  enqueueAfter(d: Deployment, ms: number): void;
  /** Pods controlled by a ReplicaSet, from the informer cache. */
  podsOf(rs: ReplicaSet): Pod[];
}

export interface ReplicaSetsOfDeployment {
  newRS?: ReplicaSet;
  oldRSs: ReplicaSet[];
}

const nowIso = (ctx: DeploymentContext): string => isoSeconds(ctx.clock.nowMs());

/**
 * getAllReplicaSetsAndSyncRevision: splits the sets into the new one (template equal to the Deployment's)
 * and the old ones, bringing revision annotations up to date; creates the new set when asked.
 */
export async function replicaSetsAndSyncRevision(ctx: DeploymentContext, d: Deployment, sets: ReplicaSet[], create: boolean): Promise<ReplicaSetsOfDeployment> {
  const existing = findNewReplicaSet(d, sets);
  const oldRSs = sets.filter((rs) => rs !== existing);
  const newRS = await getNewReplicaSet(ctx, d, existing, oldRSs, create);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(ctx: DeploymentContext, d: Deployment, existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const newRevision = String(maxRevision(oldRSs) + 1);
  if (existing) {
    const rs = cloneObject(existing);
    let changed = setNewReplicaSetAnnotations(d, rs, newRevision, true);
    if ((rs.spec!.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
      rs.spec!.minReadySeconds = d.spec?.minReadySeconds ?? 0;
      changed = true;
    }
    const updated = changed ? await ctx.client.replicaSets<ReplicaSet>().update(rs.metadata.namespace, rs) : rs;
    const status: DeploymentStatus = { ...d.status };
    let dirty = setDeploymentRevision(d, updated.metadata.annotations?.[REVISION_ANNOTATION]);
    if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
      setCondition(status, newCondition('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${rs.metadata.name}"`, nowIso(ctx)));
      dirty = true;
    }
    if (dirty) await writeStatus(ctx, d, status);
    return updated;
  }
  if (!create) return undefined;

  const collisionCount = d.status?.collisionCount;
  const hash = computeHash(d.spec?.template, collisionCount);
  const template = cloneObject(d.spec!.template);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = cloneObject(d.spec!.selector);
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  const all = [...oldRSs];
  rs.spec!.replicas = newReplicaSetReplicas(d, all, undefined);
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: ReplicaSet;
  try {
    created = await ctx.client.replicaSets<ReplicaSet>().create(d.metadata.namespace, rs);
  } catch (e) {
    if (isAlreadyExists(e)) {
      const clash = await ctx.client.replicaSets<ReplicaSet>().get(d.metadata.namespace, rs.metadata.name!);
      const ours = clash.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid);
      // Our own set that the cache has not shown yet: nothing to do until it does.
      if (ours && findNewReplicaSet(d, [clash])) return clash;
      // A real hash collision: bump collisionCount so the next sync computes another name.
      await writeStatus(ctx, d, { ...d.status, collisionCount: (collisionCount ?? 0) + 1 });
      throw new Error(`hash collision for replica set ${rs.metadata.name}: collisionCount raised to ${(collisionCount ?? 0) + 1}`);
    }
    const message = `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`;
    ctx.recorder.event(d, 'Warning', REASON.failedRSCreate, message);
    if (hasProgressDeadline(d)) {
      const status: DeploymentStatus = { ...d.status };
      setCondition(status, newCondition('Progressing', 'False', REASON.failedRSCreate, message, nowIso(ctx)));
      await writeStatus(ctx, d, status).catch(() => undefined);
    }
    throw e;
  }
  if (replicasOf(created) > 0) scalingEvent(ctx, d, created, 0, replicasOf(created));
  setDeploymentRevision(d, newRevision);
  const status: DeploymentStatus = { ...d.status };
  if (hasProgressDeadline(d)) {
    setCondition(status, newCondition('Progressing', 'True', REASON.newRSCreated, `Created new replica set "${created.metadata.name}"`, nowIso(ctx)));
  }
  await writeStatus(ctx, d, status);
  return created;
}

function setDeploymentRevision(d: Deployment, revision: string | undefined): boolean {
  if (!revision || d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return false;
  d.metadata.annotations = { ...d.metadata.annotations, [REVISION_ANNOTATION]: revision };
  return true;
}

/** Writes status (and the Deployment's annotations, as UpdateStatus carries them) and keeps `d` current. */
export async function writeStatus(ctx: DeploymentContext, d: Deployment, status: DeploymentStatus): Promise<void> {
  const updated = await ctx.client.deployments<Deployment>().updateStatus(d.metadata.namespace, { ...d, status });
  d.metadata = updated.metadata;
  d.status = updated.status;
}

/** NewRSNewReplicas: how big the new set may be now. */
export function newReplicaSetReplicas(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): number {
  const desired = replicasOf(d);
  if (d.spec?.strategy?.type === 'Recreate') return desired;
  const current = newRS ? replicasOf(newRS) : 0;
  const maxTotal = desired + maxSurge(d);
  const all = sumSpecReplicas(newRS ? [...allRSs.filter((rs) => rs !== newRS), newRS] : allRSs);
  if (all >= maxTotal) return current;
  return current + Math.max(0, Math.min(maxTotal - all, desired - current));
}

/** Kubernetes 1.29+ wording: "Scaled up replica set web-5d9c from 0 to 3". */
export function scalingEvent(ctx: DeploymentContext, d: Deployment, rs: ReplicaSet, from: number, to: number): void {
  const direction = from < to ? 'up' : 'down';
  ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} from ${from} to ${to}`);
}

/** scaleReplicaSet: new size and replica annotations in one update; the event only when the size changed. */
export async function scaleReplicaSet(ctx: DeploymentContext, d: Deployment, rs: ReplicaSet, to: number): Promise<ReplicaSet> {
  const copy = cloneObject(rs);
  const from = replicasOf(rs);
  const sizeChanged = from !== to;
  const annotationsChanged = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
  if (!sizeChanged && !annotationsChanged) return rs;
  copy.spec = { ...copy.spec!, replicas: to };
  const updated = await ctx.client.replicaSets<ReplicaSet>().update(copy.metadata.namespace, copy);
  if (sizeChanged) scalingEvent(ctx, d, updated, from, to);
  return updated;
}

/** isScalingEvent: an active set still annotated with another desired size means spec.replicas changed. */
export function isScalingEvent(d: Deployment, sets: ReplicaSet[]): boolean {
  for (const rs of activeSets(sets)) {
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    if (desired !== undefined && Number(desired) !== replicasOf(d)) return true;
  }
  return false;
}

/** The "sync" path: scale only (paused, or spec.replicas changed), clean history when paused, update status. */
export async function syncScaleOnly(ctx: DeploymentContext, d: Deployment, sets: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await replicaSetsAndSyncRevision(ctx, d, sets, false);
  const scaled = await scale(ctx, d, newRS, oldRSs);
  if (d.spec?.paused) await cleanupDeployment(ctx, d, scaled.oldRSs);
  await syncDeploymentStatus(ctx, d, [...scaled.oldRSs, scaled.newRS], scaled.newRS);
}

export async function syncStatusOnly(ctx: DeploymentContext, d: Deployment, sets: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await replicaSetsAndSyncRevision(ctx, d, sets, false);
  await syncDeploymentStatus(ctx, d, [...oldRSs, newRS], newRS);
}

/**
 * scale(): a single active set simply follows spec.replicas; a saturated new set drains the old ones;
 * otherwise, during a rolling update, the difference is spread over the active sets in proportion to
 * their size (largest first when growing, smallest first when shrinking), leftovers to the first.
 */
async function scale(ctx: DeploymentContext, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<Required<ReplicaSetsOfDeployment>> {
  const replace = (rs: ReplicaSet, updated: ReplicaSet): void => {
    if (rs === newRS) newRS = updated;
    else oldRSs = oldRSs.map((o) => (o === rs ? updated : o));
  };
  const result = (): Required<ReplicaSetsOfDeployment> => ({ newRS: newRS!, oldRSs });
  const active = activeSets([newRS, ...oldRSs]);
  const target = active.length === 1 ? active[0] : active.length === 0 ? (newRS ?? sortByCreation(oldRSs).at(-1)) : undefined;
  if (target) {
    if (replicasOf(target) !== replicasOf(d)) replace(target, await scaleReplicaSet(ctx, d, target, replicasOf(d)));
    return result();
  }
  if (newRS && isSaturated(d, newRS)) {
    for (const old of activeSets(oldRSs)) replace(old, await scaleReplicaSet(ctx, d, old, 0));
    return result();
  }
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return result();
  const desired = replicasOf(d);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(active);
  const sizeNewerFirst = (a: ReplicaSet, b: ReplicaSet): number =>
    replicasOf(b) - replicasOf(a) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
  const sizeOlderFirst = (a: ReplicaSet, b: ReplicaSet): number =>
    replicasOf(b) - replicasOf(a) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '');
  const ordered = [...active].sort(toAdd > 0 ? sizeNewerFirst : sizeOlderFirst);
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of ordered) {
    if (toAdd === 0) {
      sizes.set(rs, replicasOf(rs));
      continue;
    }
    const share = added === toAdd ? 0 : fraction(d, rs);
    const proportion = toAdd > 0 ? Math.min(share, toAdd - added) : Math.max(share, toAdd - added);
    sizes.set(rs, replicasOf(rs) + proportion);
    added += proportion;
  }
  for (const [i, rs] of ordered.entries()) {
    let size = sizes.get(rs)!;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    replace(rs, await scaleReplicaSet(ctx, d, rs, size));
  }
  return result();
}

/** getReplicaSetFraction: this set's share of a resize, from the max-replicas it was last sized for. */
function fraction(d: Deployment, rs: ReplicaSet): number {
  if (replicasOf(rs) === 0) return 0;
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = Number.parseInt(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? '', 10);
  const base = Number.isNaN(annotated) ? (d.status?.replicas ?? 0) : annotated;
  if (base === 0) return 0;
  const size = (replicasOf(rs) * deploymentReplicas) / base;
  return Math.round(size) - replicasOf(rs);
}

function isSaturated(d: Deployment, rs: ReplicaSet): boolean {
  const desired = Number(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
  return replicasOf(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** calculateStatus: counts over every set; Available when at most maxUnavailable pods are missing. */
export function calculateStatus(ctx: DeploymentContext, d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const available = sumStatus(allRSs, 'availableReplicas');
  const total = sumStatus(allRSs, 'replicas');
  // As Kubernetes: unavailable counts against the sets' desired sizes (surge included), not spec.replicas.
  const unavailable = Math.max(0, sumSpecReplicas(allRSs) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: total,
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sumStatus(allRSs, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', REASON.minimumAvailable, 'Deployment has minimum availability.', nowIso(ctx)));
  } else {
    setCondition(status, newCondition('Available', 'False', REASON.minimumUnavailable, 'Deployment does not have minimum availability.', nowIso(ctx)));
  }
  return status;
}

export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined): string =>
    JSON.stringify([s?.observedGeneration, s?.replicas ?? 0, s?.updatedReplicas ?? 0, s?.readyReplicas ?? 0, s?.availableReplicas ?? 0,
      s?.unavailableReplicas ?? 0, s?.collisionCount, s?.conditions ?? []]);
  return norm(a) === norm(b);
}

export async function syncDeploymentStatus(ctx: DeploymentContext, d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(ctx, d, allRSs, newRS);
  if (sameStatus(d.status, status)) return;
  await writeStatus(ctx, d, status);
}

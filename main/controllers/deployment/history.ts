// Rollout history: revision numbers on ReplicaSets (what `kubectl rollout history` lists and `rollout
// undo --to-revision` picks from) and the revisionHistoryLimit clean-up of drained old sets.
import type { Deployment, ReplicaSet } from '../../../shared/api/workloads';
import type { DeploymentContext } from './sync';
import {
  copyDeploymentAnnotations, maxSurge, replicasOf, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, revisionOf, setReplicasAnnotations, sortByRevision,
} from './util';

export function maxRevision(sets: ReplicaSet[]): number {
  return sets.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision when the set becomes
 * the new one again (a rollback) and remember the revisions it held before in revision-history.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const annotations = (rs.metadata.annotations ??= {});
  const oldRevision = annotations[REVISION_ANNOTATION];
  const oldNumber = Number.parseInt(oldRevision ?? '', 10);
  const newNumber = Number.parseInt(newRevision, 10);
  if (Number.isNaN(oldNumber) || oldNumber < newNumber) {
    annotations[REVISION_ANNOTATION] = newRevision;
    changed = true;
    if (oldRevision) {
      const history = annotations[REVISION_HISTORY_ANNOTATION];
      annotations[REVISION_HISTORY_ANNOTATION] = history ? `${history},${oldRevision}` : oldRevision;
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/**
 * cleanupDeployment: beyond revisionHistoryLimit, delete the oldest old sets that are fully drained
 * (no pods, no desired pods, status caught up); sets still holding pods are kept whatever their age.
 */
export async function cleanupDeployment(ctx: DeploymentContext, d: Deployment, oldRSs: ReplicaSet[]): Promise<void> {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined) return;
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const excess = alive.length - limit;
  if (excess <= 0) return;
  for (const rs of sortByRevision(alive).slice(0, excess)) {
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await ctx.client.replicaSets().delete(rs.metadata.namespace, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
}

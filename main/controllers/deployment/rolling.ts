// RollingUpdate (k8s deployment/rolling.go): grow the new ReplicaSet while the total stays within
// spec.replicas + maxSurge, shrink old ones while available pods stay at or above spec.replicas −
// maxUnavailable. Each sync takes one step and waits for the caches to show its effect.
import type { Deployment, ReplicaSet } from '../../../shared/api/workloads';
import { cleanupDeployment } from './history';
import { deploymentComplete, syncRolloutStatus } from './progress';
import { newReplicaSetReplicas, replicaSetsAndSyncRevision, scaleReplicaSet, type DeploymentContext } from './sync';
import { calculateStatus } from './sync';
import { maxUnavailable, replicasOf, sortByCreation, sumSpecReplicas, sumStatus } from './util';

export async function rolloutRolling(ctx: DeploymentContext, d: Deployment, sets: ReplicaSet[]): Promise<void> {
  const found = await replicaSetsAndSyncRevision(ctx, d, sets, true);
  let newRS = found.newRS!;
  let oldRSs = found.oldRSs;

  const desired = replicasOf(d);
  if (replicasOf(newRS) !== desired) {
    const target = replicasOf(newRS) > desired ? desired : newReplicaSetReplicas(d, [...oldRSs, newRS], newRS);
    if (target !== replicasOf(newRS)) {
      newRS = await scaleReplicaSet(ctx, d, newRS, target);
      return syncRolloutStatus(ctx, d, [...oldRSs, newRS], newRS);
    }
  }

  const reconciled = await reconcileOldReplicaSets(ctx, d, oldRSs, newRS);
  if (reconciled.scaled) {
    oldRSs = reconciled.oldRSs;
    return syncRolloutStatus(ctx, d, [...oldRSs, newRS], newRS);
  }

  if (deploymentComplete(d, calculateStatus(ctx, d, [...oldRSs, newRS], newRS))) await cleanupDeployment(ctx, d, oldRSs);
  return syncRolloutStatus(ctx, d, [...oldRSs, newRS], newRS);
}

/** reconcileOldReplicaSets: first remove unhealthy old pods, then healthy ones as availability allows. */
async function reconcileOldReplicaSets(ctx: DeploymentContext, d: Deployment, oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<{ scaled: boolean; oldRSs: ReplicaSet[] }> {
  if (sumSpecReplicas(oldRSs) === 0) return { scaled: false, oldRSs };
  const allPods = sumSpecReplicas([...oldRSs, newRS]);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return { scaled: false, oldRSs };

  // Unhealthy old pods cost no availability, so they go first, up to maxScaledDown.
  let cleaned = 0;
  let current = sortByCreation(oldRSs);
  for (const [i, rs] of current.entries()) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
    if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
    const count = Math.min(maxScaledDown - cleaned, unhealthy);
    current[i] = await scaleReplicaSet(ctx, d, rs, replicasOf(rs) - count);
    cleaned += count;
  }

  // Then healthy ones, only as far as the available pods exceed minAvailable.
  let scaledDown = 0;
  const available = sumStatus([...current, newRS], 'availableReplicas');
  const budget = available - minAvailable;
  if (budget > 0) {
    current = sortByCreation(current);
    for (const [i, rs] of current.entries()) {
      if (scaledDown >= budget) break;
      if (replicasOf(rs) === 0) continue;
      const count = Math.min(replicasOf(rs), budget - scaledDown);
      current[i] = await scaleReplicaSet(ctx, d, rs, replicasOf(rs) - count);
      scaledDown += count;
    }
  }
  return { scaled: cleaned + scaledDown > 0, oldRSs: current };
}

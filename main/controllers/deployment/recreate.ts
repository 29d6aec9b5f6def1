// Recreate (k8s deployment/recreate.go): scale every old ReplicaSet to zero, wait until none of their
// pods is left running, and only then create and scale up the new one.
import type { Pod } from '../../../shared/api/pod';
import type { Deployment, ReplicaSet } from '../../../shared/api/workloads';
import { cleanupDeployment } from './history';
import { deploymentComplete, syncRolloutStatus } from './progress';
import { calculateStatus, replicaSetsAndSyncRevision, scaleReplicaSet, type DeploymentContext } from './sync';
import { activeSets, replicasOf, sumStatus } from './util';

export async function rolloutRecreate(ctx: DeploymentContext, d: Deployment, sets: ReplicaSet[]): Promise<void> {
  let { newRS, oldRSs } = await replicaSetsAndSyncRevision(ctx, d, sets, false);

  let scaledDown = false;
  for (const rs of activeSets(oldRSs)) {
    const updated = await scaleReplicaSet(ctx, d, rs, 0);
    oldRSs = oldRSs.map((o) => (o === rs ? updated : o));
    scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(ctx, d, [...oldRSs, newRS], newRS);
  if (oldPodsRunning(ctx, newRS, oldRSs)) return syncRolloutStatus(ctx, d, [...oldRSs, newRS], newRS);

  if (!newRS) ({ newRS, oldRSs } = await replicaSetsAndSyncRevision(ctx, d, sets, true));
  if (newRS && replicasOf(newRS) !== replicasOf(d)) newRS = await scaleReplicaSet(ctx, d, newRS, replicasOf(d));

  if (deploymentComplete(d, calculateStatus(ctx, d, [...oldRSs, newRS], newRS))) await cleanupDeployment(ctx, d, oldRSs);
  return syncRolloutStatus(ctx, d, [...oldRSs, newRS], newRS);
}

/** oldPodsRunning: any old set still reports pods, or any of its pods has not finished. */
function oldPodsRunning(ctx: DeploymentContext, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
  if (sumStatus(oldRSs, 'replicas') > 0) return true;
  const running = (p: Pod): boolean => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';
  return oldRSs.some((rs) => rs !== newRS && ctx.podsOf(rs).some(running));
}

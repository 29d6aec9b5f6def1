// Rollout progress (k8s deployment/progress.go): the Progressing condition — ReplicaSetUpdated while
// pods move, NewReplicaSetAvailable when done, ProgressDeadlineExceeded when nothing moved for
// progressDeadlineSeconds — and the paused/resumed reasons. Time comes from the injected Clock.
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../../shared/api/workloads';
import { calculateStatus, sameStatus, writeStatus, type DeploymentContext } from './sync';
import { getCondition, hasProgressDeadline, isoSeconds, newCondition, REASON, removeCondition, replicasOf, setCondition } from './util';

/** DeploymentComplete: every desired pod updated, available, and no old pods left. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const desired = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** DeploymentProgressing: more updated/ready/available pods, or fewer old ones, than last time. */
function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function deploymentTimedOut(d: Deployment, status: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status, 'Progressing');
  if (!condition || condition.reason === REASON.newRSAvailable) return false;
  if (condition.reason === REASON.timedOut) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/** syncRolloutStatus: status plus the Progressing condition; a stalled rollout is looked at again at its deadline. */
export async function syncRolloutStatus(ctx: DeploymentContext, d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(ctx, d, allRSs, newRS);
  const now = ctx.clock.nowMs();
  const nowIso = isoSeconds(now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', REASON.newRSAvailable, `${subject} has successfully progressed.`, nowIso));
    } else if (deploymentProgressing(d, status)) {
      const condition = newCondition('Progressing', 'True', REASON.rsUpdated, `${subject} is progressing.`, nowIso);
      // Progress refreshes lastUpdateTime (the deadline counts from it) but not the transition time.
      if (current?.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, 'Progressing');
      setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition('Progressing', 'False', REASON.timedOut, `${subject} has timed out progressing.`, nowIso));
    }
  }
  syncReplicaFailure(status, allRSs);
  if (sameStatus(d.status, status)) {
    requeueStuckDeployment(ctx, d, status);
    return;
  }
  await writeStatus(ctx, d, status);
}

/** A ReplicaFailure on any set (pod creation refused, e.g. by quota) surfaces on the Deployment. */
function syncReplicaFailure(status: DeploymentStatus, allRSs: (ReplicaSet | undefined)[]): void {
  const failure = allRSs.flatMap((rs) => rs?.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (!failure) return removeCondition(status, 'ReplicaFailure');
  const now = failure.lastTransitionTime ?? '';
  setCondition(status, { type: 'ReplicaFailure', status: 'True', lastUpdateTime: now, lastTransitionTime: now, reason: failure.reason, message: failure.message });
}

/** requeueStuckDeployment: nothing will wake a stalled rollout, so look again when its deadline passes. */
function requeueStuckDeployment(ctx: DeploymentContext, d: Deployment, status: DeploymentStatus): void {
  const current = getCondition(status, 'Progressing');
  if (!hasProgressDeadline(d) || !current || deploymentComplete(d, status) || current.reason === REASON.timedOut) return;
  const from = Date.parse(current.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return;
  const after = from + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 - ctx.clock.nowMs();
  ctx.enqueueAfter(d, after < 1000 ? 0 : after + 1000);
}

/** checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed; true if status was written. */
export async function checkPausedConditions(ctx: DeploymentContext, d: Deployment): Promise<boolean> {
  if (!hasProgressDeadline(d)) return false;
  const current = getCondition(d.status, 'Progressing');
  if (current?.reason === REASON.timedOut) return false;
  const pausedConditionExists = current?.reason === REASON.paused;
  const nowIso = isoSeconds(ctx.clock.nowMs());
  const status: DeploymentStatus = { ...d.status, conditions: [...(d.status?.conditions ?? [])] };
  if (d.spec?.paused && !pausedConditionExists) {
    setCondition(status, newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused', nowIso));
  } else if (!d.spec?.paused && pausedConditionExists) {
    setCondition(status, newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed', nowIso));
  } else {
    return false;
  }
  await writeStatus(ctx, d, status);
  return true;
}

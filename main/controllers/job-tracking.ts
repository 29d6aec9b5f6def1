// Job tracking with finalizers (k8s pkg/controller/job, trackJobStatusAndRemoveFinalizers): counting
// finished pods exactly once through `batch.kubernetes.io/job-tracking` and status.uncountedTerminatedPods,
// with the in-memory bookkeeping that keeps a sync from acting on caches behind its own writes.
import type { Job, JobStatus } from '../../shared/api/batch';
import { isConflict, isInvalid, isNotFound } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import type { KubeClient } from '../client/client';
import { controllerRefOf } from './deployment/pods';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER, podFinishedAt, podIndex } from './job-util';

export interface TrackedCounts {
  /** What status.succeeded/failed hold: pods already counted. */
  counted: { succeeded: number; failed: number };
  /** Counted plus uncounted: what the controller's decisions use. */
  succeeded: number;
  failed: number;
  uncounted: NonNullable<JobStatus['uncountedTerminatedPods']>;
  /** Pods whose finalizer goes once the status recording them is written. */
  release: Pod[];
  /** A newly failed pod matched a podFailurePolicy FailJob rule: the message for the Job's failure. */
  failJob?: string;
  /** Indexes whose newly failed pod matched a FailIndex rule (with backoffLimitPerIndex). */
  failIndexes: number[];
}

/**
 * The first podFailurePolicy rule a failed pod matches (k8s matchPodFailurePolicy): onExitCodes against
 * the non-zero exit codes of its (optionally named) containers, or onPodConditions against its conditions.
 */
export function matchPodFailurePolicy(job: Job, pod: Pod): { action: string; message: string } | undefined {
  const rules = job.spec?.podFailurePolicy?.rules ?? [];
  const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [index, rule] of rules.entries()) {
    if (rule.onExitCodes) {
      const { containerName, operator, values } = rule.onExitCodes;
      for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
        const code = c.state?.terminated?.exitCode;
        if (code === undefined || code === 0 || (containerName && c.name !== containerName)) continue;
        if ((operator === 'In') === values.includes(code)) {
          return { action: rule.action, message: `Container ${c.name} for pod ${ref} failed with exit code ${code} matching ${rule.action} rule at index ${index}` };
        }
      }
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const hit = pod.status?.conditions?.find((c) => c.type === pattern.type && c.status === (pattern.status ?? 'True'));
      if (hit) return { action: rule.action, message: `Pod ${ref} has condition ${hit.type} matching ${rule.action} rule at index ${index}` };
    }
  }
  return undefined;
}

export class JobPodTracking {
  /** Pods this controller deleted itself (suspend, scale-down, failure): not counted as failures. */
  readonly deletedByController = new Set<string>();
  /** When each Job last saw a pod fail (k8s backoffRecordStore), for the pod-recreate delay. */
  readonly lastFailure = new Map<string, number>();
  /**
   * Pods whose finalizer removal is not yet in the pod cache, and the resourceVersion of the last status
   * write per Job: until the caches show both, a sync would count a pod twice or not at all.
   */
  private readonly releasing = new Map<string, Set<string>>();
  private readonly writtenStatus = new Map<string, string>();

  constructor(private readonly client: KubeClient) {}

  /** False while the caches lag behind this controller's own writes for the Job. */
  cachesCaughtUp(key: string, job: Job): boolean {
    if (this.releasing.get(key)?.size) return false;
    const written = this.writtenStatus.get(key);
    return !(written && olderVersion(job.metadata.resourceVersion, written));
  }

  statusWritten(key: string, resourceVersion: string): void {
    this.writtenStatus.set(key, resourceVersion);
  }

  /** A pod event: a released finalizer (or a deleted pod) is now visible. */
  observed(key: string, pod: Pod, deleted: boolean): void {
    if (deleted || !hasTrackingFinalizer(pod)) this.releasing.get(key)?.delete(pod.metadata.uid!);
  }

  forget(key: string): void {
    this.lastFailure.delete(key);
    this.releasing.delete(key);
    this.writtenStatus.delete(key);
  }

  /**
   * Job tracking with finalizers (k8s trackJobStatusAndRemoveFinalizers): a finished pod still holding
   * `batch.kubernetes.io/job-tracking` goes into status.uncountedTerminatedPods; once its finalizer is
   * gone (released after that status write) it moves into succeeded/failed. A pod being deleted before it
   * succeeded counts as failed, unless this controller deleted it (suspend, scale-down, failure).
   */
  track(key: string, job: Job, pods: Pod[], completed: Set<number>, now: number): TrackedCounts {
    const prev = job.status ?? {};
    const indexed = job.spec?.completionMode === 'Indexed';
    const okUids = new Set(prev.uncountedTerminatedPods?.succeeded ?? []);
    const failedUids = new Set(prev.uncountedTerminatedPods?.failed ?? []);
    const byUid = new Map(pods.map((p) => [p.metadata.uid!, p]));
    let succeeded = prev.succeeded ?? 0;
    let failed = prev.failed ?? 0;
    for (const uid of okUids) {
      if (hasTrackingFinalizer(byUid.get(uid))) continue;
      okUids.delete(uid);
      succeeded++;
    }
    for (const uid of failedUids) {
      if (hasTrackingFinalizer(byUid.get(uid))) continue;
      failedUids.delete(uid);
      failed++;
    }
    const release: Pod[] = [];
    let failJob: string | undefined;
    const failIndexes: number[] = [];
    for (const p of pods) {
      if (!hasTrackingFinalizer(p)) continue;
      const uid = p.metadata.uid!;
      if (okUids.has(uid) || failedUids.has(uid)) {
        release.push(p);
      } else if (p.status?.phase === 'Succeeded') {
        okUids.add(uid);
        release.push(p);
        const i = podIndex(p);
        if (indexed && i !== undefined && i < (job.spec?.completions ?? 0)) completed.add(i);
      } else if (p.status?.phase === 'Failed' || p.metadata.deletionTimestamp) {
        release.push(p);
        if (this.deletedByController.delete(uid)) continue;
        const rule = p.status?.phase === 'Failed' ? matchPodFailurePolicy(job, p) : undefined;
        if (rule?.action === 'Ignore') continue;
        if (rule?.action === 'FailJob') failJob ??= rule.message;
        const index = podIndex(p);
        if (rule?.action === 'FailIndex' && index !== undefined) failIndexes.push(index);
        failedUids.add(uid);
        this.lastFailure.set(key, Math.max(this.lastFailure.get(key) ?? 0, p.status?.phase === 'Failed' ? podFinishedAt(p) : now));
      }
    }
    const uncounted: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
    if (okUids.size) uncounted.succeeded = [...okUids];
    if (failedUids.size) uncounted.failed = [...failedUids];
    // status.succeeded/failed hold only counted pods (as in Kubernetes); decisions use both.
    return { counted: { succeeded, failed }, succeeded: succeeded + okUids.size, failed: failed + failedUids.size, uncounted, release, failJob, failIndexes };
  }

  async releaseAll(pods: Pod[]): Promise<void> {
    await Promise.all(pods.map((p) => this.release(p)));
  }

  async release(pod: Pod): Promise<void> {
    const ref = controllerRefOf(pod);
    const key = `${pod.metadata.namespace}/${ref?.name}`;
    const pending = this.releasing.get(key) ?? new Set<string>();
    this.releasing.set(key, pending);
    pending.add(pod.metadata.uid!);
    try {
      await this.patchOutFinalizer(pod);
    } catch (e) {
      pending.delete(pod.metadata.uid!);
      throw e;
    }
  }

  private async patchOutFinalizer(pod: Pod): Promise<void> {
    const finalizers = (pod.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    const patch = [
      { op: 'test', path: '/metadata/uid', value: pod.metadata.uid },
      finalizers.length ? { op: 'replace', path: '/metadata/finalizers', value: finalizers } : { op: 'remove', path: '/metadata/finalizers' },
    ];
    await this.client.pods().patch(pod.metadata.namespace, pod.metadata.name!, 'application/json-patch+json', patch)
      .catch((e: unknown) => {
        // Gone or changed under us: nothing to wait for; the next event brings the pod back to a sync.
        this.releasing.get(`${pod.metadata.namespace}/${controllerRefOf(pod)?.name}`)?.delete(pod.metadata.uid!);
        if (!isNotFound(e) && !isConflict(e) && !isInvalid(e)) throw e;
      });
  }
}

/** resourceVersions are opaque in Kubernetes; the lab's are increasing integers, compared only when they are. */
function olderVersion(a: string | undefined, b: string): boolean {
  return !!a && /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) < BigInt(b);
}

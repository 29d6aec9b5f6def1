// Pure helpers of the Job controller (k8s pkg/controller/job: indexed_job_utils.go, utils.go): completion
// indexes, conditions, the pod-recreate backoff and the pod a Job creates.
import type { Job, JobCondition } from '../../shared/api/batch';
import type { Pod } from '../../shared/api/pod';
import { cloneObject } from '../client/cache-object';

export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** How often earlier pods of this index failed (backoffLimitPerIndex bookkeeping on the pod). */
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';

export const hasTrackingFinalizer = (pod: Pod | undefined): boolean => !!pod?.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER);

export const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function isJobFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export function conditionOf(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

/** Sets (or flips) a condition, keeping lastTransitionTime when the status did not change. */
export function setCondition(conditions: JobCondition[], type: string, status: 'True' | 'False', reason: string, message: string, nowMs: number): JobCondition[] {
  const now = rfc3339(nowMs);
  const existing = conditions.find((c) => c.type === type);
  if (existing && existing.status === status && existing.reason === reason) return conditions;
  const next: JobCondition = { type, status, lastProbeTime: now, lastTransitionTime: existing?.status === status ? existing.lastTransitionTime : now, reason, message };
  return existing ? conditions.map((c) => (c.type === type ? next : c)) : [...conditions, next];
}

/** The completion index a pod of an Indexed Job runs (annotation first, label as fallback). */
export function podIndex(pod: Pod): number | undefined {
  const raw = pod.metadata.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata.labels?.[JOB_COMPLETION_INDEX];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** "1,3-5,7": Kubernetes' compressed form of status.completedIndexes. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [lo, hi] = part.split('-').map(Number);
    for (let i = lo; i <= (hi ?? lo); i++) out.add(i);
  }
  return out;
}

/** Pod-recreate delay after `failures` failures: base doubling per failure, capped (k8s: 10 s … 6 min). */
export function backoffDelay(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
}

/** When a pod ended: its latest container termination, else its deletion or creation time. */
export function podFinishedAt(pod: Pod): number {
  let latest = Number.NaN;
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? s.lastState?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && !(latest >= t)) latest = t;
  }
  if (!Number.isNaN(latest)) return latest;
  return Date.parse(pod.metadata.deletionTimestamp ?? pod.metadata.creationTimestamp ?? '') || 0;
}

/** The pod a Job creates: the template, a controller reference and, for Indexed Jobs, its index. */
export function newJobPod(job: Job, index: number | undefined, indexFailures?: number): Pod {
  const template = cloneObject(job.spec?.template ?? {});
  const meta = template.metadata ?? {};
  const spec = template.spec ?? { containers: [] };
  const labels = { ...(meta.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}) };
  const name = job.metadata.name!;
  if (index !== undefined) {
    labels[JOB_COMPLETION_INDEX] = String(index);
    annotations[JOB_COMPLETION_INDEX] = String(index);
    if (job.spec?.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null) annotations[JOB_INDEX_FAILURE_COUNT] = String(indexFailures ?? 0);
    // Indexed pods get a stable hostname, so a headless Service can address each index.
    spec.hostname ??= `${name}-${index}`;
    const env = { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } };
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) c.env = [...(c.env ?? []).filter((e) => e.name !== JOB_COMPLETION_INDEX_ENV), env];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      finalizers: [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

// Job controller (k8s pkg/controller/job): run pods until `completions` succeeded (NonIndexed) or every
// index in [0, completions) succeeded once (Indexed), at most `parallelism` at a time; fail the Job past
// backoffLimit or activeDeadlineSeconds; honour suspend; delete finished Jobs after ttlSecondsAfterFinished
// (the ttl-after-finished controller's job, folded in here). Pods are counted from the cache as in
// Kubernetes' legacy tracking (no job-tracking finalizer); counters never go down, so deleting a
// finished pod does not re-run its work.
import type { Job, JobCondition, JobStatus } from '../../shared/api/batch';
import { isConflict, isNotFound } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import type { Pod } from '../../shared/api/pod';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { JOBS, PODS } from '../client/gvr';
import { indexByOwnerUid, metaNamespaceKey, OWNER_UID_INDEX, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { ControllerExpectations, controllerRefOf, isPodReady } from './deployment/pods';
import {
  backoffDelay, conditionOf, formatIndexes, isJobFinished, newJobPod, parseIndexes, podFinishedAt, podIndex, rfc3339, setCondition,
} from './job-util';

export interface JobControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  workers?: number;
  /** First pod-recreate delay after a failure (Kubernetes: 10 s); doubles per failure. */
  backoffBaseMs?: number;
  /** Cap of the pod-recreate delay (Kubernetes: 6 min). */
  backoffMaxMs?: number;
}

export const DEFAULT_JOB_BACKOFF_BASE_MS = 10_000;
export const DEFAULT_JOB_BACKOFF_MAX_MS = 6 * 60_000;

const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isActive = (p: Pod): boolean => !isTerminal(p) && !p.metadata.deletionTimestamp;

export class JobController {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly jobs: SharedInformer<Job>;
  private readonly pods: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly expectations: ControllerExpectations;
  private readonly backoffBase: number;
  private readonly backoffMax: number;

  constructor(private readonly options: JobControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.backoffBase = options.backoffBaseMs ?? DEFAULT_JOB_BACKOFF_BASE_MS;
    this.backoffMax = options.backoffMaxMs ?? DEFAULT_JOB_BACKOFF_MAX_MS;
    this.queue = new WorkQueue<string>({ name: 'job-controller', clock: this.clock });
    this.expectations = new ControllerExpectations(this.clock);
    this.recorder = new EventRecorder(options.client, { component: 'job-controller', clock: this.clock });
    this.jobs = options.informers.informerFor<Job>(JOBS);
    this.pods = options.informers.informerFor<Pod>(PODS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
    this.jobs.addEventHandler({
      onAdd: (j) => this.queue.add(metaNamespaceKey(j)),
      onUpdate: (_o, j) => this.queue.add(metaNamespaceKey(j)),
      onDelete: (j) => this.expectations.delete(metaNamespaceKey(j)),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p, true),
      onUpdate: (_o, p) => this.podChanged(p, false),
      onDelete: (p) => this.podChanged(p, false, true),
    });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 5, async (key) => {
      try {
        await this.sync(key);
      } catch (e) {
        if (!isConflict(e)) throw e;
        this.queue.addAfter(key, 10);
      }
    });
  }

  stop(): void {
    this.queue.shutDown();
  }

  private podChanged(pod: Pod, added: boolean, deleted = false): void {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'Job') return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    if (added) this.expectations.creationObserved(key);
    if (deleted || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, metaNamespaceKey(pod));
    this.queue.add(key);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const job = this.jobs.lister.get(namespace, name);
    if (!job || job.metadata.deletionTimestamp) return;
    const now = this.clock.nowMs();
    const pods = this.pods.lister.byIndex(OWNER_UID_INDEX, job.metadata.uid!).filter((p) => controllerRefOf(p)?.uid === job.metadata.uid);
    if (isJobFinished(job)) return this.finished(key, job, pods, now);
    if (!this.expectations.satisfied(key)) return;

    const spec = job.spec!;
    const indexed = spec.completionMode === 'Indexed';
    const active = pods.filter(isActive);
    const prev = job.status ?? {};
    const completed = parseIndexes(prev.completedIndexes);
    let succeededPods = 0;
    let failedPods = 0;
    for (const p of pods) {
      if (p.status?.phase === 'Succeeded') {
        succeededPods++;
        const i = podIndex(p);
        if (indexed && i !== undefined && i < (spec.completions ?? 0)) completed.add(i);
      } else if (p.status?.phase === 'Failed') failedPods++;
    }
    const succeeded = indexed ? Math.max(prev.succeeded ?? 0, completed.size) : Math.max(prev.succeeded ?? 0, succeededPods);
    const failed = Math.max(prev.failed ?? 0, failedPods);
    // restartPolicy OnFailure: the kubelet restarts failing containers in place; each restart is a failure.
    const restarts = spec.template.spec?.restartPolicy === 'OnFailure'
      ? active.reduce((n, p) => n + Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0)), 0)
      : 0;

    let conditions: JobCondition[] = (prev.conditions ?? []).map((c) => ({ ...c }));
    const status: JobStatus = { ...cloneObject(prev), succeeded, failed, ready: active.filter(isPodReady).length };
    if (indexed) status.completedIndexes = formatIndexes(completed);
    const target = eventTarget(job);

    if (spec.suspend) {
      if (conditionOf(job, 'Suspended')?.status !== 'True') {
        conditions = setCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
        this.recorder.event(target, 'Normal', 'Suspended', 'Job suspended');
      }
      await this.deletePods(key, job, active);
      delete status.startTime;
      status.active = 0;
      status.conditions = conditions;
      return this.writeStatus(job, status);
    }
    if (conditionOf(job, 'Suspended')?.status === 'True') {
      conditions = setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
      this.recorder.event(target, 'Normal', 'Resumed', 'Job resumed');
    }
    status.startTime ??= rfc3339(now);
    const started = Date.parse(status.startTime);

    // Failure: FailureTarget first, active pods terminated, then Failed (as 1.31+ orders them).
    let failure = conditionOf(job, 'FailureTarget')?.status === 'True' ? { reason: conditionOf(job, 'FailureTarget')!.reason!, message: conditionOf(job, 'FailureTarget')!.message! } : undefined;
    if (!failure && failed + restarts > (spec.backoffLimit ?? 6)) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    const deadline = spec.activeDeadlineSeconds;
    if (!failure && deadline !== undefined && now - started >= deadline * 1000) failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    if (failure) {
      if (!conditionOf(job, 'FailureTarget')) {
        conditions = setCondition(conditions, 'FailureTarget', 'True', failure.reason, failure.message, now);
        this.recorder.event(target, 'Warning', failure.reason, failure.message);
      }
      await this.deletePods(key, job, active);
      const terminating = pods.filter((p) => !isTerminal(p));
      status.active = 0;
      status.terminating = terminating.length;
      if (terminating.length === 0 || active.length === 0) {
        conditions = setCondition(conditions, 'Failed', 'True', failure.reason, failure.message, now);
      }
      status.conditions = conditions;
      return this.writeStatus(job, status);
    }
    if (deadline !== undefined) this.queue.addAfter(key, Math.max(1, started + deadline * 1000 - now));

    // Success: the criteria are met once enough pods succeeded; Complete follows when none is left running.
    const completions = spec.completions;
    const done = indexed ? completed.size >= (completions ?? 0) : completions !== undefined && completions !== null ? succeeded >= completions : succeeded > 0 && active.length === 0;
    if (done) {
      if (conditionOf(job, 'SuccessCriteriaMet')?.status !== 'True') conditions = setCondition(conditions, 'SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      await this.deletePods(key, job, active);
      status.active = 0;
      conditions = setCondition(conditions, 'Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      status.completionTime = rfc3339(now);
      status.conditions = conditions;
      this.recorder.event(target, 'Normal', 'Completed', 'Job completed');
      return this.writeStatus(job, status);
    }

    const activeCount = await this.managePods(key, job, active, { succeeded, failed, completed, now });
    status.active = activeCount;
    if (conditions.length) status.conditions = conditions;
    await this.writeStatus(job, status);
  }

  /** Creates or deletes pods toward min(parallelism, work left); returns the resulting active count. */
  private async managePods(key: string, job: Job, active: Pod[], s: { succeeded: number; failed: number; completed: Set<number>; now: number }): Promise<number> {
    const spec = job.spec!;
    const parallelism = spec.parallelism ?? 1;
    const indexed = spec.completionMode === 'Indexed';
    let wanted: number;
    const toIndex: number[] = [];
    if (indexed) {
      const running = new Set(active.map(podIndex));
      for (let i = 0; i < (spec.completions ?? 0) && toIndex.length + running.size < parallelism; i++) {
        if (!s.completed.has(i) && !running.has(i)) toIndex.push(i);
      }
      wanted = Math.min(parallelism, active.length + toIndex.length);
    } else if (spec.completions === undefined || spec.completions === null) {
      // A work queue: once any pod succeeded, no new ones start; the rest finish on their own.
      wanted = s.succeeded > 0 ? active.length : parallelism;
    } else {
      wanted = Math.min(parallelism, spec.completions - s.succeeded);
    }
    if (active.length > wanted) {
      const extra = [...active].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')).slice(0, active.length - wanted);
      await this.deletePods(key, job, extra);
      return wanted;
    }
    const missing = wanted - active.length;
    if (missing <= 0) return active.length;
    // Pod-recreate backoff: after failures, wait base·2^(n-1) (capped) from the last failure.
    if (s.failed > 0) {
      const lastFailure = Math.max(0, ...this.pods.lister.byIndex(OWNER_UID_INDEX, job.metadata.uid!).filter((p) => p.status?.phase === 'Failed').map(podFinishedAt));
      const readyAt = lastFailure + backoffDelay(s.failed, this.backoffBase, this.backoffMax);
      if (readyAt > s.now) {
        this.queue.addAfter(key, readyAt - s.now);
        return active.length;
      }
    }
    const indexes: Array<number | undefined> = indexed ? toIndex.slice(0, missing) : Array.from({ length: missing }, () => undefined);
    this.expectations.expectCreations(key, indexes.length);
    const target = eventTarget(job);
    let created = 0;
    for (const index of indexes) {
      try {
        const pod = await this.options.client.pods<Pod>().create(job.metadata.namespace, newJobPod(job, index));
        this.recorder.event(target, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        created++;
      } catch (e) {
        for (let i = created; i < indexes.length; i++) this.expectations.creationObserved(key);
        this.recorder.event(target, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
    }
    return active.length + created;
  }

  private async deletePods(key: string, job: Job, pods: Pod[]): Promise<void> {
    if (!pods.length) return;
    this.expectations.expectDeletions(key, pods.map((p) => metaNamespaceKey(p)));
    const target = eventTarget(job);
    await Promise.all(pods.map(async (pod) => {
      try {
        await this.options.client.pods().delete(pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
        this.recorder.event(target, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (e) {
        this.expectations.deletionObserved(key, metaNamespaceKey(pod));
        if (!isNotFound(e)) throw e;
      }
    }));
  }

  /** A finished Job: make sure nothing runs, then honour ttlSecondsAfterFinished. */
  private async finished(key: string, job: Job, pods: Pod[], now: number): Promise<void> {
    const active = pods.filter(isActive);
    if (active.length) await this.deletePods(key, job, active);
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null) return;
    const finishedCond = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const finishedAt = Date.parse(job.status?.completionTime ?? finishedCond?.lastTransitionTime ?? '') || now;
    const expireAt = finishedAt + ttl * 1000;
    if (expireAt > now) {
      this.queue.addAfter(key, expireAt - now);
      return;
    }
    await this.options.client.jobs().delete(job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } })
      .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
  }

  private async writeStatus(job: Job, status: JobStatus): Promise<void> {
    if (JSON.stringify(stripVolatile(job.status ?? {})) === JSON.stringify(stripVolatile(status))) return;
    await this.options.client.jobs<Job>().updateStatus(job.metadata.namespace, { ...cloneObject(job), status })
      .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
  }
}

// Status fields whose absence and zero mean the same; compared without them to skip no-op writes.
function stripVolatile(s: JobStatus): JobStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (v !== undefined && v !== 0 && v !== '') out[k] = v;
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]])) as JobStatus;
}

function eventTarget(job: Job): KubeObject {
  return { ...job, apiVersion: 'batch/v1', kind: 'Job' };
}

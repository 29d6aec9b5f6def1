// Job controller (k8s pkg/controller/job): run pods until `completions` succeeded (NonIndexed) or every
// index in [0, completions) succeeded once (Indexed), at most `parallelism` at a time; fail the Job past
// backoffLimit or activeDeadlineSeconds; honour suspend; delete finished Jobs after ttlSecondsAfterFinished
// (the ttl-after-finished controller's job, folded in here). Pods are counted with the
// `batch.kubernetes.io/job-tracking` finalizer and status.uncountedTerminatedPods, as Kubernetes 1.26+
// does, so a finished pod deleted by anyone is still counted exactly once.
import type { Job, JobCondition, JobStatus } from '../../shared/api/batch';
import { isNotFound } from '../../shared/api/errors';
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
  backoffDelay, conditionOf, formatIndexes, hasTrackingFinalizer, isJobFinished, JOB_INDEX_FAILURE_COUNT, newJobPod, parseIndexes, podFinishedAt, podIndex, rfc3339, setCondition,
} from './job-util';
import { JobPodTracking } from './job-tracking';
import { sameValue } from './statefulset-util';

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
  private readonly tracking: JobPodTracking;

  constructor(private readonly options: JobControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.backoffBase = options.backoffBaseMs ?? DEFAULT_JOB_BACKOFF_BASE_MS;
    this.backoffMax = options.backoffMaxMs ?? DEFAULT_JOB_BACKOFF_MAX_MS;
    this.queue = new WorkQueue<string>({ name: 'job-controller', clock: this.clock });
    this.expectations = new ControllerExpectations(this.clock);
    this.tracking = new JobPodTracking(options.client);
    this.recorder = new EventRecorder(options.client, { component: 'job-controller', clock: this.clock });
    this.jobs = options.informers.informerFor<Job>(JOBS);
    this.pods = options.informers.informerFor<Pod>(PODS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
    this.jobs.addEventHandler({
      onAdd: (j) => this.queue.add(metaNamespaceKey(j)),
      onUpdate: (_o, j) => this.queue.add(metaNamespaceKey(j)),
      onDelete: (j) => {
        this.expectations.delete(metaNamespaceKey(j));
        this.tracking.forget(metaNamespaceKey(j));
        // Pods still holding the finalizer are released by podChanged as their events arrive.
        for (const p of this.pods.lister.byIndex(OWNER_UID_INDEX, j.metadata.uid!)) if (hasTrackingFinalizer(p)) void this.tracking.release(p).catch(() => undefined);
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p, true),
      onUpdate: (_o, p) => this.podChanged(p, false),
      onDelete: (p) => this.podChanged(p, false, true),
    });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 5, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  private podChanged(pod: Pod, added: boolean, deleted = false): void {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'Job') return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    this.tracking.observed(key, pod, deleted);
    // The Job is gone (e.g. deleted with background propagation): its pods must not stay stuck.
    if (!deleted && hasTrackingFinalizer(pod) && this.jobs.hasSynced() && this.jobs.lister.get(pod.metadata.namespace, ref.name)?.metadata.uid !== ref.uid) {
      void this.tracking.release(pod).catch(() => this.queue.add(key));
      return;
    }
    if (added) this.expectations.creationObserved(key);
    if (deleted || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, metaNamespaceKey(pod));
    this.queue.add(key);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const job = this.jobs.lister.get(namespace, name);
    if (!job) return;
    const now = this.clock.nowMs();
    const pods = this.pods.lister.byIndex(OWNER_UID_INDEX, job.metadata.uid!).filter((p) => controllerRefOf(p)?.uid === job.metadata.uid);
    // A Job on its way out (foreground deletion) must not hold its pods back.
    if (job.metadata.deletionTimestamp) return this.tracking.releaseAll(pods.filter(hasTrackingFinalizer));
    if (!this.tracking.cachesCaughtUp(key, job)) return;
    if (isJobFinished(job)) return this.finished(key, job, pods, now);
    if (!this.expectations.satisfied(key)) return;

    const spec = job.spec!;
    const indexed = spec.completionMode === 'Indexed';
    const active = pods.filter(isActive);
    const prev = job.status ?? {};
    const completed = parseIndexes(prev.completedIndexes);
    const { counted, succeeded, failed, uncounted, release, failJob, failIndexes } = this.tracking.track(key, job, pods, completed, now);
    // backoffLimitPerIndex (Indexed): an index failing more often than that is given up, not the Job.
    const perIndex = indexed && spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null;
    const indexFailures = perIndex ? failuresPerIndex(pods) : new Map<number, number>();
    const failedIndexes = parseIndexes(prev.failedIndexes);
    for (const [i, n] of indexFailures) if (n > spec.backoffLimitPerIndex! && !completed.has(i)) failedIndexes.add(i);
    if (perIndex) for (const i of failIndexes) failedIndexes.add(i);
    // restartPolicy OnFailure: the kubelet restarts failing containers in place; each restart is a failure.
    const restarts = spec.template.spec?.restartPolicy === 'OnFailure'
      ? active.reduce((n, p) => n + Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0)), 0)
      : 0;

    let conditions: JobCondition[] = (prev.conditions ?? []).map((c) => ({ ...c }));
    const status: JobStatus = { ...cloneObject(prev), succeeded: counted.succeeded, failed: counted.failed, ready: active.filter(isPodReady).length, uncountedTerminatedPods: uncounted };
    if (indexed) status.completedIndexes = formatIndexes(completed);
    if (perIndex) status.failedIndexes = formatIndexes(failedIndexes);
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
      return this.writeStatus(job, status, release);
    }
    if (conditionOf(job, 'Suspended')?.status === 'True') {
      conditions = setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
      this.recorder.event(target, 'Normal', 'Resumed', 'Job resumed');
    }
    status.startTime ??= rfc3339(now);
    const started = Date.parse(status.startTime);

    // Failure: FailureTarget first, active pods terminated, then Failed (as 1.31+ orders them).
    let failure = conditionOf(job, 'FailureTarget')?.status === 'True' ? { reason: conditionOf(job, 'FailureTarget')!.reason!, message: conditionOf(job, 'FailureTarget')!.message! } : undefined;
    if (!failure && failJob) failure = { reason: 'PodFailurePolicy', message: failJob };
    const maxFailed = spec.maxFailedIndexes;
    if (!failure && perIndex && maxFailed !== undefined && maxFailed !== null && failedIndexes.size > maxFailed) {
      failure = { reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' };
    }
    if (!failure && perIndex && failedIndexes.size && active.length === 0 && completed.size + failedIndexes.size >= (spec.completions ?? 0)) {
      failure = { reason: 'FailedIndexes', message: 'Job has failed indexes' };
    }
    if (!failure && !perIndex && failed + restarts > (spec.backoffLimit ?? 6)) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
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
      return this.writeStatus(job, status, release);
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
      return this.writeStatus(job, status, release);
    }

    // podReplacementPolicy Failed (the default with a podFailurePolicy): replacements wait for terminating pods to be gone.
    const terminating = pods.filter((p) => p.metadata.deletionTimestamp && !isTerminal(p)).length;
    const replaceWhenFailed = (spec.podReplacementPolicy ?? (spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed')) === 'Failed';
    const activeCount = await this.managePods(key, job, active, { succeeded, failed, completed, now, holdBack: replaceWhenFailed ? terminating : 0, failedIndexes, indexFailures });
    status.active = activeCount;
    status.terminating = terminating;
    if (conditions.length) status.conditions = conditions;
    await this.writeStatus(job, status, release);
  }

  /** Creates or deletes pods toward min(parallelism, work left); returns the resulting active count. */
  private async managePods(key: string, job: Job, active: Pod[], s: { succeeded: number; failed: number; completed: Set<number>; now: number; holdBack: number; failedIndexes: Set<number>; indexFailures: Map<number, number> }): Promise<number> {
    const spec = job.spec!;
    const parallelism = spec.parallelism ?? 1;
    const indexed = spec.completionMode === 'Indexed';
    let wanted: number;
    const toIndex: number[] = [];
    if (indexed) {
      const running = new Set(active.map(podIndex));
      for (let i = 0; i < (spec.completions ?? 0) && toIndex.length + running.size < parallelism; i++) {
        if (!s.completed.has(i) && !running.has(i) && !s.failedIndexes.has(i)) toIndex.push(i);
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
    const missing = wanted - active.length - s.holdBack;
    if (missing <= 0) return active.length;
    // Pod-recreate backoff: after failures, wait base·2^(n-1) (capped) from the last failure.
    if (s.failed > 0) {
      const lastFailure = this.tracking.lastFailure.get(key) ?? Math.max(0, ...this.pods.lister.byIndex(OWNER_UID_INDEX, job.metadata.uid!).filter((p) => p.status?.phase === 'Failed').map(podFinishedAt));
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
        const pod = await this.options.client.pods<Pod>().create(job.metadata.namespace, newJobPod(job, index, index === undefined ? undefined : s.indexFailures.get(index)));
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
    for (const pod of pods) this.tracking.deletedByController.add(pod.metadata.uid!);
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
    // Pods that ended as the Job finished are still counted; then none keeps the tracking finalizer.
    const completed = parseIndexes(job.status?.completedIndexes);
    const { counted, uncounted, release } = this.tracking.track(key, job, pods, completed, now);
    const status: JobStatus = { ...cloneObject(job.status ?? {}), succeeded: counted.succeeded, failed: counted.failed, uncountedTerminatedPods: uncounted };
    if (job.spec?.completionMode === 'Indexed') status.completedIndexes = formatIndexes(completed);
    await this.writeStatus(job, status, release);
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

  /** Status first, then the finalizers: a pod is released only once the status has recorded it. */
  private async writeStatus(job: Job, status: JobStatus, release: Pod[] = []): Promise<void> {
    if (!sameValue(stripVolatile(job.status ?? {}), stripVolatile(status))) {
      try {
        const fresh = await this.options.client.jobs<Job>().updateStatus(job.metadata.namespace, { ...cloneObject(job), status });
        this.tracking.statusWritten(metaNamespaceKey(job), fresh.metadata.resourceVersion!);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
    await this.tracking.releaseAll(release);
  }
}

// Status fields whose absence and zero mean the same; compared without them to skip no-op writes.
function stripVolatile(s: JobStatus): JobStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    const empty = v === undefined || v === 0 || v === '' || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
    if (!empty) out[k] = v;
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]])) as JobStatus;
}

function eventTarget(job: Job): KubeObject {
  return { ...job, apiVersion: 'batch/v1', kind: 'Job' };
}

/** Failures per completion index: the most any pod of the index carries (its annotation, +1 if it failed). */
function failuresPerIndex(pods: Pod[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of pods) {
    const i = podIndex(p);
    if (i === undefined) continue;
    const n = Number(p.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT] ?? 0) + (p.status?.phase === 'Failed' ? 1 : 0);
    out.set(i, Math.max(out.get(i) ?? 0, n));
  }
  return out;
}

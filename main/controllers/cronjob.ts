// CronJob controller (k8s pkg/controller/cronjob, the v2 controller): at each scheduled time (in
// spec.timeZone) create the Job `<cronjob>-<scheduled time in minutes since the epoch>` from the job
// template, honouring suspend, concurrencyPolicy, startingDeadlineSeconds and the history limits; keep
// status.active/lastScheduleTime/lastSuccessfulTime. Time comes from the injected Clock and the next run
// is a delayed requeue, so tests drive schedules with a FakeClock.
import type { CronJob, CronJobStatus, Job } from '../../shared/api/batch';
import { isAlreadyExists, isConflict, isNotFound } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { CRONJOBS, JOBS } from '../client/gvr';
import { indexByOwnerUid, metaNamespaceKey, OWNER_UID_INDEX, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { formatInZone, parseSchedule, type Schedule } from './cronjob-schedule';
import { controllerRefOf } from './deployment/pods';
import { conditionOf, isJobFinished, rfc3339 } from './job-util';
import { sameValue } from './statefulset-util';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Kubernetes warns past this many missed start times (and still starts only the most recent). */
export const MAX_MISSED_TIMES = 100;

export interface CronJobControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  workers?: number;
}

export class CronJobController {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly cronJobs: SharedInformer<CronJob>;
  private readonly jobs: SharedInformer<Job>;
  private readonly recorder: EventRecorder;

  constructor(private readonly options: CronJobControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: 'cronjob-controller', clock: this.clock });
    this.recorder = new EventRecorder(options.client, { component: 'cronjob-controller', clock: this.clock });
    this.cronJobs = options.informers.informerFor<CronJob>(CRONJOBS);
    this.jobs = options.informers.informerFor<Job>(JOBS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
    const enqueue = (o: KubeObject): void => this.queue.add(metaNamespaceKey(o));
    this.cronJobs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, c) => enqueue(c), onDelete: () => undefined });
    const jobEvent = (j: Job): void => {
      const ref = controllerRefOf(j);
      if (ref?.kind === 'CronJob') this.queue.add(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobs.addEventHandler({ onAdd: jobEvent, onUpdate: (_o, j) => jobEvent(j), onDelete: jobEvent });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 2, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cj = this.cronJobs.lister.get(namespace, name);
    if (!cj) return;
    const now = this.clock.nowMs();
    const target: KubeObject = { ...cj, apiVersion: 'batch/v1', kind: 'CronJob' };
    const owned = this.jobs.lister.byIndex(OWNER_UID_INDEX, cj.metadata.uid!).filter((j) => controllerRefOf(j)?.uid === cj.metadata.uid);
    const status: CronJobStatus = cloneObject(cj.status ?? {});
    this.reconcileActive(cj, status, owned, target);
    if (!cj.metadata.deletionTimestamp) {
      await this.cleanupHistory(cj, owned, target);
      if (!cj.spec?.suspend) await this.schedule(key, cj, status, now, target);
    }
    await this.writeStatus(cj, status);
  }

  /** status.active lists exactly the unfinished Jobs this CronJob owns; finished ones are reported once. */
  private reconcileActive(cj: CronJob, status: CronJobStatus, owned: Job[], target: KubeObject): void {
    const byUid = new Map(owned.map((j) => [j.metadata.uid, j]));
    const active = [];
    for (const ref of status.active ?? []) {
      const job = byUid.get(ref.uid);
      if (!job) continue;
      if (isJobFinished(job)) {
        const complete = conditionOf(job, 'Complete')?.status === 'True';
        this.recorder.event(target, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${complete ? 'Complete' : 'Failed'}`);
        if (complete && job.status?.completionTime && (!status.lastSuccessfulTime || job.status.completionTime > status.lastSuccessfulTime)) {
          status.lastSuccessfulTime = job.status.completionTime;
        }
        continue;
      }
      active.push(ref);
    }
    for (const job of owned) {
      if (!isJobFinished(job) && !active.some((r) => r.uid === job.metadata.uid) && !job.metadata.deletionTimestamp) active.push(jobRef(job));
    }
    if (active.length) status.active = active;
    else delete status.active;
  }

  private async schedule(key: string, cj: CronJob, status: CronJobStatus, now: number, target: KubeObject): Promise<void> {
    const timeZone = cj.spec?.timeZone ?? 'UTC';
    let sched: Schedule;
    try {
      sched = parseSchedule(cj.spec!.schedule, timeZone);
    } catch (e) {
      const reason = e instanceof RangeError ? 'UnknownTimeZone' : 'UnparseableSchedule';
      const message = e instanceof RangeError ? `invalid timeZone: "${timeZone}": unknown time zone ${timeZone}` : `unparseable schedule: "${cj.spec?.schedule}" : ${(e as Error).message}`;
      this.recorder.event(target, 'Warning', reason, message);
      return;
    }
    // The most recent unmet schedule time since the last run (or creation), within the starting deadline.
    let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
    let scheduled: number | undefined;
    let missed = 0;
    for (let t = sched.next(earliest); t !== undefined && t <= now; t = sched.next(t)) {
      scheduled = t;
      if (++missed > 100_000) break;
    }
    const nextRun = sched.next(now);
    if (nextRun !== undefined) this.queue.addAfter(key, Math.max(1, nextRun - now));
    if (scheduled === undefined) return;
    if (missed > MAX_MISSED_TIMES) {
      this.recorder.event(target, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const name = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
    if (this.jobs.lister.get(cj.metadata.namespace, name) || (status.active ?? []).some((r) => r.name === name)) return;
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && status.active?.length) {
      // The time stays unmet: it starts once the running Job ends, if still within the starting deadline.
      this.recorder.event(target, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return;
    }
    if (policy === 'Replace') {
      for (const ref of status.active ?? []) {
        await this.options.client.jobs().delete(cj.metadata.namespace, ref.name!, { propagationPolicy: 'Background' })
          .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
        this.recorder.event(target, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
      }
      delete status.active;
    }
    const job = jobFromTemplate(cj, name, scheduled, timeZone);
    let created: Job;
    try {
      created = await this.options.client.jobs<Job>().create(cj.metadata.namespace, job);
      this.recorder.event(target, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.recorder.event(target, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
        throw e;
      }
      created = await this.options.client.jobs<Job>().get(cj.metadata.namespace, name);
    }
    status.active = [...(status.active ?? []).filter((r) => r.uid !== created.metadata.uid), jobRef(created)];
    status.lastScheduleTime = rfc3339(scheduled);
  }

  /** successfulJobsHistoryLimit (default 3) and failedJobsHistoryLimit (default 1): oldest finished Jobs go. */
  private async cleanupHistory(cj: CronJob, owned: Job[], target: KubeObject): Promise<void> {
    const finished = owned.filter((j) => isJobFinished(j) && !j.metadata.deletionTimestamp);
    const byAge = (a: Job, b: Job): number => (a.status?.startTime ?? a.metadata.creationTimestamp ?? '').localeCompare(b.status?.startTime ?? b.metadata.creationTimestamp ?? '');
    const groups: Array<[Job[], number]> = [
      [finished.filter((j) => conditionOf(j, 'Complete')?.status === 'True').sort(byAge), cj.spec?.successfulJobsHistoryLimit ?? 3],
      [finished.filter((j) => conditionOf(j, 'Failed')?.status === 'True').sort(byAge), cj.spec?.failedJobsHistoryLimit ?? 1],
    ];
    for (const [jobs, limit] of groups) {
      for (const job of jobs.slice(0, Math.max(0, jobs.length - limit))) {
        await this.options.client.jobs().delete(job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } })
          .catch((e: unknown) => { if (!isNotFound(e) && !isConflict(e)) throw e; });
        this.recorder.event(target, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      }
    }
  }

  private async writeStatus(cj: CronJob, status: CronJobStatus): Promise<void> {
    if (sameValue(cj.status ?? {}, status)) return;
    await this.options.client.cronJobs<CronJob>().updateStatus(cj.metadata.namespace, { ...cloneObject(cj), status })
      .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
  }
}

function jobRef(job: Job): NonNullable<CronJobStatus['active']>[number] {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace: job.metadata.namespace, uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion };
}

/** getJobFromTemplate2: the template's metadata and spec, owned by the CronJob, stamped with its scheduled time. */
export function jobFromTemplate(cj: CronJob, name: string, scheduledMs: number, timeZone: string): Job {
  const template = cloneObject(cj.spec?.jobTemplate ?? {});
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduledMs, timeZone) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name!, uid: cj.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: template.spec!,
  };
}

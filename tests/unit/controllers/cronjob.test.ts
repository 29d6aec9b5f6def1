// CronJob controller driven by a FakeClock, plus the cron schedule arithmetic it relies on.
import { afterEach, describe, expect, it } from 'vitest';
import type { CronJob, Job } from '../../../shared/api/batch';
import { isConflict } from '../../../shared/api/errors';
import type { KubeClient } from '../../../main/client/client';
import type { FakeClock } from '../../../main/client/clock';
import { formatInZone, parseSchedule } from '../../../main/controllers/cronjob-schedule';
import { eventsFor, NS, sleep, startStack, stopAll, until } from './deployment-support';

afterEach(stopAll);

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cron schedules', () => {
  it('standard fields, steps, names and descriptors', () => {
    expect(iso(parseSchedule('*/15 * * * *').next(at('2026-03-01T10:07:30Z')))).toBe('2026-03-01T10:15:00.000Z');
    expect(iso(parseSchedule('@hourly').next(at('2026-03-01T10:00:00Z')))).toBe('2026-03-01T11:00:00.000Z');
    expect(iso(parseSchedule('30 2 * feb mon').next(at('2026-01-10T00:00:00Z')))).toBe('2026-02-02T02:30:00.000Z');
    expect(iso(parseSchedule('0 0 1 1 *').next(at('2026-06-01T00:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
    expect(iso(parseSchedule('@every 90s').next(at('2026-03-01T10:00:00Z')))).toBe('2026-03-01T10:01:30.000Z');
    // Day of month and day of week are ORed when both are restricted: the 13th, or any Friday.
    expect(iso(parseSchedule('0 0 13 * 5').next(at('2026-03-01T00:00:00Z')))).toBe('2026-03-06T00:00:00.000Z');
    expect(iso(parseSchedule('0 0 13 * *').next(at('2026-03-01T00:00:00Z')))).toBe('2026-03-13T00:00:00.000Z');
  });

  it('time zones, including a DST change, and the scheduled-timestamp format', () => {
    // 09:00 in New York is 14:00Z in winter and 13:00Z in summer (DST began 2026-03-08).
    const ny = parseSchedule('0 9 * * *', 'America/New_York');
    expect(iso(ny.next(at('2026-03-06T00:00:00Z')))).toBe('2026-03-06T14:00:00.000Z');
    expect(iso(ny.next(at('2026-03-09T00:00:00Z')))).toBe('2026-03-09T13:00:00.000Z');
    expect(formatInZone(at('2026-03-09T13:00:00Z'), 'America/New_York')).toBe('2026-03-09T09:00:00-04:00');
    expect(formatInZone(at('2026-03-09T13:00:00Z'), 'UTC')).toBe('2026-03-09T13:00:00Z');
    expect(() => parseSchedule('* * * * *', 'Mars/Olympus')).toThrow(RangeError);
  });
});

function cronJob(name: string, spec: Partial<NonNullable<CronJob['spec']>> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: NS },
    spec: {
      schedule: '* * * * *',
      // Suspended Jobs: the Job controller leaves them alone, so the test decides how each one ends.
      jobTemplate: { metadata: { labels: { cron: name } }, spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'bosun-test/busybox', command: ['true'] }] } } } },
      ...spec,
    },
  };
}

const jobsOf = async (client: KubeClient, name: string): Promise<Job[]> =>
  (await client.jobs<Job>().list(NS, { labelSelector: `cron=${name}` })).items.filter((j) => !j.metadata.deletionTimestamp);
const getCron = (client: KubeClient, name: string): Promise<CronJob> => client.cronJobs<CronJob>().get(NS, name);

async function endJob(client: KubeClient, clock: FakeClock, name: string, type: 'Complete' | 'Failed'): Promise<void> {
  const now = clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
  for (;;) {
    const job = await client.jobs<Job>().get(NS, name);
    const conditions = [{ type, status: 'True' as const, reason: type === 'Complete' ? 'CompletionsReached' : 'BackoffLimitExceeded', lastTransitionTime: now }];
    try {
      await client.jobs<Job>().updateStatus(NS, { ...job, status: { ...job.status, conditions, startTime: job.status?.startTime ?? now, ...(type === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 }) } });
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
}

/** Moves the fake clock to just past the next whole minute. */
function nextMinute(clock: FakeClock): number {
  const target = Math.floor(clock.nowMs() / 60_000) * 60_000 + 60_000;
  clock.step(target - clock.nowMs() + 1_000);
  return target;
}

describe('cronjob controller', () => {
  it('creates <name>-<minutes> at each scheduled minute with the scheduled-timestamp annotation; tracks active and lastSuccessfulTime', async () => {
    const { client, clock } = await startStack({ ready: false });
    const createdMinute = Math.floor(clock.nowMs() / 60_000);
    await client.cronJobs().create(NS, cronJob('tick'));
    await sleep(200);
    // (Unless the pumped clock crossed a minute meanwhile) nothing runs before the first scheduled time.
    if (Math.floor(clock.nowMs() / 60_000) === createdMinute) expect(await jobsOf(client, 'tick')).toHaveLength(0);
    const first = nextMinute(clock);
    const job = await until(async () => (await jobsOf(client, 'tick')).find((j) => j.metadata.name === `tick-${first / 60_000}`));
    expect(job.metadata.name).toBe(`tick-${first / 60_000}`);
    expect(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date(first).toISOString().replace('.000Z', 'Z'));
    expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'tick', controller: true })]);
    let cj = await until(async () => { const c = await getCron(client, 'tick'); return c.status?.active?.some((r) => r.name === job.metadata.name) ? c : undefined; });
    expect(cj.status?.lastScheduleTime).toBe(new Date(first).toISOString().replace('.000Z', 'Z'));
    expect(cj.status?.active?.find((r) => r.name === job.metadata.name)).toMatchObject({ kind: 'Job', uid: job.metadata.uid });

    await endJob(client, clock, job.metadata.name!, 'Complete');
    cj = await until(async () => { const c = await getCron(client, 'tick'); return c.status?.lastSuccessfulTime && !c.status.active?.some((r) => r.name === job.metadata.name) ? c : undefined; });
    const messages = await until(async () => {
      const m = (await eventsFor(client, 'tick')).map((e) => e.message);
      return m.includes(`Saw completed job: ${job.metadata.name}, condition: Complete`) ? m : undefined;
    });
    expect(messages).toContain(`Created job ${job.metadata.name}`);

    const second = nextMinute(clock);
    await until(async () => (await jobsOf(client, 'tick')).some((j) => j.metadata.name === `tick-${second / 60_000}`));
  });

  it('concurrencyPolicy Forbid skips while a Job runs; Replace deletes the running Job; suspend stops scheduling', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.cronJobs().create(NS, cronJob('forbid', { concurrencyPolicy: 'Forbid' }));
    await client.cronJobs().create(NS, cronJob('replace', { concurrencyPolicy: 'Replace' }));
    await client.cronJobs().create(NS, cronJob('paused', { suspend: true }));
    nextMinute(clock);
    await until(async () => (await jobsOf(client, 'forbid')).length === 1 && (await jobsOf(client, 'replace')).length === 1);
    const replaced = (await jobsOf(client, 'replace'))[0].metadata.name;
    const second = nextMinute(clock);
    await until(async () => (await jobsOf(client, 'replace')).map((j) => j.metadata.name).join() === `replace-${second / 60_000}`);
    await until(async () => (await eventsFor(client, 'forbid')).some((e) => e.reason === 'JobAlreadyActive'));
    expect(await jobsOf(client, 'forbid')).toHaveLength(1);
    await until(async () => (await eventsFor(client, 'replace')).some((e) => e.message === `Deleted job ${replaced}`));
    expect(await jobsOf(client, 'paused')).toHaveLength(0);
  });

  it('history limits delete the oldest finished Jobs', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.cronJobs().create(NS, cronJob('hist', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }));
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const t = nextMinute(clock);
      const name = `hist-${t / 60_000}`;
      await until(async () => (await jobsOf(client, 'hist')).some((j) => j.metadata.name === name));
      await endJob(client, clock, name, 'Complete');
      names.push(name);
    }
    await until(async () => (await jobsOf(client, 'hist')).map((j) => j.metadata.name).join() === names[2]);
  });

  it('more than 100 missed start times: a warning, and only the most recent one starts', async () => {
    // A fresh stack, so the fake clock still agrees with the apiserver's creationTimestamp.
    const { client, clock } = await startStack({ ready: false });
    await client.cronJobs().create(NS, cronJob('late'));
    await sleep(100);
    clock.step(150 * 60_000);
    await until(async () => (await eventsFor(client, 'late')).some((e) => e.reason === 'TooManyMissedTimes'));
    const late = await until(async () => { const j = await jobsOf(client, 'late'); return j.length ? j : undefined; });
    expect(late).toHaveLength(1);
    expect(late[0].metadata.name).toBe(`late-${Math.floor(clock.nowMs() / 60_000)}`);
  });
});

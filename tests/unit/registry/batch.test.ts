import { describe, expect, it } from 'vitest';
import { cronjobs } from '../../../main/apiserver/registry/cronjobs';
import { cronScheduleError } from '../../../main/apiserver/registry/cron-schedule';
import { jobs } from '../../../main/apiserver/registry/jobs';
import { cells, clone, created, createErrors, updateErrors } from './helpers';

const UID = '5f1c1a8e-0000-4000-8000-000000000001';

const job = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'default', uid: UID, ...meta },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34' }] } },
    ...spec,
  },
});

describe('job', () => {
  it('defaults and generates the controller-uid selector like the job strategy', () => {
    const j = created(jobs, job()) as any;
    const labels = {
      'batch.kubernetes.io/controller-uid': UID,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': UID,
      'job-name': 'pi',
    };
    expect(j.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
    });
    expect(j.spec.manualSelector).toBeUndefined();
    expect(j.spec.template.metadata.labels).toEqual(labels);
    expect(j.spec.template.spec.dnsPolicy).toBe('ClusterFirst');
    expect(createErrors(jobs, job())).toEqual([]);
  });

  it('job labels default to the template labels', () => {
    const j = created(jobs, job({ template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } })) as any;
    expect(j.metadata.labels).toEqual({ app: 'pi' });
  });

  it('parallelism alone leaves completions unset', () => {
    const j = created(jobs, job({ parallelism: 3 })) as any;
    expect(j.spec.completions).toBeUndefined();
    expect(j.spec.parallelism).toBe(3);
  });

  it('manualSelector keeps the user selector and requires it', () => {
    expect(createErrors(jobs, job({ manualSelector: true }))).toEqual(['spec.selector: Required value']);
    const manual = job({
      manualSelector: true,
      selector: { matchLabels: { app: 'pi' } },
      template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } },
    });
    const j = created(jobs, manual) as any;
    expect(j.spec.selector).toEqual({ matchLabels: { app: 'pi' } });
    expect(createErrors(jobs, manual)).toEqual([]);
  });

  it('a wrong controller-uid in the selector is rejected', () => {
    const bad = job({ selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'other' } } });
    expect(createErrors(jobs, bad)).toContain("spec.selector.matchLabels[batch.kubernetes.io/controller-uid]: Invalid value: \"other\": must be '" + UID + "'");
  });

  it('restartPolicy must be OnFailure or Never', () => {
    const errs = createErrors(jobs, job({ template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } }));
    expect(errs).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  });

  it('template and selector are immutable', () => {
    const old = created(jobs, job());
    const next = clone(old) as any;
    next.spec.template.spec.containers[0].image = 'perl:6';
    const errs = updateErrors(jobs, old, next);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^spec.template: Invalid value: .*: field is immutable$/);
    const suspended = clone(old) as any;
    suspended.spec.suspend = true;
    expect(updateErrors(jobs, old, suspended)).toEqual([]);
  });

  it('columns STATUS COMPLETIONS DURATION AGE', () => {
    const j = created(jobs, job()) as any;
    j.status = { startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:42Z', succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] };
    expect(cells(jobs, j, new Date('2026-01-01T01:00:00Z'))).toMatchObject({ Status: 'Complete', Completions: '1/1', Duration: '42s' });
    const running = created(jobs, job({ parallelism: 3, completions: null })) as any;
    running.status = { startTime: '2026-01-01T00:00:00Z', active: 3 };
    expect(cells(jobs, running, new Date('2026-01-01T00:03:00Z'))).toMatchObject({ Status: 'Running', Completions: '0/1 of 3', Duration: '3m' });
  });
});

const cron = (spec: Record<string, unknown> = {}, name = 'hello') => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name, namespace: 'default' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } },
    ...spec,
  },
});

describe('cronjob', () => {
  it('defaults', () => {
    const c = created(cronjobs, cron()) as any;
    expect(c.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(c.spec.jobTemplate.spec.template.spec.schedulerName).toBe('default-scheduler');
    expect(c.spec.jobTemplate.spec.backoffLimit).toBeUndefined();
    expect(createErrors(cronjobs, cron())).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['bad schedule', { schedule: '61 * * * *' }, ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']],
    ['wrong field count', { schedule: '* * *' }, ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']],
    ['TZ in schedule', { schedule: 'TZ=UTC 0 * * * *' }, ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['concurrencyPolicy', { concurrencyPolicy: 'Sometimes' }, ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']],
    ['unknown time zone', { timeZone: 'Mars/Olympus' }, ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']],
  ])('%s', (_n, spec, expected) => {
    expect(createErrors(cronjobs, cron(spec))).toEqual(expected);
  });

  it('names are at most 52 characters', () => {
    const name = 'a'.repeat(53);
    expect(createErrors(cronjobs, cron({}, name))).toEqual([`metadata.name: Invalid value: "${name}": must be no more than 52 characters`]);
  });

  it('schedule syntax', () => {
    for (const ok of ['0 0 * * *', '@hourly', '*/15 9-17 * * MON-FRI', '0 0 1 jan,jul *', '5 4 * * sun']) expect(cronScheduleError(ok), ok).toBeUndefined();
    expect(cronScheduleError('@sometimes')).toBe('unrecognized descriptor: @sometimes');
  });

  it('columns SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', () => {
    const c = created(cronjobs, cron()) as any;
    c.status = { active: [{ name: 'hello-1' }], lastScheduleTime: '2026-01-01T00:00:00Z' };
    expect(cells(cronjobs, c, new Date('2026-01-01T00:02:00Z'))).toMatchObject({
      Schedule: '*/5 * * * *',
      Timezone: '<none>',
      Suspend: 'False',
      Active: 1,
      'Last Schedule': '2m',
    });
  });
});

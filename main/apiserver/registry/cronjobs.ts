// batch/v1 cronjobs.
import { formatLabelSelector } from '../../../shared/api/labels';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import { timestampSince } from '../../../shared/api/duration';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, containerImages, containerNames, ensure, invalid, metaErrors, nonNegative, notSupported, required, setDefault } from './common';
import { cronScheduleError } from './cron-schedule';
import { validateJobSpec } from './jobs';
import { defaultPodTemplate } from './pod-defaults';

// Job names are `<cronjob>-<11 digit timestamp hash>` and must stay within 63 characters.
const CRONJOB_NAME_MAX_LENGTH = 52;

export function defaultCronJob(o: Obj): void {
  const spec = ensure(o, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  if (spec.suspend == null) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit == null) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit == null) spec.failedJobsHistoryLimit = 1;
  defaultPodTemplate(spec.jobTemplate?.spec?.template);
}

const boolPtr = (v: unknown): string => (v === true ? 'True' : v === false ? 'False' : '<unset>');

export const cronjobs: ResourceDef = {
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  kind: 'CronJob',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: ['status'],
  tracksGeneration: true,
  defaults: (o) => defaultCronJob(o as Obj),
  validate: (o) => {
    const errs = metaErrors(o, true, nameIsDNSSubdomain);
    const name = o.metadata.name ?? '';
    if (name.length > CRONJOB_NAME_MAX_LENGTH) errs.push(invalid('metadata.name', name, `must be no more than ${CRONJOB_NAME_MAX_LENGTH} characters`));
    const spec: Obj = (o as Obj).spec ?? {};
    if (!spec.schedule) errs.push(required('spec.schedule'));
    else if (/^(CRON_)?TZ=/.test(String(spec.schedule).trim())) {
      errs.push(invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    } else {
      const err = cronScheduleError(String(spec.schedule));
      if (err) errs.push(invalid('spec.schedule', spec.schedule, err));
    }
    if (spec.timeZone !== undefined && spec.timeZone !== null) {
      let ok = spec.timeZone !== '' && !/\s/.test(spec.timeZone);
      try {
        if (ok) new Intl.DateTimeFormat('en-US', { timeZone: spec.timeZone });
      } catch {
        ok = false;
      }
      if (!ok) errs.push(invalid('spec.timeZone', spec.timeZone, 'unknown time zone ' + spec.timeZone));
    }
    if (spec.concurrencyPolicy !== undefined && !['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
      errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
    }
    for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) errs.push(...nonNegative(`spec.${k}`, spec[k]));
    errs.push(...validateJobSpec(spec.jobTemplate?.spec, 'spec.jobTemplate.spec', undefined, true));
    return errs;
  },
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [
    col('Schedule', 'string', (o) => o.spec?.schedule ?? '', 0, 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', (o) => o.spec?.timeZone ?? '<none>', 0, 'The time zone name for the given schedule.'),
    col('Suspend', 'boolean', (o) => boolPtr(o.spec?.suspend), 0, 'This flag tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', (o) => (o.status?.active ?? []).length, 0, 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', (o, now) => (o.status?.lastScheduleTime ? timestampSince(o.status.lastScheduleTime, now) : '<none>'), 0, 'Information when was the last time the job was successfully scheduled.'),
    ageColumn,
    col('Containers', 'string', (o) => containerNames(o.spec?.jobTemplate?.spec?.template), 1, 'Names of each container in the template.'),
    col('Images', 'string', (o) => containerImages(o.spec?.jobTemplate?.spec?.template), 1, 'Images referenced by each container in the template.'),
    col('Selector', 'string', (o) => formatLabelSelector(o.spec?.jobTemplate?.spec?.selector), 1, 'Selector of the job.'),
  ],
};

import type { CronJob } from '../../shared/api/batch';
import { NONE, since } from './format';
import { describe } from './types';

export const cronjobs = describe<CronJob>({
  kind: 'CronJob',
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  namespaced: true,
  title: 'nav.cronjobs',
  columns: [
    { key: 'schedule', label: 'columns.schedule', width: 130, value: (c) => c.spec?.schedule ?? '' },
    { key: 'suspend', label: 'columns.suspend', width: 90, value: (c) => String(c.spec?.suspend ?? false) },
    { key: 'active', label: 'columns.active', width: 80, value: (c) => String((c.status?.active ?? []).length) },
    {
      key: 'lastSchedule',
      label: 'columns.lastSchedule',
      width: 130,
      value: (c, now) => (c.status?.lastScheduleTime ? since(c.status.lastScheduleTime, now) : NONE),
    },
  ],
  summary: [
    { label: 'columns.schedule', value: (c) => c.spec?.schedule },
    { label: 'fields.concurrencyPolicy', value: (c) => c.spec?.concurrencyPolicy ?? 'Allow' },
    { label: 'columns.suspend', value: (c) => String(c.spec?.suspend ?? false) },
    { label: 'fields.timeZone', value: (c) => c.spec?.timeZone },
  ],
  sections: ['summary', 'owners', 'events', 'yaml'],
  actions: ['trigger', 'suspend', 'edit-yaml', 'delete'],
});

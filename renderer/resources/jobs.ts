import { humanDuration } from '../../shared/api/duration';
import type { Job } from '../../shared/api/batch';
import { conditionsOf, num, timeOrZero } from './format';
import { describe, type Tone } from './types';

/** kubectl 1.32's Job STATUS column. */
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions ?? [];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (has('FailureTarget')) return 'FailureTarget';
  if (job.spec?.suspend) return 'Suspended';
  return 'Running';
}

const jobTone = (job: Job): Tone => ({ Complete: 'success', Failed: 'danger', Running: 'primary' } as Record<string, Tone>)[jobStatus(job)] ?? 'warning';

export const jobs = describe<Job>({
  kind: 'Job',
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  namespaced: true,
  title: 'nav.jobs',
  columns: [
    { key: 'status', label: 'columns.status', width: 110, value: jobStatus, tone: jobTone },
    { key: 'completions', label: 'columns.completions', width: 120, value: (j) => `${num(j.status?.succeeded)}/${j.spec?.completions ?? 1}` },
    {
      key: 'duration',
      label: 'columns.duration',
      width: 100,
      value: (j, now) => {
        const start = timeOrZero(j.status?.startTime);
        if (!start) return '';
        const end = timeOrZero(j.status?.completionTime) || now.getTime();
        return humanDuration(end - start);
      },
    },
  ],
  summary: [
    { label: 'columns.completions', value: (j) => String(j.spec?.completions ?? 1) },
    { label: 'fields.parallelism', value: (j) => String(j.spec?.parallelism ?? 1) },
    { label: 'fields.backoffLimit', value: (j) => String(j.spec?.backoffLimit ?? 6) },
    { label: 'fields.active', value: (j) => String(num(j.status?.active)) },
    { label: 'fields.failed', value: (j) => String(num(j.status?.failed)) },
  ],
  sections: ['summary', 'pods', 'conditions', 'owners', 'events', 'yaml'],
  actions: ['edit-yaml', 'delete'],
  conditions: conditionsOf,
});

// batch/v1 jobs: generated selectors, defaults, immutable template.
import type { FieldError } from '../../../shared/api/errors';
import { humanDuration } from '../../../shared/api/duration';
import { formatLabelSelector } from '../../../shared/api/labels';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, containerImages, containerNames, ensure, immutable, invalid, metaErrors, nonNegative, notSupported, required, setDefault } from './common';
import { defaultPodTemplate } from './pod-defaults';
import { validatePodTemplate, validateWorkloadSelector } from './pod-validation';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const MAX_INT32 = 2147483647;

/** SetDefaults_Job. */
export function defaultJob(job: Obj): void {
  const spec = ensure(job, 'spec');
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  const templateLabels = spec.template?.metadata?.labels;
  const meta = ensure(job, 'metadata');
  if (templateLabels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...templateLabels };
  setDefault(spec, 'completionMode', 'NonIndexed');
  if (spec.suspend == null) spec.suspend = false;
  setDefault(spec, 'podReplacementPolicy', spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed');
  for (const rule of (spec.podFailurePolicy?.rules ?? []) as Obj[]) {
    for (const c of (rule.onPodConditions ?? []) as Obj[]) setDefault(c, 'status', 'True');
  }
  defaultPodTemplate(spec.template);
}

/**
 * The job strategy's generateSelector: unless manualSelector is true, pods carry the job name and
 * the job's uid as labels and the selector is `batch.kubernetes.io/controller-uid=<uid>`.
 */
export function generateJobSelector(job: Obj): void {
  const spec = ensure(job, 'spec');
  if (spec.manualSelector === true) return;
  const uid: string | undefined = job.metadata?.uid;
  if (!uid) return;
  const tmeta = ensure(ensure(spec, 'template'), 'metadata');
  const labels = ensure(tmeta, 'labels');
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (labels[key] === undefined) labels[key] = job.metadata.name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (labels[key] === undefined) labels[key] = uid;
  const selector = ensure(spec, 'selector');
  const matchLabels = ensure(selector, 'matchLabels');
  if (matchLabels[CONTROLLER_UID_LABEL] === undefined) matchLabels[CONTROLLER_UID_LABEL] = uid;
}

function hasLabel(labels: Obj | undefined, key: string, expected: string, field: string): FieldError[] {
  const actual = labels?.[key];
  if (actual === undefined) return [required(`${field}[${key}]`, key)];
  return actual === expected ? [] : [invalid(`${field}[${key}]`, actual, `must be '${expected}'`)];
}

export function validateJobSpec(spec: Obj | undefined, field: string, uid: string | undefined, generated: boolean): FieldError[] {
  const s: Obj = spec ?? {};
  const out: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) out.push(...nonNegative(`${field}.${k}`, s[k]));
  if (s.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(s.completionMode)) {
    out.push(notSupported(`${field}.completionMode`, s.completionMode, ['NonIndexed', 'Indexed']));
  }
  if (s.completionMode === 'Indexed' && s.completions == null) out.push(required(`${field}.completions`, 'when completion mode is Indexed'));
  let selectorOk = true;
  if (s.manualSelector === true || !generated) {
    const errs = validateWorkloadSelector(s.selector, `${field}.selector`, 'job');
    selectorOk = errs.length === 0;
    out.push(...errs);
  }
  out.push(
    ...validatePodTemplate(s.template, `${field}.template`, {
      selector: selectorOk ? s.selector : undefined,
      restartPolicies: ['OnFailure', 'Never'],
    }),
  );
  if (generated && s.manualSelector !== true && uid && s.selector) {
    out.push(...hasLabel(s.template?.metadata?.labels, LEGACY_CONTROLLER_UID_LABEL, uid, `${field}.template.metadata.labels`));
    out.push(...hasLabel(s.template?.metadata?.labels, CONTROLLER_UID_LABEL, uid, `${field}.template.metadata.labels`));
    out.push(...hasLabel(s.selector?.matchLabels, CONTROLLER_UID_LABEL, uid, `${field}.selector.matchLabels`));
  }
  return out;
}

const conditionTrue = (o: Obj, type: string): boolean => ((o.status?.conditions ?? []) as Obj[]).some((c) => c.type === type && c.status === 'True');

/** printJob's STATUS (kubectl 1.30+). */
export function jobStatusText(o: Obj): string {
  if (conditionTrue(o, 'Complete')) return 'Complete';
  if (conditionTrue(o, 'Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionTrue(o, 'Suspended')) return 'Suspended';
  if (conditionTrue(o, 'FailureTarget')) return 'FailureTarget';
  if (conditionTrue(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export function jobCompletionsText(o: Obj): string {
  const succeeded = o.status?.succeeded ?? 0;
  if (o.spec?.completions != null) return `${succeeded}/${o.spec.completions}`;
  const parallelism = o.spec?.parallelism;
  return parallelism != null && parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDurationText(o: Obj, now: Date): string {
  const start = o.status?.startTime ? Date.parse(o.status.startTime) : NaN;
  if (Number.isNaN(start)) return '';
  const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now.getTime();
  return humanDuration(end - start);
}

export const jobs: ResourceDef = {
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  kind: 'Job',
  singular: 'job',
  namespaced: true,
  categories: ['all'],
  subresources: ['status'],
  tracksGeneration: true,
  selectableFields: ['status.successful'],
  defaults: (o) => defaultJob(o as Obj),
  prepareForCreate: (o) => generateJobSelector(o as Obj),
  validate: (o) => [
    ...metaErrors(o, true, nameIsDNSSubdomain),
    ...validateJobSpec((o as Obj).spec, 'spec', o.metadata.uid, true),
  ],
  validateUpdate: (o, old) => {
    const spec: Obj = (o as Obj).spec ?? {};
    const prev: Obj = (old as Obj).spec ?? {};
    return [
      ...validateObjectMetaUpdate(o.metadata, old.metadata),
      ...immutable('spec.selector', spec.selector, prev.selector),
      ...immutable('spec.template', spec.template, prev.template),
      ...immutable('spec.completions', spec.completions, prev.completions),
      ...immutable('spec.completionMode', spec.completionMode, prev.completionMode),
      ...immutable('spec.podFailurePolicy', spec.podFailurePolicy, prev.podFailurePolicy),
      ...immutable('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, prev.backoffLimitPerIndex),
    ];
  },
  columns: [
    col('Status', 'string', (o) => jobStatusText(o), 0, 'Status of the job.'),
    col('Completions', 'string', (o) => jobCompletionsText(o), 0, 'The completion status of the job.'),
    col('Duration', 'string', (o, now) => jobDurationText(o, now), 0, 'Time required to complete the job.'),
    ageColumn,
    col('Containers', 'string', (o) => containerNames(o.spec?.template), 1, 'Names of each container in the template.'),
    col('Images', 'string', (o) => containerImages(o.spec?.template), 1, 'Images referenced by each container in the template.'),
    col('Selector', 'string', (o) => formatLabelSelector(o.spec?.selector), 1, 'Label selector for pods.'),
  ],
};

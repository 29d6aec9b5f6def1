// Pieces of apps/v1 validation shared by Deployments, ReplicaSets, StatefulSets and DaemonSets.
import type { FieldError } from '../../../shared/api/errors';
import type { Obj } from './common';
import { invalid, nonNegative } from './common';
import { validatePodTemplate, validateWorkloadSelector } from './pod-validation';

const PERCENT = /^([0-9]+)%$/;

/** ValidatePositiveIntOrPercent + IsNotMoreThan100Percent. */
export function validateIntOrPercent(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number') return nonNegative(field, value);
  if (typeof value === 'string') {
    const m = PERCENT.exec(value);
    if (!m) return [invalid(field, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
    if (Number(m[1]) > 100) return [invalid(field, value, 'must not be greater than 100%')];
    return [];
  }
  return [invalid(field, value, 'must be an integer or percentage (e.g \'5%\')')];
}

const isZero = (v: unknown): boolean => v === 0 || v === '0%';

/** maxUnavailable/maxSurge of a rolling update: valid, not both zero. */
export function validateRollingUpdate(ru: Obj | undefined, field: string): FieldError[] {
  if (!ru) return [];
  const out = [...validateIntOrPercent(ru.maxUnavailable, `${field}.maxUnavailable`), ...validateIntOrPercent(ru.maxSurge, `${field}.maxSurge`)];
  if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
    out.push(invalid(`${field}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  return out;
}

/** Replicas, selector and a template whose labels the selector matches; templates restart Always. */
export function validateWorkloadSpec(spec: Obj | undefined, kind: string, options: { replicas: boolean }): FieldError[] {
  const s: Obj = spec ?? {};
  const out: FieldError[] = [];
  if (options.replicas) out.push(...nonNegative('spec.replicas', s.replicas));
  out.push(...nonNegative('spec.minReadySeconds', s.minReadySeconds));
  out.push(...nonNegative('spec.revisionHistoryLimit', s.revisionHistoryLimit));
  const selectorErrors = validateWorkloadSelector(s.selector, 'spec.selector', kind);
  out.push(...selectorErrors);
  out.push(
    ...validatePodTemplate(s.template, 'spec.template', {
      // A broken selector is reported once; comparing labels against it would only add noise.
      selector: selectorErrors.length === 0 ? s.selector : undefined,
      restartPolicies: ['Always'],
      forbidActiveDeadline: true,
    }),
  );
  return out;
}

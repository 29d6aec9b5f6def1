// autoscaling/v2 horizontalpodautoscalers.
import type { FieldError } from '../../../shared/api/errors';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, ensure, invalid, metaErrors, notSupported, required, setDefault } from './common';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

function defaultRules(rules: Obj, stabilization: number, policies: Obj[]): void {
  if (rules.stabilizationWindowSeconds == null) rules.stabilizationWindowSeconds = stabilization;
  setDefault(rules, 'selectPolicy', 'Max');
  if (!Array.isArray(rules.policies) || rules.policies.length === 0) rules.policies = policies;
}

/** SetDefaults_HorizontalPodAutoscaler (v2): minReplicas 1, 80% cpu, and behavior rules when given. */
export function defaultHPA(o: Obj): void {
  const spec = ensure(o, 'spec');
  if (spec.minReplicas == null) spec.minReplicas = 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (spec.behavior) {
    defaultRules(ensure(spec.behavior, 'scaleUp'), 0, [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ]);
    defaultRules(ensure(spec.behavior, 'scaleDown'), 300, [{ type: 'Percent', value: 100, periodSeconds: 15 }]);
  }
}

function validateHPA(spec: Obj): FieldError[] {
  const out: FieldError[] = [];
  const ref: Obj = spec.scaleTargetRef ?? {};
  if (!ref.kind) out.push(required('spec.scaleTargetRef.kind'));
  if (!ref.name) out.push(required('spec.scaleTargetRef.name'));
  if (spec.minReplicas != null && spec.minReplicas < 1) out.push(invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (spec.maxReplicas == null || spec.maxReplicas < 1) out.push(invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (spec.minReplicas != null && spec.maxReplicas < spec.minReplicas) {
    out.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
  ((spec.metrics ?? []) as Obj[]).forEach((m, i) => {
    const f = `spec.metrics[${i}]`;
    if (!m.type) out.push(required(`${f}.type`, 'must specify a metric source type'));
    else if (!METRIC_TYPES.includes(m.type)) out.push(notSupported(`${f}.type`, m.type, METRIC_TYPES));
    else {
      const key = m.type.charAt(0).toLowerCase() + m.type.slice(1);
      if (!m[key]) out.push(required(`${f}.${key}`, `must populate information for the given metric source (${m.type})`));
      const target = m[key]?.target;
      if (m[key] && !target) out.push(required(`${f}.${key}.target`));
      if (target && !['AverageValue', 'Utilization', 'Value'].includes(target.type)) {
        out.push(notSupported(`${f}.${key}.target.type`, target.type, ['AverageValue', 'Utilization', 'Value']));
      }
      if (target?.averageUtilization != null && target.averageUtilization < 1) {
        out.push(invalid(`${f}.${key}.target.averageUtilization`, target.averageUtilization, 'must be greater than 0'));
      }
    }
  });
  return out;
}

function metricTargetText(spec: Obj, status: Obj | undefined): string {
  const key = spec.type.charAt(0).toLowerCase() + spec.type.slice(1);
  const target = spec[key]?.target ?? {};
  const current = status?.[key]?.current ?? {};
  const prefix = spec.type === 'Resource' || spec.type === 'ContainerResource' ? `${spec[key]?.name}: ` : '';
  if (target.type === 'Utilization') {
    const cur = current.averageUtilization != null ? `${current.averageUtilization}%` : '<unknown>';
    return `${prefix}${cur}/${target.averageUtilization}%`;
  }
  const want = target.type === 'Value' ? target.value : target.averageValue;
  const have = target.type === 'Value' ? current.value : current.averageValue;
  const avg = target.type === 'AverageValue' && spec.type !== 'Resource' && spec.type !== 'Pods' ? ' (avg)' : '';
  return `${prefix}${have ?? '<unknown>'}/${want}${avg}`;
}

/** formatHPAMetrics: at most two targets, then `+ N more...`; `<none>` without metrics. */
export function hpaTargetsText(o: Obj): string {
  const specs = (o.spec?.metrics ?? []) as Obj[];
  if (specs.length === 0) return '<none>';
  const statuses = (o.status?.currentMetrics ?? []) as Obj[];
  const texts = specs.map((m, i) => metricTargetText(m, statuses[i]?.type === m.type ? statuses[i] : undefined));
  return texts.length > 2 ? `${texts.slice(0, 2).join(', ')} + ${texts.length - 2} more...` : texts.join(', ');
}

export const horizontalpodautoscalers: ResourceDef = {
  group: 'autoscaling',
  version: 'v2',
  resource: 'horizontalpodautoscalers',
  kind: 'HorizontalPodAutoscaler',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: ['status'],
  tracksGeneration: true,
  defaults: (o) => defaultHPA(o as Obj),
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validateHPA((o as Obj).spec ?? {})],
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [
    col('Reference', 'string', (o) => `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`, 0, 'Reference to the target resource'),
    col('Targets', 'string', (o) => hpaTargetsText(o), 0, 'Targets of the HPA'),
    col('MinPods', 'string', (o) => (o.spec?.minReplicas != null ? String(o.spec.minReplicas) : '<unset>'), 0, 'Minimum number of pods'),
    col('MaxPods', 'integer', (o) => o.spec?.maxReplicas ?? 0, 0, 'Maximum number of pods'),
    col('Replicas', 'integer', (o) => o.status?.currentReplicas ?? 0, 0, 'Current number of replicas'),
    ageColumn,
  ],
};

// The PodDisruptionBudget DisruptionAllowed condition (k8s pkg/apis/policy/helper), written both by the
// disruption controller and by the eviction subresource when it spends the last allowed disruption.
import type { IntOrString } from '../../../shared/api/pod';
import type { PodDisruptionBudgetStatus } from '../../../shared/api/policy';

type Condition = NonNullable<PodDisruptionBudgetStatus['conditions']>[number];

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * UpdateDisruptionAllowedCondition: True/SufficientPods while disruptions are allowed, else
 * False/InsufficientPods; lastTransitionTime moves only when the status flips (meta.SetStatusCondition).
 * Returns the new conditions list (the input is not changed).
 */
export function disruptionAllowedCondition(status: PodDisruptionBudgetStatus, nowMs: number): Condition[] {
  const allowed = status.disruptionsAllowed > 0;
  const wanted: Condition = {
    type: 'DisruptionAllowed',
    status: allowed ? 'True' : 'False',
    ...(status.observedGeneration ? { observedGeneration: status.observedGeneration } : {}),
    lastTransitionTime: rfc3339(nowMs),
    reason: allowed ? 'SufficientPods' : 'InsufficientPods',
    // metav1.Condition.message has no omitempty: Kubernetes shows it as "".
    message: '',
  };
  const conditions = (status.conditions ?? []).map((c) => ({ ...c }));
  const i = conditions.findIndex((c) => c.type === 'DisruptionAllowed');
  if (i < 0) return [...conditions, wanted];
  const existing = conditions[i];
  if (existing.status === wanted.status && existing.lastTransitionTime) wanted.lastTransitionTime = existing.lastTransitionTime;
  conditions[i] = wanted;
  return conditions;
}

/** intstr.GetScaledValueFromIntOrPercent rounding up, as the disruption controller uses it. */
export function scaledIntOrPercent(value: IntOrString, total: number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${value}": must be an integer or a percentage`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

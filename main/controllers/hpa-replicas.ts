// The HorizontalPodAutoscaler's arithmetic (pkg/controller/podautoscaler replica_calculator.go and the
// behavior normalisation of horizontal.go), kept pure so it is tested without a cluster.
import type { HPAScalingPolicy, HPAScalingRules } from '../../shared/api/autoscaling';

/** Kubernetes' --horizontal-pod-autoscaler-tolerance. */
export const DEFAULT_TOLERANCE = 0.1;

export interface PodSample {
  name: string;
  /** Sum of the pod's containers' requests for the resource (milli-units for cpu, bytes for memory). */
  request: number;
  /** Usage in the same unit; undefined when metrics-server has no sample for the pod. */
  usage?: number;
  /** Counted as not yet ready (pending, or CPU still initialising): its sample is not trusted. */
  unready: boolean;
}

export interface UtilizationResult {
  replicas: number;
  /** Average utilization (percent of request) of the pods with trusted samples. */
  utilization: number;
  /** Average usage of those pods (same unit as usage). */
  averageUsage: number;
}

/**
 * GetResourceReplicas for a Utilization target: ratio of average utilization to target, a 10% dead band,
 * and the rebalancing of missing/unready pods (missing count as 100% when scaling down and 0% when
 * scaling up; unready count as 0% when scaling up) so that the HPA never overshoots on partial data.
 */
export function replicasForUtilization(currentReplicas: number, pods: PodSample[], targetUtilization: number, tolerance = DEFAULT_TOLERANCE): UtilizationResult {
  const trusted = pods.filter((p) => !p.unready && p.usage !== undefined);
  const missing = pods.filter((p) => p.usage === undefined);
  const unready = pods.filter((p) => p.unready && p.usage !== undefined);
  if (trusted.length === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const ratioOf = (samples: Array<{ usage: number; request: number }>): { ratio: number; utilization: number } => {
    const usage = samples.reduce((n, p) => n + p.usage, 0);
    const request = samples.reduce((n, p) => n + p.request, 0);
    const utilization = request > 0 ? (usage * 100) / request : 0;
    return { ratio: utilization / targetUtilization, utilization };
  };
  const base = trusted.map((p) => ({ usage: p.usage!, request: p.request }));
  const { ratio, utilization } = ratioOf(base);
  const averageUsage = base.reduce((n, p) => n + p.usage, 0) / base.length;
  const rebalanceUnready = unready.length > 0 && ratio > 1;
  if (!rebalanceUnready && missing.length === 0) {
    if (Math.abs(1 - ratio) <= tolerance) return { replicas: currentReplicas, utilization, averageUsage };
    return { replicas: Math.ceil(ratio * trusted.length), utilization, averageUsage };
  }
  const extra: Array<{ usage: number; request: number }> = [];
  for (const p of missing) extra.push({ usage: ratio < 1 ? p.request : 0, request: p.request });
  if (rebalanceUnready) for (const p of unready) extra.push({ usage: 0, request: p.request });
  const rebalanced = ratioOf([...base, ...extra]).ratio;
  // No change when within tolerance or when the rebalanced data points the other way.
  if (Math.abs(1 - rebalanced) <= tolerance || (ratio < 1 && rebalanced > 1) || (ratio > 1 && rebalanced < 1)) {
    return { replicas: currentReplicas, utilization, averageUsage };
  }
  const counted = trusted.length + missing.length + (rebalanceUnready ? unready.length : 0);
  const replicas = Math.ceil(rebalanced * counted);
  // Never scale against the direction the trusted pods asked for.
  if ((ratio > 1 && replicas < currentReplicas) || (ratio < 1 && replicas > currentReplicas)) return { replicas: currentReplicas, utilization, averageUsage };
  return { replicas, utilization, averageUsage };
}

/** GetRawResourceReplicas for an AverageValue target (usage per pod). */
export function replicasForAverageValue(currentReplicas: number, pods: PodSample[], targetAverage: number, tolerance = DEFAULT_TOLERANCE): UtilizationResult {
  const trusted = pods.filter((p) => !p.unready && p.usage !== undefined);
  if (trusted.length === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const averageUsage = trusted.reduce((n, p) => n + p.usage!, 0) / trusted.length;
  const ratio = averageUsage / targetAverage;
  const replicas = Math.abs(1 - ratio) <= tolerance ? currentReplicas : Math.ceil(ratio * trusted.length);
  return { replicas, utilization: 0, averageUsage };
}

export interface Recommendation {
  at: number;
  replicas: number;
}

export interface ScaleEvent {
  at: number;
  /** Positive for scale-up, negative for scale-down. */
  change: number;
}

export const DEFAULT_SCALE_UP: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

export const defaultScaleDown = (windowSeconds: number): Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>> => ({
  stabilizationWindowSeconds: windowSeconds,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
});

/**
 * stabilizeRecommendationWithBehaviors: the desired count is held between the lowest recommendation of the
 * scale-up window and the highest of the scale-down window, so a brief dip does not scale down.
 * Mutates `history` (records this recommendation, reusing an expired slot as Kubernetes does).
 */
export function stabilize(history: Recommendation[], now: number, current: number, desired: number, upWindowS: number, downWindowS: number): { replicas: number; reason: string } {
  const upCutoff = now - upWindowS * 1000;
  const downCutoff = now - downWindowS * 1000;
  let up = desired;
  let down = desired;
  let oldIndex = -1;
  history.forEach((r, i) => {
    if (r.at > upCutoff) up = Math.min(up, r.replicas);
    if (r.at > downCutoff) down = Math.max(down, r.replicas);
    if (r.at < upCutoff && r.at < downCutoff) oldIndex = i;
  });
  let replicas = current;
  if (replicas < up) replicas = up;
  if (replicas > down) replicas = down;
  if (oldIndex >= 0) history[oldIndex] = { at: now, replicas: desired };
  else history.push({ at: now, replicas: desired });
  const reason = replicas === desired ? 'ScaleUpStabilized' : desired > current ? 'ScaleUpStabilized' : 'ScaleDownStabilized';
  return { replicas, reason: replicas !== desired ? reason : '' };
}

const changeIn = (events: ScaleEvent[], now: number, periodSeconds: number, sign: 1 | -1): number =>
  events.filter((e) => e.at > now - periodSeconds * 1000 && Math.sign(e.change) === sign).reduce((n, e) => n + Math.abs(e.change), 0);

/** convertDesiredReplicasWithBehaviorRate: the policies cap how fast replicas may change per period. */
export function limitRate(events: ScaleEvent[], now: number, current: number, desired: number, up: HPAScalingRules, down: HPAScalingRules): { replicas: number; limited: boolean } {
  if (desired > current) {
    if (up.selectPolicy === 'Disabled') return { replicas: current, limited: true };
    const limits = (up.policies ?? []).map((p: HPAScalingPolicy) => {
      const start = current - changeIn(events, now, p.periodSeconds, 1) + changeIn(events, now, p.periodSeconds, -1);
      return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    });
    if (!limits.length) return { replicas: desired, limited: false };
    const limit = up.selectPolicy === 'Min' ? Math.min(...limits) : Math.max(...limits);
    return desired > limit ? { replicas: Math.max(current, limit), limited: true } : { replicas: desired, limited: false };
  }
  if (desired < current) {
    if (down.selectPolicy === 'Disabled') return { replicas: current, limited: true };
    const limits = (down.policies ?? []).map((p: HPAScalingPolicy) => {
      const start = current + changeIn(events, now, p.periodSeconds, -1) - changeIn(events, now, p.periodSeconds, 1);
      return p.type === 'Pods' ? start - p.value : Math.ceil(start * (1 - p.value / 100));
    });
    if (!limits.length) return { replicas: desired, limited: false };
    // For scale-down, "Max" picks the policy allowing the biggest change, i.e. the lowest floor.
    const limit = down.selectPolicy === 'Min' ? Math.max(...limits) : Math.min(...limits);
    return desired < limit ? { replicas: Math.min(current, limit), limited: true } : { replicas: desired, limited: false };
  }
  return { replicas: desired, limited: false };
}

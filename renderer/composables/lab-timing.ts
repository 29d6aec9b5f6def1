// The lab's compressed timers, read from the ConfigMap kube-system/bosun-lab-timing the lab rewrites
// at every start ("4s (Kubernetes: 50s)"), so the dashboard quotes the values really in force rather
// than Kubernetes' defaults: "pods will be evicted ~19 s after the node stops answering".
import type { KubeObject } from '../../shared/api/meta';
import { parseGoDuration } from '../../shared/api/chaos';
import { useResourceCollection } from '../stores/resource-store';
import { computed } from 'vue';

export const LAB_TIMING_NAMESPACE = 'kube-system';
export const LAB_TIMING_NAME = 'bosun-lab-timing';

export interface LabTimingView {
  timeScale?: number;
  /** No heartbeat for this long → Ready=Unknown (ms). */
  nodeMonitorGraceMs?: number;
  nodeMonitorPeriodMs?: number;
  /** The not-ready/unreachable toleration every pod gets by default (s). */
  defaultTolerationSeconds?: number;
}

/** The lab value of one "<lab> (Kubernetes: <default>)" entry. */
function labValue(text: string | undefined): string | undefined {
  return text?.split(' (')[0]?.trim() || undefined;
}

export function parseLabTiming(data: Record<string, string> | undefined): LabTimingView {
  if (!data) return {};
  const ms = (key: string) => {
    const v = labValue(data[key]);
    return v === undefined ? undefined : parseGoDuration(v);
  };
  const int = (key: string) => {
    const v = Number(labValue(data[key]));
    return Number.isFinite(v) ? v : undefined;
  };
  return {
    timeScale: int('timeScale'),
    nodeMonitorGraceMs: ms('nodeMonitorGracePeriod'),
    nodeMonitorPeriodMs: ms('nodeMonitorPeriod'),
    defaultTolerationSeconds: int('defaultTolerationSeconds'),
  };
}

/**
 * When pods of a node that stops answering are evicted: after the grace period (plus up to one monitor
 * period) the node is NotReady and tainted unreachable:NoExecute, then the default toleration runs out.
 */
export function evictionEstimate(t: LabTimingView): { notReadyAfterS: number; evictedAfterS: number } | undefined {
  if (t.nodeMonitorGraceMs === undefined || t.defaultTolerationSeconds === undefined) return undefined;
  const notReady = (t.nodeMonitorGraceMs + (t.nodeMonitorPeriodMs ?? 0)) / 1000;
  return { notReadyAfterS: Math.round(notReady), evictedAfterS: Math.round(notReady + t.defaultTolerationSeconds) };
}

const configMaps = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };

/** The live timing (the shared ConfigMaps watch, one per kind; empty when the lab does not publish one). */
export function useLabTiming() {
  const list = useResourceCollection(configMaps, () => ({}));
  const timing = computed(() => {
    const cm = list.items.value.find((c: KubeObject) => c.metadata.name === LAB_TIMING_NAME && c.metadata.namespace === LAB_TIMING_NAMESPACE) as (KubeObject & { data?: Record<string, string> }) | undefined;
    return parseLabTiming(cm?.data);
  });
  return { timing, estimate: computed(() => evictionEstimate(timing.value)) };
}

// The lab's one time knob. Kubernetes' defaults (50 s node grace, 300 s toleration, 10 s crash backoff…)
// make a class wait minutes for every failure; `timeScale` divides them all by the same factor so the
// sequence people watch keeps Kubernetes' proportions, and the ConfigMap kube-system/bosun-lab-timing
// shows both the lab values and Kubernetes' own so what is learned stays true. timeScale 1 = Kubernetes.
// Floors keep heartbeats from flapping when a busy machine delays a timer (see docs/NODES.md "Lab timing").
import type { ConfigMap } from '../shared/api/config';
import { DEFAULT_KUBELET_TIMING, type KubeletTiming } from './kubelet/types';

/** Default scale: a node crash recovers in about grace 4 s + toleration 15 s + restart (< 30 s). */
export const DEFAULT_TIME_SCALE = 20;
export const MAX_TIME_SCALE = 1000;
export const LAB_TIMING_CONFIGMAP = 'bosun-lab-timing';

/** kube-controller-manager 1.32 and kube-apiserver defaults the lab scales (kubelet ones: DEFAULT_KUBELET_TIMING). */
export const KUBERNETES_CONTROL_PLANE_DEFAULTS = Object.freeze({
  /** --node-monitor-grace-period: 50 s since Kubernetes 1.32 (kubernetes/kubernetes#126287; 40 s before). */
  nodeMonitorGracePeriodMs: 50_000,
  /** --node-monitor-period. */
  nodeMonitorPeriodMs: 5_000,
  /** --node-startup-grace-period. */
  nodeStartupGracePeriodMs: 60_000,
  /** DefaultTolerationSeconds admission (--default-not-ready/unreachable-toleration-seconds). */
  defaultTolerationSeconds: 300,
  /** --node-eviction-rate: nodes per second whose pods may be evicted (NoExecute-tainted). */
  nodeEvictionRate: 0.1,
  /** Job pod-recreate backoff: 10 s doubling to 6 min. */
  jobBackoffBaseMs: 10_000,
  jobBackoffMaxMs: 360_000,
  /** Pod GC: period (gcCheckPeriod 20 s), orphan quarantine (40 s) and --terminated-pod-gc-threshold. */
  podGcPeriodMs: 20_000,
  podGcQuarantineMs: 40_000,
  terminatedPodGcThreshold: 12_500,
});

export interface NodeLifecycleTiming {
  nodeMonitorGracePeriodMs: number;
  nodeMonitorPeriodMs: number;
  nodeStartupGracePeriodMs: number;
  /** Nodes per second that may get a NoExecute not-ready/unreachable taint. */
  nodeEvictionRate: number;
}

export interface PodGcTiming {
  periodMs: number;
  quarantineMs: number;
  terminatedPodThreshold: number;
}

export interface LabTiming {
  timeScale: number;
  kubelet: KubeletTiming;
  nodeLifecycle: NodeLifecycleTiming;
  podGc: PodGcTiming;
  defaultTolerationSeconds: number;
  jobBackoff: { baseMs: number; maxMs: number };
}

/** Floors: a timer the event loop delays by a second under load must not flip a node to Unknown. */
const MIN_LEASE_RENEW_MS = 1_000;
const MIN_GRACE_MS = 4_000;
const MIN_MONITOR_PERIOD_MS = 500;
/** Node status carries no liveness (the Lease does): posting it more often than this only costs writes. */
const MIN_NODE_STATUS_MS = 5_000;
const MIN_POD_RESYNC_MS = 5_000;
const MIN_BACKOFF_MS = 100;

export function validTimeScale(scale: number): boolean {
  return Number.isFinite(scale) && scale >= 1 && scale <= MAX_TIME_SCALE;
}

/**
 * Every compressed timer of the lab from one scale. `env.BOSUN_BACKOFF_BASE_MS` (tests, impatient users)
 * still overrides the crash/image-pull backoff base, keeping Kubernetes' 1:30 base-to-cap proportion.
 */
export function labTimingFor(timeScale: number = DEFAULT_TIME_SCALE, env: NodeJS.ProcessEnv = process.env): LabTiming {
  if (!validTimeScale(timeScale)) throw new RangeError(`time scale must be a number from 1 to ${MAX_TIME_SCALE}, got ${timeScale}`);
  const k = DEFAULT_KUBELET_TIMING;
  const cp = KUBERNETES_CONTROL_PLANE_DEFAULTS;
  const scaled = (ms: number, floor: number): number => Math.max(floor, Math.round(ms / timeScale));
  const leaseRenewMs = scaled(k.leaseRenewMs, MIN_LEASE_RENEW_MS);
  // Kubernetes keeps grace at 5× the renew interval; never let the lab go under 4× (and 4 s).
  const graceMs = Math.max(scaled(cp.nodeMonitorGracePeriodMs, MIN_GRACE_MS), 4 * leaseRenewMs);
  const kubelet: KubeletTiming = {
    leaseRenewMs,
    // Informational for the controller (it uses its grace period), but keep it ≥ 3 renewals and whole seconds.
    leaseDurationSeconds: Math.max(Math.ceil((3 * leaseRenewMs) / 1000), Math.round(k.leaseDurationSeconds / timeScale)),
    nodeStatusUpdateMs: Math.min(k.nodeStatusUpdateMs, scaled(k.nodeStatusUpdateMs, MIN_NODE_STATUS_MS)),
    backoffBaseMs: scaled(k.backoffBaseMs, MIN_BACKOFF_MS),
    backoffCapMs: scaled(k.backoffCapMs, MIN_BACKOFF_MS),
    backoffResetMs: scaled(k.backoffResetMs, MIN_BACKOFF_MS),
    podResyncMs: Math.min(k.podResyncMs, scaled(k.podResyncMs, MIN_POD_RESYNC_MS)),
  };
  const base = Number(env.BOSUN_BACKOFF_BASE_MS);
  if (env.BOSUN_BACKOFF_BASE_MS && Number.isFinite(base) && base > 0) {
    kubelet.backoffBaseMs = base;
    kubelet.backoffCapMs = Math.max(base, Math.min(k.backoffCapMs, base * 30));
  }
  return {
    timeScale,
    kubelet,
    nodeLifecycle: {
      nodeMonitorGracePeriodMs: graceMs,
      nodeMonitorPeriodMs: Math.min(graceMs / 4, scaled(cp.nodeMonitorPeriodMs, MIN_MONITOR_PERIOD_MS)),
      nodeStartupGracePeriodMs: Math.max(graceMs, scaled(cp.nodeStartupGracePeriodMs, MIN_GRACE_MS)),
      nodeEvictionRate: cp.nodeEvictionRate * timeScale,
    },
    podGc: {
      periodMs: scaled(cp.podGcPeriodMs, MIN_MONITOR_PERIOD_MS),
      quarantineMs: scaled(cp.podGcQuarantineMs, MIN_GRACE_MS),
      // A count, not a time: kept as in Kubernetes.
      terminatedPodThreshold: cp.terminatedPodGcThreshold,
    },
    // Whole seconds (a pod field); at least 1 so "tolerate for a while" never means "evict at once".
    defaultTolerationSeconds: Math.max(1, Math.round(cp.defaultTolerationSeconds / timeScale)),
    jobBackoff: { baseMs: scaled(cp.jobBackoffBaseMs, MIN_BACKOFF_MS), maxMs: scaled(cp.jobBackoffMaxMs, MIN_BACKOFF_MS) },
  };
}

/** Go duration text as Kubernetes prints flags: 50s, 1m0s, 2.5s, 500ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = ms / 1000;
  const fmt = (s: number): string => `${Number(s.toFixed(3))}s`;
  if (totalSeconds < 60) return fmt(totalSeconds);
  const minutes = Math.floor(totalSeconds / 60);
  return `${minutes}m${fmt(totalSeconds - minutes * 60)}`;
}

/** One data key per setting, "<lab value> (Kubernetes: <default>)", plus `timeScale`. */
export function labTimingData(t: LabTiming): Record<string, string> {
  const k = DEFAULT_KUBELET_TIMING;
  const cp = KUBERNETES_CONTROL_PLANE_DEFAULTS;
  const d = (lab: number, kube: number): string => `${goDuration(lab)} (Kubernetes: ${goDuration(kube)})`;
  return {
    timeScale: String(t.timeScale),
    nodeMonitorGracePeriod: d(t.nodeLifecycle.nodeMonitorGracePeriodMs, cp.nodeMonitorGracePeriodMs),
    nodeMonitorPeriod: d(t.nodeLifecycle.nodeMonitorPeriodMs, cp.nodeMonitorPeriodMs),
    nodeStartupGracePeriod: d(t.nodeLifecycle.nodeStartupGracePeriodMs, cp.nodeStartupGracePeriodMs),
    nodeEvictionRate: `${Number(t.nodeLifecycle.nodeEvictionRate.toFixed(3))} nodes/s (Kubernetes: ${cp.nodeEvictionRate} nodes/s)`,
    defaultTolerationSeconds: `${t.defaultTolerationSeconds} (Kubernetes: ${cp.defaultTolerationSeconds})`,
    leaseDurationSeconds: `${t.kubelet.leaseDurationSeconds} (Kubernetes: ${k.leaseDurationSeconds})`,
    leaseRenewInterval: d(t.kubelet.leaseRenewMs, k.leaseRenewMs),
    nodeStatusUpdateFrequency: d(t.kubelet.nodeStatusUpdateMs, k.nodeStatusUpdateMs),
    crashLoopBackOffBase: d(t.kubelet.backoffBaseMs, k.backoffBaseMs),
    crashLoopBackOffMax: d(t.kubelet.backoffCapMs, k.backoffCapMs),
    crashLoopBackOffReset: d(t.kubelet.backoffResetMs, k.backoffResetMs),
    podResyncPeriod: d(t.kubelet.podResyncMs, k.podResyncMs),
    jobBackoffBase: d(t.jobBackoff.baseMs, cp.jobBackoffBaseMs),
    jobBackoffMax: d(t.jobBackoff.maxMs, cp.jobBackoffMaxMs),
    podGcPeriod: d(t.podGc.periodMs, cp.podGcPeriodMs),
    terminatedPodGcThreshold: `${t.podGc.terminatedPodThreshold} (Kubernetes: ${cp.terminatedPodGcThreshold})`,
  };
}

export function labTimingConfigMap(t: LabTiming): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: LAB_TIMING_CONFIGMAP,
      namespace: 'kube-system',
      labels: { 'app.kubernetes.io/managed-by': 'bosun' },
      annotations: { 'lab.bosun.dev/description': 'Timers of this lab, compressed by timeScale; each value shows the Kubernetes default alongside. Set with bosun serve --time-scale.' },
    },
    data: labTimingData(t),
  };
}

// chaos.bosun.dev/v1alpha1: faults and drills as declarative API objects (kubectl apply-able, watchable).
// The spec shapes are a public contract (scripts, docs and samples/drills rely on them): add fields, never
// rename. NodeFault is cluster-scoped like Node; PodFault, ServiceFault and Drill are namespaced.
import type { KubeObject } from './meta';
import type { ConditionStatus, LabelSelector } from './pod';

export const CHAOS_GROUP = 'chaos.bosun.dev';
export const CHAOS_VERSION = 'v1alpha1';
export const CHAOS_API_VERSION = `${CHAOS_GROUP}/${CHAOS_VERSION}`;
/** Blocks deletion of a fault until whatever it injected has been reverted. */
export const CHAOS_REVERT_FINALIZER = 'chaos.bosun.dev/revert';
/** Namespaces no PodFault/ServiceFault may touch (the lab's own machinery). */
export const PROTECTED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

/** How many of the selected targets get the fault: one (random), all, fixed N (`value: "2"`), fixed-percent (`value: "50"`). */
export type FaultMode = 'one' | 'all' | 'fixed' | 'fixed-percent';

export interface NodeTargetSelector {
  nodeNames?: string[];
  labelSelector?: LabelSelector;
}

export interface PodTargetSelector {
  /** Defaults to the fault's own namespace. */
  namespace?: string;
  labelSelector?: LabelSelector;
  /** Explicit pods as "namespace/name" (or "name" in the selector's namespace). */
  pods?: string[];
}

export type NodeFaultAction = 'crash' | 'kubeletStop' | 'freeze' | 'partition';

export interface NodeFaultSpec {
  action: NodeFaultAction;
  selector: NodeTargetSelector;
  mode?: FaultMode;
  value?: string;
  /** Go duration ("60s", "2m"); absent = until the fault is deleted. */
  duration?: string;
}

export type PodFaultAction = 'kill' | 'delete' | 'failLiveness' | 'failReadiness' | 'cpuStress' | 'memoryStress' | 'imagePullFailure';

export interface PodFaultSpec {
  action: PodFaultAction;
  selector: PodTargetSelector;
  mode?: FaultMode;
  value?: string;
  duration?: string;
  /** Containers to act on; default: every app container of the pod. */
  containerNames?: string[];
  /** cpuStress: busy workers per container (default 1). */
  cpuWorkers?: number;
  /** memoryStress: how much to allocate per container, a quantity ("64Mi"); above the limit → OOMKilled. */
  memory?: string;
}

export interface ServiceFaultSpec {
  service: { namespace?: string; name: string };
  /** Added delay before each connection is forwarded (Go duration), plus a uniform random 0..jitter. */
  latency?: string;
  jitter?: string;
  /** Percent of connections ended at once (reset), 0–100. */
  errorPercent?: number;
  /** Percent of connections black-holed, 0–100. */
  dropPercent?: number;
  duration?: string;
}

/**
 * Pending → Injecting (targets recorded, persisted BEFORE touching anything) → Injected → Reverting →
 * Reverted. Failed when injection failed (whatever was done is reverted first). A fault whose duration ended
 * stays as an object in phase Reverted (history) until deleted.
 */
export type FaultPhase = 'Pending' | 'Injecting' | 'Injected' | 'Reverting' | 'Reverted' | 'Failed';

/** One thing a fault acts on; `restore` holds whatever the revert needs (container ids paused, IPs…). */
export interface FaultTarget {
  kind: 'Node' | 'Pod' | 'Service';
  name: string;
  namespace?: string;
  uid?: string;
  containers?: string[];
  injectedAt?: string;
  revertedAt?: string;
  message?: string;
  restore?: Record<string, string>;
}

export interface FaultCondition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface FaultStatus {
  phase?: FaultPhase;
  observedGeneration?: number;
  targets?: FaultTarget[];
  injectedAt?: string;
  /** Persisted deadline (injectedAt + duration): a restart reverts a fault whose deadline passed meanwhile. */
  expiresAt?: string;
  revertedAt?: string;
  message?: string;
  conditions?: FaultCondition[];
}

export interface NodeFault extends KubeObject {
  apiVersion?: typeof CHAOS_API_VERSION;
  kind?: 'NodeFault';
  spec: NodeFaultSpec;
  status?: FaultStatus;
}

export interface PodFault extends KubeObject {
  apiVersion?: typeof CHAOS_API_VERSION;
  kind?: 'PodFault';
  spec: PodFaultSpec;
  status?: FaultStatus;
}

export interface ServiceFault extends KubeObject {
  apiVersion?: typeof CHAOS_API_VERSION;
  kind?: 'ServiceFault';
  spec: ServiceFaultSpec;
  status?: FaultStatus;
}

export type AnyFault = NodeFault | PodFault | ServiceFault;
export type FaultKind = 'NodeFault' | 'PodFault' | 'ServiceFault';

// ---- Drill --------------------------------------------------------------------------------------------
// A Drill runs once, when created (re-running = delete + create). Semantics: docs/DRILLS.md.

/** Finalizer the drill controller keeps on a Drill until the faults it created are gone (NodeFaults are
 * cluster-scoped, so ownerReferences cannot garbage-collect them). */
export const DRILL_FINALIZER = 'chaos.bosun.dev/drill-cleanup';
/** Labels on every fault a drill creates: which drill (namespace, name) owns it. */
export const DRILL_NAME_LABEL = 'chaos.bosun.dev/drill';
export const DRILL_NAMESPACE_LABEL = 'chaos.bosun.dev/drill-namespace';
/** At most this many timeline entries are kept in status (the newest). */
export const DRILL_TIMELINE_LIMIT = 500;

/** One steady-state (or abort) check; exactly one of deploymentReady, endpoints, http is set. */
export interface DrillCheck {
  name: string;
  /** Deployment (in the drill's namespace) has at least minReady ready replicas (status.readyReplicas). */
  deploymentReady?: { name: string; minReady: number };
  /** Service (in the drill's namespace) has at least minReady ready addresses in its Endpoints. */
  endpoints?: { service: string; minReady: number };
  /**
   * HTTP probes: `url` (must be http://127.0.0.1:…) or `service`+`port` (that Service port's NodePort on
   * 127.0.0.1); `ratePerSecond` GETs (default 10), held when at least `successPercent` (default 95) of the
   * last ratePerSecond answers were 2xx within `timeout` (default "1s").
   */
  http?: { url?: string; service?: string; port?: number; path?: string; ratePerSecond?: number; successPercent?: number; timeout?: string };
}

/** One step: a fault to inject for `duration` (a fault template), a rollout, a drain, or a plain pause. */
export interface DrillStep {
  name: string;
  nodeFault?: NodeFaultSpec;
  podFault?: PodFaultSpec;
  serviceFault?: ServiceFaultSpec;
  /** `kubectl set image` (image) or `kubectl rollout restart` (restart: true) of a Deployment; the step waits for the rollout to complete. */
  rollout?: { deployment: string; container?: string; image?: string; restart?: boolean };
  /** `kubectl drain --ignore-daemonsets` (cordon + evictions honouring PDBs, retried on 429 every second); `timeout` default "120s". */
  drain?: { node: string; uncordonAfter?: boolean; timeout?: string };
  /** Fault steps: how long the fault stays (Go duration; also the fault's own duration unless the template sets one).
   * Other steps: how long to wait after the action. A step with no action is a pause of this length. */
  duration?: string;
}

export interface DrillSpec {
  hypothesis?: string;
  steadyState: DrillCheck[];
  steps: DrillStep[];
  /** Abort (revert everything, phase Aborted) when one of these checks fails for `abortAfter` (default "5s") straight. */
  abortWhen?: DrillCheck[];
  abortAfter?: string;
  /** How long to wait, after the last step, for the steady state to come back (default "60s"). */
  recoveryTimeout?: string;
  /** How long the steady state may take to establish itself before the first step (default "60s"), so a drill
   * applied together with its Deployment waits for it. */
  steadyStateTimeout?: string;
}

export type DrillPhase = 'Pending' | 'Running' | 'Recovering' | 'Succeeded' | 'Failed' | 'Aborted';

export interface DrillTimelineEntry {
  /** RFC 3339 with milliseconds. */
  time: string;
  type: 'Step' | 'Fault' | 'Event' | 'Pod' | 'Endpoints' | 'Check' | 'Drill';
  message: string;
  object?: { kind: string; namespace?: string; name: string };
  ok?: boolean;
}

/** What one check saw during the drill (from the first step to the end). */
export interface DrillCheckReport {
  name: string;
  /** Whether this is a steady-state or an abort check. */
  role: 'steadyState' | 'abortWhen';
  samples: number;
  failedSamples: number;
  /** deploymentReady / endpoints: the lowest ready count observed. */
  minObserved?: number;
  /** http: requests sent and failed (non-2xx, refused, timed out). */
  requestsTotal?: number;
  requestsFailed?: number;
}

export interface DrillReport {
  /** Steady state before the first step, and back (or never lost) within recoveryTimeout after the last step, not aborted. */
  hypothesisHeld: boolean;
  /** Steady state before the first step. */
  steadyBefore: boolean;
  /** No failing steady-state sample from the first step to the end. */
  heldThroughout: boolean;
  /** The first step's action took effect (fault Injected, rollout patched, node cordoned). */
  disruptedAt?: string;
  /** First failing steady-state sample after disruptedAt. */
  detectedAt?: string;
  /** Last moment the steady state came back (and then held to the end). */
  recoveredAt?: string;
  /** disruptedAt → detectedAt (seconds, ms precision). */
  timeToDetectSeconds?: number;
  /** disruptedAt → recoveredAt (seconds, ms precision): how long the disruption was visible in total. */
  timeToRecoverSeconds?: number;
  requestsTotal: number;
  requestsFailed: number;
  checks?: DrillCheckReport[];
  message?: string;
}

export interface DrillStatus {
  phase?: DrillPhase;
  observedGeneration?: number;
  startedAt?: string;
  finishedAt?: string;
  /** Index of the step running (0-based); absent before the first step. */
  currentStep?: number;
  /** Name of the step running, for `kubectl get drills`. */
  currentStepName?: string;
  message?: string;
  /** Bounded (newest DRILL_TIMELINE_LIMIT kept) list of what happened, on one time axis. */
  timeline?: DrillTimelineEntry[];
  report?: DrillReport;
  conditions?: FaultCondition[];
}

export interface Drill extends KubeObject {
  apiVersion?: typeof CHAOS_API_VERSION;
  kind?: 'Drill';
  spec: DrillSpec;
  status?: DrillStatus;
}

// ---- helpers shared by the API strategy, the controller, drills and the dashboard -------------------------

/** Plural resource names of the fault kinds (all in CHAOS_GROUP/CHAOS_VERSION). */
export const FAULT_RESOURCES: Readonly<Record<FaultKind, string>> = Object.freeze({
  NodeFault: 'nodefaults',
  PodFault: 'podfaults',
  ServiceFault: 'servicefaults',
});

const GO_DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Go's time.ParseDuration ("90s", "1m30s", "1.5h", "300ms"), in milliseconds; undefined when Go would
 * refuse the text (a bare number other than "0", unknown units, empty). Signs are accepted as Go does.
 */
export function parseGoDuration(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const part = /^(\d*(?:\.\d*)?)([^\d.]+)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    const unit = GO_DURATION_UNITS[m[2]];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

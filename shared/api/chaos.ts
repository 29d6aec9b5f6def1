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

/** One steady-state check; exactly one of the check fields is set. */
export interface DrillCheck {
  name: string;
  /** Deployment (in the drill's namespace) has at least minReady ready replicas. */
  deploymentReady?: { name: string; minReady: number };
  /** Service has at least minReady ready endpoint addresses. */
  endpoints?: { service: string; minReady: number };
  /**
   * HTTP probes: `url` (must be http://127.0.0.1:…) or `service`+`port` (its NodePort on 127.0.0.1);
   * `ratePerSecond` requests (default 10), held when at least `successPercent` (default 95) answer 2xx
   * within `timeout` (default "1s").
   */
  http?: { url?: string; service?: string; port?: number; path?: string; ratePerSecond?: number; successPercent?: number; timeout?: string };
}

/** One step: a fault to inject for `duration` (a fault template), an action, or a pause. */
export interface DrillStep {
  name: string;
  nodeFault?: NodeFaultSpec;
  podFault?: PodFaultSpec;
  serviceFault?: ServiceFaultSpec;
  /** `kubectl set image` equivalent: starts a rolling update of a Deployment. */
  rollout?: { deployment: string; container?: string; image?: string; restart?: boolean };
  /** `kubectl drain` equivalent (cordon + evictions honouring PDBs). */
  drain?: { node: string; uncordonAfter?: boolean };
  /** Wait this long after the step's action (Go duration). */
  duration?: string;
}

export interface DrillSpec {
  hypothesis?: string;
  steadyState: DrillCheck[];
  steps: DrillStep[];
  /** Abort (revert everything, phase Aborted) when one of these checks fails for `abortAfter` straight. */
  abortWhen?: DrillCheck[];
  abortAfter?: string;
  /** How long to wait, after the last step, for the steady state to come back (default "60s"). */
  recoveryTimeout?: string;
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

export interface DrillReport {
  hypothesisHeld: boolean;
  /** Steady state before the first step. */
  steadyBefore: boolean;
  /** First fault injected → first failing check (seconds, ms precision). */
  timeToDetectSeconds?: number;
  /** Last fault reverted (or step ended) → steady state again. */
  timeToRecoverSeconds?: number;
  requestsTotal: number;
  requestsFailed: number;
  message?: string;
}

export interface DrillStatus {
  phase?: DrillPhase;
  observedGeneration?: number;
  startedAt?: string;
  finishedAt?: string;
  currentStep?: number;
  /** Bounded (newest kept) list of what happened, on one time axis. */
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

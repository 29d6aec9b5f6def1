// Pod helpers the ReplicaSet and Deployment controllers share (k8s pkg/controller/controller_utils.go and
// pkg/api/v1/pod): readiness, availability, the scale-down ranking and client-go's ControllerExpectations.
import type { KubeObject, OwnerReference } from '../../../shared/api/meta';
import type { Pod, PodCondition } from '../../../shared/api/pod';
import type { Clock } from '../../client/clock';

export function controllerRefOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Counts toward a set's replicas: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds (by the Ready condition's transition time). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = readyCondition(pod);
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

const restarts = (pod: Pod): number => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
const time = (t: string | undefined): number => (t ? Date.parse(t) : Number.NaN);

/**
 * controller.ActivePodsWithRanks.Less: the pod to delete first sorts first. Unassigned before assigned,
 * Pending < Unknown < Running, not ready before ready, more siblings on the same node first, ready for
 * less time first, more restarts first, newer first.
 */
export function comparePodsForDeletion(a: Pod, b: Pod, rankA = 0, rankB = 0): number {
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const sinceA = time(readyCondition(a)?.lastTransitionTime);
    const sinceB = time(readyCondition(b)?.lastTransitionTime);
    if (sinceA !== sinceB && !(Number.isNaN(sinceA) && Number.isNaN(sinceB))) {
      if (Number.isNaN(sinceA)) return -1;
      if (Number.isNaN(sinceB)) return 1;
      return sinceB - sinceA;
    }
  }
  const restartsA = restarts(a);
  const restartsB = restarts(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  const createdA = time(a.metadata.creationTimestamp);
  const createdB = time(b.metadata.creationTimestamp);
  if (createdA !== createdB && !(Number.isNaN(createdA) && Number.isNaN(createdB))) {
    if (Number.isNaN(createdA)) return -1;
    if (Number.isNaN(createdB)) return 1;
    return createdB - createdA;
  }
  // Same second: the later name from generateName is as good a tie-break as any, and stable.
  return (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');
}

/** getPodsToDelete: the `count` least valuable pods, ranking doubled-up pods (same node as a sibling) first. */
export function podsToDelete(pods: Pod[], related: Pod[], count: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: Pod): number => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  return pods
    .map((pod) => ({ pod, rank: rank(pod) }))
    .sort((x, y) => comparePodsForDeletion(x.pod, y.pod, x.rank, y.rank))
    .slice(0, count)
    .map((x) => x.pod);
}

/** Expectations older than this are assumed lost (a missed watch event must not wedge a set forever). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  deleting: Set<string>;
  at: number;
}

/**
 * client-go's UIDTrackingControllerExpectations: per controller key, how many creations and which
 * deletions the controller is still waiting to see through its informer. A sync that finds them
 * unsatisfied only refreshes status; it never creates or deletes again on a stale cache.
 */
export class ControllerExpectations {
  private readonly entries = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  satisfied(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.deleting.size === 0) return true;
    return this.clock.nowMs() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, count: number): void {
    this.entries.set(key, { add: count, deleting: new Set(), at: this.clock.nowMs() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.entries.set(key, { add: 0, deleting: new Set(podKeys), at: this.clock.nowMs() });
  }

  creationObserved(key: string): void {
    const e = this.entries.get(key);
    if (e && e.add > 0) e.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.entries.get(key)?.deleting.delete(podKey);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** For tests and diagnostics: what a key still waits for. */
  pending(key: string): { add: number; del: number } | undefined {
    const e = this.entries.get(key);
    return e && { add: e.add, del: e.deleting.size };
  }
}

// Pure rules of kube-controller-manager's node lifecycle controller (pkg/controller/nodelifecycle):
// what a silent node's conditions become, which taints a node's conditions call for, and the zone
// disruption state that pauses evictions when too many nodes fail at once.
import type { Node, NodeCondition, Taint } from '../../../shared/api/node';
import type { ConditionStatus } from '../../../shared/api/pod';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** The conditions a kubelet posts; the controller turns them Unknown when it stops posting. */
export const KUBELET_NODE_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const NODE_STATUS_NEVER_UPDATED = 'NodeStatusNeverUpdated';

/** metav1.Time: RFC 3339, whole seconds. */
export const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function nodeCondition(node: Node | undefined, type: string): NodeCondition | undefined {
  return node?.status?.conditions?.find((c) => c.type === type);
}

export function readyStatus(node: Node | undefined): ConditionStatus | undefined {
  return nodeCondition(node, 'Ready')?.status;
}

/**
 * The conditions of a node whose kubelet went silent: each kubelet condition Unknown ("Kubelet stopped
 * posting node status."), or added as Unknown when the kubelet never posted it. Undefined when they
 * already are (nothing to write).
 */
export function silentNodeConditions(node: Node, nowMs: number): NodeCondition[] | undefined {
  const now = rfc3339(nowMs);
  const conditions = structuredClone(node.status?.conditions ?? []);
  let changed = false;
  for (const type of KUBELET_NODE_CONDITIONS) {
    const existing = conditions.find((c) => c.type === type);
    if (!existing) {
      conditions.push({
        type,
        status: 'Unknown',
        lastHeartbeatTime: node.metadata.creationTimestamp ?? now,
        lastTransitionTime: now,
        reason: NODE_STATUS_NEVER_UPDATED,
        message: 'Kubelet never posted node status.',
      });
      changed = true;
    } else if (existing.status !== 'Unknown') {
      existing.status = 'Unknown';
      existing.reason = NODE_STATUS_UNKNOWN;
      existing.message = 'Kubelet stopped posting node status.';
      existing.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

const NO_SCHEDULE_BY_CONDITION: Array<{ type: string; status: ConditionStatus; key: string }> = [
  { type: 'Ready', status: 'False', key: TAINT_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: TAINT_MEMORY_PRESSURE },
  { type: 'DiskPressure', status: 'True', key: TAINT_DISK_PRESSURE },
  { type: 'PIDPressure', status: 'True', key: TAINT_PID_PRESSURE },
  { type: 'NetworkUnavailable', status: 'True', key: TAINT_NETWORK_UNAVAILABLE },
];
const CONTROLLER_NO_SCHEDULE_KEYS = new Set([...NO_SCHEDULE_BY_CONDITION.map((r) => r.key), TAINT_UNSCHEDULABLE]);

/** TaintNodesByCondition: the NoSchedule taints the node's conditions (and spec.unschedulable) call for. */
export function desiredNoScheduleKeys(node: Node): string[] {
  const keys = NO_SCHEDULE_BY_CONDITION.filter((r) => nodeCondition(node, r.type)?.status === r.status).map((r) => r.key);
  if (node.spec?.unschedulable) keys.push(TAINT_UNSCHEDULABLE);
  return keys;
}

/** Taint-based eviction: the NoExecute taint for the node's Ready condition, if any. */
export function desiredNoExecuteKey(node: Node): string | undefined {
  const ready = readyStatus(node);
  if (ready === 'False') return TAINT_NOT_READY;
  if (ready === 'Unknown') return TAINT_UNREACHABLE;
  return undefined;
}

const isControllerNoSchedule = (t: Taint): boolean => t.effect === 'NoSchedule' && CONTROLLER_NO_SCHEDULE_KEYS.has(t.key);
const isControllerNoExecute = (t: Taint): boolean => t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE);

/**
 * The node's taints with the controller-owned ones set to `noSchedule` and `noExecute` (keeping what
 * users added and the timeAdded of taints that stay). Undefined when nothing changes.
 */
export function reconcileTaints(node: Node, noSchedule: string[], noExecute: string | undefined, nowMs: number): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const next: Taint[] = current.filter((t) => {
    if (isControllerNoSchedule(t)) return noSchedule.includes(t.key);
    if (isControllerNoExecute(t)) return t.key === noExecute;
    return true;
  });
  for (const key of noSchedule) {
    if (!next.some((t) => t.key === key && t.effect === 'NoSchedule')) next.push({ key, effect: 'NoSchedule' });
  }
  if (noExecute && !next.some((t) => t.key === noExecute && t.effect === 'NoExecute')) {
    next.push({ key: noExecute, effect: 'NoExecute', timeAdded: rfc3339(nowMs) });
  }
  const same = next.length === current.length && next.every((t, i) => t === current[i]);
  return same ? undefined : next;
}

export function hasNoExecuteTaint(node: Node, key: string): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === 'NoExecute');
}

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/**
 * ComputeZoneState: FullDisruption when no node of the zone is Ready (the control plane, not the nodes,
 * is the likely culprit), PartialDisruption when more than 2 nodes and at least 55% are not Ready.
 */
export function zoneState(readyNodes: number, notReadyNodes: number, unhealthyThreshold = 0.55): ZoneState {
  if (readyNodes === 0 && notReadyNodes > 0) return 'FullDisruption';
  if (notReadyNodes > 2 && notReadyNodes / Math.max(1, readyNodes + notReadyNodes) >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const nodeZone = (node: Node): string => node.metadata.labels?.[ZONE_LABEL] ?? '';

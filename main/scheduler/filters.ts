// Filter plugins (predicates) in the default profile's order. A node fails at its first failing
// plugin; NodeResourcesFit may give several reasons at once (cpu and memory), as Kubernetes does.
// Reason strings are kube-scheduler's own, since users paste them into search engines.
import type { NodeInfo } from './cache';
import { affinityFilter, affinityPreFilter, type AffinityPreFilter } from './inter-pod-affinity';
import { firstUntoleratedTaint, podMatchesNodeSelectorAndAffinity, taintTolerated } from './node-match';
import { portsConflict, type PodInfo } from './pod-info';
import { spreadFilter, spreadPreFilter, type SpreadFilterState } from './topology-spread';

export const ERR_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const ERR_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const ERR_TOO_MANY_PODS = 'Too many pods';
export const ERR_NO_NODES = 'no nodes available to schedule pods';
export const untoleratedTaintReason = (key: string, value: string | undefined): string => `node(s) had untolerated taint {${key}: ${value ?? ''}}`;

/** Why a node was rejected; unresolvable: preemption could not help (UnschedulableAndUnresolvable). */
export interface FilterFailure {
  plugin: string;
  reasons: string[];
  unresolvable: boolean;
}

/** PreFilter results, computed once per scheduling attempt. */
export interface FilterState {
  pod: PodInfo;
  affinity: AffinityPreFilter;
  spread?: SpreadFilterState;
}

const fail = (plugin: string, reasons: string[], unresolvable: boolean): FilterFailure => ({ plugin, reasons, unresolvable });
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' as const };
const HARD_EFFECTS = ['NoSchedule', 'NoExecute'] as const;

export function nodeUnschedulable(pod: PodInfo, node: NodeInfo): FilterFailure | undefined {
  if (!node.node.spec?.unschedulable) return undefined;
  return taintTolerated(UNSCHEDULABLE_TAINT, pod.pod.spec?.tolerations) ? undefined : fail('NodeUnschedulable', [ERR_UNSCHEDULABLE], true);
}

export function taintToleration(pod: PodInfo, node: NodeInfo): FilterFailure | undefined {
  if (node.taints.length === 0) return undefined;
  const taint = firstUntoleratedTaint(node.taints, pod.pod.spec?.tolerations, HARD_EFFECTS);
  return taint ? fail('TaintToleration', [untoleratedTaintReason(taint.key, taint.value)], true) : undefined;
}

export function nodeAffinity(pod: PodInfo, node: NodeInfo): FilterFailure | undefined {
  if (!pod.nodeConstrained) return undefined;
  return podMatchesNodeSelectorAndAffinity(pod.pod, node.node) ? undefined : fail('NodeAffinity', [ERR_NODE_AFFINITY], true);
}

export function nodePorts(pod: PodInfo, node: NodeInfo): FilterFailure | undefined {
  if (pod.hostPorts.length === 0) return undefined;
  for (const existing of node.pods.values()) {
    for (const used of existing.hostPorts) {
      if (pod.hostPorts.some((p) => portsConflict(p, used))) return fail('NodePorts', [ERR_PORTS], false);
    }
  }
  return undefined;
}

/** NodeResourcesFit: pods count first, then each requested resource that does not fit. */
export function nodeResourcesFit(pod: PodInfo, node: NodeInfo): FilterFailure | undefined {
  const reasons: string[] = [];
  const { allocatable: a, requested: used } = node;
  const r = pod.requests;
  if (node.pods.size + 1 > a.pods) reasons.push(ERR_TOO_MANY_PODS);
  if (r.cpu > 0 && r.cpu > a.cpu - used.cpu) reasons.push('Insufficient cpu');
  if (r.memory > 0 && r.memory > a.memory - used.memory) reasons.push('Insufficient memory');
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) reasons.push('Insufficient ephemeral-storage');
  // for…in: no entries array per node per pod (this runs for every node of every attempt).
  for (const name in r.scalar) {
    const want = r.scalar[name];
    if (want > 0 && want > (a.scalar[name] ?? 0) - (used.scalar[name] ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return reasons.length ? fail('NodeResourcesFit', reasons, false) : undefined;
}

export function preFilter(pod: PodInfo, nodes: NodeInfo[]): FilterState {
  return { pod, affinity: affinityPreFilter(pod, nodes), spread: spreadPreFilter(pod, nodes) };
}

/** Runs every filter on one node in the framework's order; undefined means the node fits. */
export function runFilters(state: FilterState, node: NodeInfo): FilterFailure | undefined {
  const pod = state.pod;
  const simple =
    nodeUnschedulable(pod, node) ?? taintToleration(pod, node) ?? nodeAffinity(pod, node) ?? nodePorts(pod, node) ?? nodeResourcesFit(pod, node);
  if (simple) return simple;
  const spread = spreadFilter(pod, state.spread, node);
  if (spread) return fail('PodTopologySpread', [spread.reason], spread.unresolvable);
  const affinity = affinityFilter(pod, state.affinity, node);
  if (affinity) return fail('InterPodAffinity', [affinity.reason], affinity.unresolvable);
  return undefined;
}

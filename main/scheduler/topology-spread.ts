// PodTopologySpread: explicit DoNotSchedule constraints as a filter; ScheduleAnyway constraints, or
// the system defaults (hostname maxSkew 3, zone maxSkew 5) for pods of a workload, as a score.
// The defaults are how Kubernetes spreads a ReplicaSet's pods since SelectorSpread was retired.
import { labelSelectorAsSelector, type LabelSelector } from '../../shared/api/labels';
import type { TopologySpreadConstraint } from '../../shared/api/pod';
import type { NodeInfo } from './cache';
import { hasNodeConstraints, podMatchesNodeSelectorAndAffinity } from './node-match';
import type { PodInfo } from './pod-info';

export const ERR_SPREAD = "node(s) didn't match pod topology spread constraints";
export const ERR_SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Which existing pods count as "the same kind" for a constraint. */
export type PodMatcher = (p: PodInfo) => boolean;

interface Constraint {
  topologyKey: string;
  maxSkew: number;
  matches: PodMatcher;
  /** Fast path for the default hostname constraint: count from NodeInfo.byController. */
  controllerUid?: string;
}

const pair = (k: string, v: string): string => `${k}\u0000${v}`;

function compile(c: TopologySpreadConstraint, pod: PodInfo): Constraint {
  let selector: LabelSelector;
  try {
    selector = labelSelectorAsSelector(c.labelSelector);
  } catch {
    selector = labelSelectorAsSelector(undefined);
  }
  return { topologyKey: c.topologyKey, maxSkew: c.maxSkew, matches: (p) => p.namespace === pod.namespace && selector.matches(p.labels) };
}

function countOnNode(c: Constraint, node: NodeInfo): number {
  if (c.controllerUid && c.matches === matchOnlyController) return node.byController.get(c.controllerUid) ?? 0;
  let n = 0;
  for (const p of node.pods.values()) if (!p.pod.metadata.deletionTimestamp && c.matches(p)) n++;
  return n;
}

// Marker: the matcher is exactly "same controller uid and namespace", so per-node counts are indexed.
const matchOnlyController: PodMatcher = () => false;

const hasAllKeys = (node: NodeInfo, cs: Constraint[]): boolean => cs.every((c) => node.labels[c.topologyKey] !== undefined);

export interface SpreadFilterState {
  constraints: Constraint[];
  counts: Map<string, number>;
  /** Minimum count over the domains of each constraint. */
  minMatch: number[];
}

export function spreadPreFilter(pod: PodInfo, nodes: NodeInfo[]): SpreadFilterState | undefined {
  const explicit = (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
  if (explicit.length === 0) return undefined;
  const constraints = explicit.map((c) => compile(c, pod));
  const counts = new Map<string, number>();
  for (const node of nodes) {
    if (!podMatchesNodeSelectorAndAffinity(pod.pod, node.node) || !hasAllKeys(node, constraints)) continue;
    for (const c of constraints) {
      const k = pair(c.topologyKey, node.labels[c.topologyKey]);
      counts.set(k, (counts.get(k) ?? 0) + countOnNode(c, node));
    }
  }
  const minMatch = constraints.map((c) => {
    let min = Infinity;
    const prefix = `${c.topologyKey}\u0000`;
    for (const [k, v] of counts) if (k.startsWith(prefix)) min = Math.min(min, v);
    return min === Infinity ? 0 : min;
  });
  return { constraints, counts, minMatch };
}

export function spreadFilter(pod: PodInfo, state: SpreadFilterState | undefined, node: NodeInfo): { reason: string; unresolvable: boolean } | undefined {
  if (!state) return undefined;
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i];
    const v = node.labels[c.topologyKey];
    if (v === undefined) return { reason: ERR_SPREAD_MISSING_LABEL, unresolvable: true };
    const self = c.matches(pod) ? 1 : 0;
    const skew = (state.counts.get(pair(c.topologyKey, v)) ?? 0) + self - state.minMatch[i];
    if (skew > c.maxSkew) return { reason: ERR_SPREAD, unresolvable: false };
  }
  return undefined;
}

export interface SpreadScoreState {
  constraints: Constraint[];
  weights: number[];
  counts: Map<string, number>[];
  ignored: Set<string>;
}

/**
 * defaultMatcher: the pod's workload (same controller, services selecting it) or undefined when the
 * pod belongs to none — then there is nothing to spread and the score is neutral.
 */
/** Pods of a controller per zone over every node (SchedulerCache.zones), when the caller keeps that index. */
export type ControllerZones = (controllerUid: string) => ReadonlyMap<string, number> | undefined;

export function spreadPreScore(
  pod: PodInfo,
  feasible: NodeInfo[],
  all: NodeInfo[],
  defaultMatcher: PodMatcher | undefined,
  controllerOnly: boolean,
  controllerZones?: ControllerZones,
): SpreadScoreState | undefined {
  const specConstraints = pod.pod.spec?.topologySpreadConstraints ?? [];
  let constraints: Constraint[];
  let requireAll = true;
  if (specConstraints.length > 0) {
    constraints = specConstraints.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway').map((c) => compile(c, pod));
  } else {
    if (!defaultMatcher) return undefined;
    requireAll = false;
    const matches = controllerOnly ? matchOnlyController : defaultMatcher;
    const base = { matches, controllerUid: controllerOnly ? pod.controllerUid : undefined };
    constraints = [
      { topologyKey: HOSTNAME_LABEL, maxSkew: 3, ...base },
      { topologyKey: ZONE_LABEL, maxSkew: 5, ...base },
    ];
  }
  if (constraints.length === 0) return undefined;
  const ignored = new Set<string>();
  // Per constraint: domain value → matching pods (hostname domains are counted per node in score).
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of feasible) {
    if (requireAll && !hasAllKeys(node, constraints)) {
      ignored.add(node.name);
      continue;
    }
    const labels = node.labels;
    for (let i = 0; i < constraints.length; i++) {
      const key = constraints[i].topologyKey;
      const v = labels[key];
      if (key !== HOSTNAME_LABEL && v !== undefined && !counts[i].has(v)) counts[i].set(v, 0);
    }
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME_LABEL ? feasible.length - ignored.size : counts[i].size) + 2));
  // Domain counts come from every node the pod could go to, not only the feasible ones.
  if (counts.some((m) => m.size > 0)) {
    const constrained = hasNodeConstraints(pod);
    // Every node can take the pod and only its controller's pods count: the index has the sums.
    if (controllerZones && !constrained && constraints.every((c) => c.matches === matchOnlyController && c.controllerUid)) {
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i];
        if (c.topologyKey !== ZONE_LABEL) continue;
        const zones = controllerZones(c.controllerUid!);
        for (const v of counts[i].keys()) counts[i].set(v, zones?.get(v) ?? 0);
      }
      return { constraints, weights, counts, ignored };
    }
    for (const node of all) {
      if (constrained && !podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) continue;
      const labels = node.labels;
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i];
        const v = labels[c.topologyKey];
        if (c.topologyKey === HOSTNAME_LABEL || v === undefined) continue;
        const n = counts[i].get(v);
        if (n !== undefined) counts[i].set(v, n + countOnNode(c, node));
      }
    }
  }
  return { constraints, weights, counts, ignored };
}

export function spreadScore(state: SpreadScoreState | undefined, node: NodeInfo): number {
  if (!state || state.ignored.has(node.name)) return 0;
  let score = 0;
  const labels = node.labels;
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i];
    const v = labels[c.topologyKey];
    if (v === undefined) continue;
    const cnt = c.topologyKey === HOSTNAME_LABEL ? countOnNode(c, node) : (state.counts[i].get(v) ?? 0);
    score += cnt * state.weights[i] + (c.maxSkew - 1);
  }
  return Math.round(score);
}

/** Fewer matching pods → higher score; ignored nodes get 0 (they lack a required topology label). */
export function normalizeSpreadScores(state: SpreadScoreState | undefined, nodes: NodeInfo[], scores: number[]): void {
  if (!state) {
    scores.fill(100);
    return;
  }
  let min = Infinity;
  let max = 0;
  nodes.forEach((n, i) => {
    if (state.ignored.has(n.name)) return;
    min = Math.min(min, scores[i]);
    max = Math.max(max, scores[i]);
  });
  nodes.forEach((n, i) => {
    if (state.ignored.has(n.name)) scores[i] = 0;
    else if (max === 0) scores[i] = 100;
    else scores[i] = Math.trunc((100 * (max + min - scores[i])) / max);
  });
}

// Score plugins of the default profile with their default weights. Each yields 0–100 per feasible
// node after its own normalisation; the node's total is Σ weight × score, as in the framework.
import type { NodeInfo } from './cache';
import { affinityPreScore, affinityScore, normalizeAffinityScores } from './inter-pod-affinity';
import { nodeSelectorTermMatches, taintTolerated } from './node-match';
import type { PodInfo } from './pod-info';
import { isZero } from './resources';
import { normalizeSpreadScores, spreadPreScore, spreadScore, type PodMatcher } from './topology-spread';

export const MAX_NODE_SCORE = 100;

/** Plugin names as kube-scheduler's profile spells them; weights are its defaults. */
export const SCORE_WEIGHTS = {
  TaintToleration: 3,
  NodeAffinity: 2,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesFit: 1,
  NodeResourcesBalancedAllocation: 1,
} as const;
export type ScorePluginName = keyof typeof SCORE_WEIGHTS;

export interface ScoreContext {
  /** Existing pods of the same workload as the incoming one (controller, services), if any. */
  spreadMatcher?: PodMatcher;
  /** True when spreadMatcher is only "same controller", so per-node counts can be read from the index. */
  spreadByControllerOnly: boolean;
}

export interface NodeScores {
  /** Normalised 0–100 score per plugin that ran (skipped plugins are absent), per feasible node. */
  byPlugin: Partial<Record<ScorePluginName, number[]>>;
  totals: number[];
}

/** framework.DefaultNormalizeScore. */
export function defaultNormalize(scores: number[], reverse: boolean): void {
  const max = Math.max(0, ...scores);
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

/** LeastAllocated over cpu and memory (weight 1 each), using the non-zero request defaults. */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const part = (capacity: number, requested: number): number =>
    capacity === 0 || requested > capacity ? 0 : Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
  const cpu = part(node.allocatable.cpu, node.nonZeroRequested.cpu + pod.nonZero.cpu);
  const memory = part(node.allocatable.memory, node.nonZeroRequested.memory + pod.nonZero.memory);
  return Math.trunc((cpu + memory) / 2);
}

/** BalancedAllocation: 100 × (1 − standard deviation of the cpu and memory fractions). */
export function balancedAllocationScore(pod: PodInfo, node: NodeInfo): number {
  const fractions: number[] = [];
  const add = (capacity: number, requested: number): void => {
    if (capacity > 0) fractions.push(Math.min(1, requested / capacity));
  };
  add(node.allocatable.cpu, node.requested.cpu + pod.requests.cpu);
  add(node.allocatable.memory, node.requested.memory + pod.requests.memory);
  const std = fractions.length === 2 ? Math.abs((fractions[0] - fractions[1]) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

function taintScore(pod: PodInfo, node: NodeInfo): number {
  const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  let n = 0;
  for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !taintTolerated(taint, tolerations)) n++;
  return n;
}

function nodeAffinityScore(pod: PodInfo, node: NodeInfo): number {
  let sum = 0;
  for (const p of pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (p.weight !== 0 && nodeSelectorTermMatches(p.preference, node.node)) sum += p.weight;
  }
  return sum;
}

export function scoreNodes(pod: PodInfo, feasible: NodeInfo[], all: NodeInfo[], ctx: ScoreContext): NodeScores {
  const byPlugin: Partial<Record<ScorePluginName, number[]>> = {};

  const taints = feasible.map((n) => taintScore(pod, n));
  defaultNormalize(taints, true);
  byPlugin.TaintToleration = taints;

  if (pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) {
    const s = feasible.map((n) => nodeAffinityScore(pod, n));
    defaultNormalize(s, false);
    byPlugin.NodeAffinity = s;
  }

  const spreadState = spreadPreScore(pod, feasible, all, ctx.spreadMatcher, ctx.spreadByControllerOnly);
  if (spreadState) {
    const s = feasible.map((n) => spreadScore(spreadState, n));
    normalizeSpreadScores(spreadState, feasible, s);
    byPlugin.PodTopologySpread = s;
  }

  const affinityState = affinityPreScore(pod, all);
  if (affinityState) {
    const s = feasible.map((n) => affinityScore(affinityState, n));
    normalizeAffinityScores(s);
    byPlugin.InterPodAffinity = s;
  }

  byPlugin.NodeResourcesFit = feasible.map((n) => leastAllocatedScore(pod, n));
  // A BestEffort pod has nothing to balance; scoring it would pile such pods onto one node.
  if (!isZero(pod.requests)) byPlugin.NodeResourcesBalancedAllocation = feasible.map((n) => balancedAllocationScore(pod, n));

  const totals = new Array<number>(feasible.length).fill(0);
  for (const [name, scores] of Object.entries(byPlugin) as [ScorePluginName, number[]][]) {
    const w = SCORE_WEIGHTS[name];
    for (let i = 0; i < scores.length; i++) totals[i] += w * scores[i];
  }
  return { byPlugin, totals };
}

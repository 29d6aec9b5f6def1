// Score plugins of the default profile with their default weights. Each yields 0–100 per feasible
// node after its own normalisation; the node's total is Σ weight × score, as in the framework.
import type { NodeInfo } from './cache';
import { affinityPreScore, affinityScore, normalizeAffinityScores } from './inter-pod-affinity';
import { nodeSelectorTermMatches, taintTolerated } from './node-match';
import type { PodInfo } from './pod-info';
import { isZero } from './resources';
import { normalizeSpreadScores, spreadPreScore, spreadScore, type ControllerZones, type PodMatcher } from './topology-spread';

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
  /** The cache's per-zone counts of a controller's pods over all nodes (optional: plugin tests run without a cache). */
  controllerZones?: ControllerZones;
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
function leastAllocatedPart(capacity: number, requested: number): number {
  return capacity === 0 || requested > capacity ? 0 : Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const part = leastAllocatedPart;
  const cpu = part(node.allocatable.cpu, node.nonZeroRequested.cpu + pod.nonZero.cpu);
  const memory = part(node.allocatable.memory, node.nonZeroRequested.memory + pod.nonZero.memory);
  return Math.trunc((cpu + memory) / 2);
}

/** BalancedAllocation: 100 × (1 − standard deviation of the cpu and memory fractions). */
export function balancedAllocationScore(pod: PodInfo, node: NodeInfo): number {
  const { cpu, memory } = node.allocatable;
  // With one resource known there is no spread between resources to measure.
  if (cpu <= 0 || memory <= 0) return MAX_NODE_SCORE;
  const c = Math.min(1, (node.requested.cpu + pod.requests.cpu) / cpu);
  const m = Math.min(1, (node.requested.memory + pod.requests.memory) / memory);
  return Math.trunc((1 - Math.abs((c - m) / 2)) * MAX_NODE_SCORE);
}

function taintScore(pod: PodInfo, node: NodeInfo): number {
  if (node.taints.length === 0) return 0;
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

type PerNode = (pod: PodInfo, node: NodeInfo) => number;

// Plain loops: this runs for every feasible node of every pod, so no per-call closures.
function perNode(pod: PodInfo, nodes: NodeInfo[], fn: PerNode): number[] {
  const out = new Array<number>(nodes.length);
  for (let i = 0; i < nodes.length; i++) out[i] = fn(pod, nodes[i]);
  return out;
}

export function scoreNodes(pod: PodInfo, feasible: NodeInfo[], all: NodeInfo[], ctx: ScoreContext): NodeScores {
  const byPlugin: Partial<Record<ScorePluginName, number[]>> = {};

  const taints = perNode(pod, feasible, taintScore);
  defaultNormalize(taints, true);
  byPlugin.TaintToleration = taints;

  if (pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) {
    const s = perNode(pod, feasible, nodeAffinityScore);
    defaultNormalize(s, false);
    byPlugin.NodeAffinity = s;
  }

  const spreadState = spreadPreScore(pod, feasible, all, ctx.spreadMatcher, ctx.spreadByControllerOnly, ctx.controllerZones);
  if (spreadState) {
    const s = new Array<number>(feasible.length);
    for (let i = 0; i < feasible.length; i++) s[i] = spreadScore(spreadState, feasible[i]);
    normalizeSpreadScores(spreadState, feasible, s);
    byPlugin.PodTopologySpread = s;
  }

  const affinityState = affinityPreScore(pod, all);
  if (affinityState) {
    const s = new Array<number>(feasible.length);
    for (let i = 0; i < feasible.length; i++) s[i] = affinityScore(affinityState, feasible[i]);
    normalizeAffinityScores(s);
    byPlugin.InterPodAffinity = s;
  }

  byPlugin.NodeResourcesFit = perNode(pod, feasible, leastAllocatedScore);
  // A BestEffort pod has nothing to balance; scoring it would pile such pods onto one node.
  if (!isZero(pod.requests)) byPlugin.NodeResourcesBalancedAllocation = perNode(pod, feasible, balancedAllocationScore);

  const totals = new Array<number>(feasible.length).fill(0);
  for (const name of Object.keys(byPlugin) as ScorePluginName[]) {
    const scores = byPlugin[name]!;
    const w = SCORE_WEIGHTS[name];
    for (let i = 0; i < scores.length; i++) totals[i] += w * scores[i];
  }
  return { byPlugin, totals };
}

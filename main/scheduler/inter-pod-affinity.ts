// InterPodAffinity: required (anti-)affinity as a filter and preferred terms as a score. The counts
// per topology domain are computed once per pod (PreFilter/PreScore) so each node check is a lookup.
import type { NodeInfo } from './cache';
import { termMatches, type AffinityTerm, type PodInfo } from './pod-info';

export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";

type Counts = Map<string, number>;
const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;
const bump = (m: Counts, k: string, by = 1): void => {
  m.set(k, (m.get(k) ?? 0) + by);
};

export interface AffinityPreFilter {
  existingAntiAffinity: Counts;
  antiAffinity: Counts;
  affinity: Counts;
}

const matchesAll = (terms: AffinityTerm[], p: PodInfo): boolean => terms.every((t) => termMatches(t, p));

export function affinityPreFilter(pod: PodInfo, nodes: NodeInfo[]): AffinityPreFilter {
  const state: AffinityPreFilter = { existingAntiAffinity: new Map(), antiAffinity: new Map(), affinity: new Map() };
  const ownTerms = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
  for (const node of nodes) {
    const labels = node.labels;
    for (const existing of node.podsWithAffinity) {
      for (const t of existing.requiredAntiAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined && termMatches(t, pod)) bump(state.existingAntiAffinity, pairKey(t.topologyKey, v));
      }
    }
    if (!ownTerms) continue;
    for (const existing of node.pods.values()) {
      if (pod.requiredAffinity.length && matchesAll(pod.requiredAffinity, existing)) {
        for (const t of pod.requiredAffinity) {
          const v = labels[t.topologyKey];
          if (v !== undefined) bump(state.affinity, pairKey(t.topologyKey, v));
        }
      }
      for (const t of pod.requiredAntiAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined && termMatches(t, existing)) bump(state.antiAffinity, pairKey(t.topologyKey, v));
      }
    }
  }
  return state;
}

/** The failure reason for this node, or undefined; `unresolvable` as the framework would mark it. */
export function affinityFilter(pod: PodInfo, state: AffinityPreFilter, node: NodeInfo): { reason: string; unresolvable: boolean } | undefined {
  const labels = node.labels;
  if (state.existingAntiAffinity.size) {
    for (const [k, v] of Object.entries(labels)) {
      if ((state.existingAntiAffinity.get(pairKey(k, v)) ?? 0) > 0) return { reason: ERR_EXISTING_ANTI_AFFINITY, unresolvable: false };
    }
  }
  for (const t of pod.requiredAntiAffinity) {
    const v = labels[t.topologyKey];
    if (v !== undefined && (state.antiAffinity.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return { reason: ERR_ANTI_AFFINITY, unresolvable: false };
  }
  if (pod.requiredAffinity.length) {
    let podsExist = true;
    for (const t of pod.requiredAffinity) {
      const v = labels[t.topologyKey];
      if (v === undefined) return { reason: ERR_AFFINITY, unresolvable: true };
      if ((state.affinity.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    // The first pod of a group that wants to be near its own kind may go anywhere.
    if (!podsExist && !(state.affinity.size === 0 && matchesAll(pod.requiredAffinity, pod))) return { reason: ERR_AFFINITY, unresolvable: true };
  }
  return undefined;
}

/** Weighted sums per topology domain (PreScore); a node's score is the sum over its labels. */
export function affinityPreScore(pod: PodInfo, nodes: NodeInfo[]): Map<string, Counts> | undefined {
  const ownPreferred = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
  const scores = new Map<string, Counts>();
  const add = (node: NodeInfo, key: string, weight: number): void => {
    const v = node.labels[key];
    if (v === undefined || weight === 0) return;
    let m = scores.get(key);
    if (!m) scores.set(key, (m = new Map()));
    bump(m, v, weight);
  };
  for (const node of nodes) {
    const candidates: Iterable<PodInfo> = ownPreferred ? node.pods.values() : node.podsWithAffinity;
    for (const existing of candidates) {
      for (const t of pod.preferredAffinity) if (termMatches(t, existing)) add(node, t.topologyKey, t.weight);
      for (const t of pod.preferredAntiAffinity) if (termMatches(t, existing)) add(node, t.topologyKey, -t.weight);
      // Symmetry: existing pods' wishes about the incoming pod count too (hardPodAffinityWeight 1).
      for (const t of existing.requiredAffinity) if (termMatches(t, pod)) add(node, t.topologyKey, 1);
      for (const t of existing.preferredAffinity) if (termMatches(t, pod)) add(node, t.topologyKey, t.weight);
      for (const t of existing.preferredAntiAffinity) if (termMatches(t, pod)) add(node, t.topologyKey, -t.weight);
    }
  }
  return scores.size ? scores : undefined;
}

export function affinityScore(state: Map<string, Counts> | undefined, node: NodeInfo): number {
  if (!state) return 0;
  let total = 0;
  for (const [key, values] of state) {
    const v = node.labels[key];
    if (v !== undefined) total += values.get(v) ?? 0;
  }
  return total;
}

/** Min–max to 0–100; all equal → 0, as the plugin does. */
export function normalizeAffinityScores(scores: number[]): void {
  if (scores.length === 0) return;
  const max = Math.max(...scores);
  const min = Math.min(...scores);
  const diff = max - min;
  for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((100 * (scores[i] - min)) / diff) : 0;
}

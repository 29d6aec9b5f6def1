// Matching a pod against a node's labels and taints (component-helpers nodeaffinity and
// v1helper.TolerationsTolerateTaint), shared by the filters and the scores.
import type { Node, Taint } from '../../shared/api/node';
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod, Toleration } from '../../shared/api/pod';

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key !== undefined && toleration.key !== '' && toleration.key !== taint.key) return false;
  const operator = toleration.operator ?? 'Equal';
  if (operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

export const taintTolerated = (taint: Taint, tolerations: Toleration[] | undefined): boolean =>
  (tolerations ?? []).some((t) => tolerates(t, taint));

/** The first taint with one of `effects` the pod does not tolerate. */
export function firstUntoleratedTaint(taints: Taint[], tolerations: Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !taintTolerated(taint, tolerations));
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !/^-?\d+$/.test(value) || (r.values ?? []).length !== 1 || !/^-?\d+$/.test(r.values![0])) return false;
      const n = Number(value);
      const bound = Number(r.values![0]);
      return r.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

/** A term with no requirements matches nothing; requirements within a term are ANDed. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined)) return false;
  // metadata.name is the only field a node selector may name.
  for (const r of fields) if (!requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined)) return false;
  return true;
}

/** spec.nodeSelector and the required node affinity terms (ORed) both hold. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return (required.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
  return true;
}

/** False when the pod names no node selector or required node affinity (every node matches). */
export function hasNodeConstraints(p: { pod: Pod }): boolean {
  const spec = p.pod.spec;
  return !!spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution || Object.keys(spec?.nodeSelector ?? {}).length > 0;
}

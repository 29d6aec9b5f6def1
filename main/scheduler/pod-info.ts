// PodInfo (framework.PodInfo): a pod with everything the plugins need pre-parsed once — requests,
// host ports, affinity terms with compiled selectors — so filtering 100 nodes does not re-parse.
import { labelSelectorAsSelector, type LabelSelector } from '../../shared/api/labels';
import type { Pod, PodAffinityTerm } from '../../shared/api/pod';
import { metaNamespaceKey } from '../client/indexer';
import { hasNodeConstraints } from './node-match';
import { podRequests, type Resources } from './resources';

export interface AffinityTerm {
  topologyKey: string;
  selector: LabelSelector;
  /** undefined: all namespaces (namespaceSelector {}); otherwise the set a term applies to. */
  namespaces?: Set<string>;
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  key: string;
  uid: string;
  pod: Pod;
  namespace: string;
  labels: Record<string, string>;
  requests: Resources;
  /** Requests with the scoring defaults for containers that set none. */
  nonZero: Resources;
  hostPorts: HostPort[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
  /** UID of the controlling owner (ReplicaSet, StatefulSet, …), for spreading a workload's pods. */
  controllerUid?: string;
  priority: number;
  /** Has a nodeSelector or required node affinity (else the NodeAffinity filter passes at once). */
  nodeConstrained: boolean;
}

function compileTerm(term: PodAffinityTerm, podNamespace: string, weight: number): AffinityTerm {
  let namespaces: Set<string> | undefined = new Set(term.namespaces ?? []);
  const nsSelector = term.namespaceSelector;
  // An empty namespaceSelector selects every namespace; with neither field the pod's own applies.
  if (nsSelector && !nsSelector.matchLabels && !nsSelector.matchExpressions?.length) namespaces = undefined;
  else if (namespaces.size === 0) namespaces.add(podNamespace);
  let selector: LabelSelector;
  try {
    selector = labelSelectorAsSelector(term.labelSelector);
  } catch {
    selector = labelSelectorAsSelector(undefined);
  }
  return { topologyKey: term.topologyKey, selector, namespaces, weight };
}

export function termMatches(term: AffinityTerm, pod: { namespace: string; labels: Record<string, string> }): boolean {
  if (term.namespaces && !term.namespaces.has(pod.namespace)) return false;
  return term.selector.matches(pod.labels);
}

export function buildPodInfo(pod: Pod): PodInfo {
  const namespace = pod.metadata.namespace ?? 'default';
  const spec = pod.spec;
  const affinity = spec?.affinity;
  const hostPorts: HostPort[] = [];
  for (const c of spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  const required = (terms: PodAffinityTerm[] | undefined) => (terms ?? []).map((t) => compileTerm(t, namespace, 1));
  const preferred = (terms: { weight: number; podAffinityTerm: PodAffinityTerm }[] | undefined) =>
    (terms ?? []).map((t) => compileTerm(t.podAffinityTerm, namespace, t.weight));
  return {
    key: metaNamespaceKey(pod),
    uid: pod.metadata.uid ?? metaNamespaceKey(pod),
    pod,
    namespace,
    labels: pod.metadata.labels ?? {},
    requests: podRequests(pod),
    nonZero: podRequests(pod, true),
    hostPorts,
    requiredAffinity: required(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: required(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: preferred(affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: preferred(affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    controllerUid: pod.metadata.ownerReferences?.find((r) => r.controller)?.uid,
    priority: spec?.priority ?? 0,
    nodeConstrained: hasNodeConstraints({ pod }),
  };
}

export const hasAffinityTerms = (p: PodInfo): boolean =>
  p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;

/** Two host ports collide on the same protocol and port when either binds every address. */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0';
}

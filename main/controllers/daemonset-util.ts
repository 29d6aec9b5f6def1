// Pure helpers of the DaemonSet controller (k8s pkg/controller/daemon/util and
// component-helpers/scheduling): which nodes should run a daemon pod, and the pod placed on a node.
import type { Node } from '../../shared/api/node';
import type { NodeSelectorTerm, Pod, Toleration } from '../../shared/api/pod';
import type { DaemonSet } from '../../shared/api/workloads';
import { cloneObject } from '../client/cache-object';
import { firstUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from '../scheduler/node-match';
import { computeHash } from './deployment/util';

export const REVISION_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** util.AddOrUpdateDaemonPodTolerations: daemons keep running through node trouble and cordons. */
export const DAEMON_TOLERATIONS: readonly Toleration[] = Object.freeze([
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
]);
const NETWORK_UNAVAILABLE: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

/** The template's hash when no ControllerRevision names it (the controller passes the revision's hash label). */
export const revisionOf = (ds: DaemonSet): string => computeHash(ds.spec?.template);

function withTolerations(existing: Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(existing ?? [])];
  const add = hostNetwork ? [...DAEMON_TOLERATIONS, NETWORK_UNAVAILABLE] : DAEMON_TOLERATIONS;
  for (const t of add) if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push({ ...t });
  return out;
}

/** The daemon pod for `nodeName`, pinned by required node affinity on metadata.name (1.12+ behaviour). */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string = revisionOf(ds)): Pod {
  const template = cloneObject(ds.spec?.template ?? {});
  const spec = template.spec ?? { containers: [] };
  spec.tolerations = withTolerations(spec.tolerations, !!spec.hostNetwork);
  const pin: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { ...(spec.affinity?.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [pin] } } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [REVISION_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

/**
 * NodeShouldRunDaemonPod: `shouldRun` — a new daemon pod belongs there (selector, affinity, NoSchedule and
 * NoExecute taints); `shouldContinueRunning` — an existing one may stay (only NoExecute taints evict).
 */
export function nodeShouldRunDaemonPod(ds: DaemonSet, node: Node): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const template = ds.spec?.template;
  const probe: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe' }, spec: { ...(template?.spec ?? { containers: [] }), nodeName: node.metadata.name } };
  if (!podMatchesNodeSelectorAndAffinity(probe, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withTolerations(template?.spec?.tolerations, !!template?.spec?.hostNetwork);
  const taints = node.spec?.taints ?? [];
  if (firstUntoleratedTaint(taints, tolerations, ['NoExecute'])) return { shouldRun: false, shouldContinueRunning: false };
  if (firstUntoleratedTaint(taints, tolerations, ['NoSchedule'])) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: bound node, else the metadata.name its affinity pins. */
export function nodeOfDaemonPod(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const f = term.matchFields?.find((r) => r.key === 'metadata.name' && r.operator === 'In' && r.values?.length === 1);
    if (f) return f.values![0];
  }
  return undefined;
}

/** An int-or-percent of `total`; percentages round up as Kubernetes does for maxUnavailable. */
export function scaledIntOrPercent(value: number | string | undefined, total: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  return /^\d+$/.test(value) ? Number(value) : fallback;
}

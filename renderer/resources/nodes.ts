import type { Node } from '../../shared/api/node';
import { NONE, conditionsOf } from './format';
import { describe, type Tone } from './types';

/**
 * kubectl's node STATUS: Ready, NotReady (Ready False *or Unknown*, as kubectl prints it), Unknown when
 * there is no Ready condition, plus ",SchedulingDisabled" when cordoned. readyCondition tells False from
 * Unknown for the places that must (a silent node is not a node that says it is broken).
 */
export function nodeStatus(node: Node): string {
  const ready = readyCondition(node);
  const base = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return node.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
}

export function readyCondition(node: Node): { status: string; reason?: string; message?: string } | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
}

/** True for a node whose kubelet went silent (Ready=Unknown, reason NodeStatusUnknown). */
export function readyUnknown(node: Node): boolean {
  return readyCondition(node)?.status === 'Unknown';
}

export function nodeTone(node: Node): Tone {
  const s = nodeStatus(node);
  if (!s.startsWith('Ready')) return 'danger';
  return node.spec?.unschedulable ? 'warning' : 'success';
}

/** kubectl's ROLES: node-role.kubernetes.io/<role> labels. */
export function nodeRoles(node: Node): string {
  const prefix = 'node-role.kubernetes.io/';
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
  return roles.length ? roles.join(',') : NONE;
}

/** Taints as kubectl describe writes them (key=value:Effect); the lifecycle controller's show why a node is out. */
export function nodeTaintsText(node: Node): string {
  const taints = node.spec?.taints ?? [];
  return taints.length ? taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ') : NONE;
}

export const nodes = describe<Node>({
  kind: 'Node',
  group: '',
  version: 'v1',
  resource: 'nodes',
  namespaced: false,
  title: 'nav.nodes',
  columns: [
    { key: 'status', label: 'columns.status', width: 200, value: nodeStatus, tone: nodeTone },
    { key: 'roles', label: 'columns.roles', width: 110, value: nodeRoles },
    { key: 'version', label: 'columns.version', width: 110, value: (n) => n.status?.nodeInfo?.kubeletVersion ?? '' },
    { key: 'taints', label: 'nodes.taints', width: 260, grow: 1, value: nodeTaintsText },
    {
      key: 'internalIP',
      label: 'columns.internalIP',
      width: 130,
      value: (n) => (n.status?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? NONE,
    },
  ],
  summary: [
    { label: 'columns.status', value: nodeStatus },
    { label: 'fields.podCIDR', value: (n) => n.spec?.podCIDR },
    { label: 'fields.unschedulable', value: (n) => String(n.spec?.unschedulable ?? false) },
  ],
  sections: ['summary', 'node-lab', 'capacity', 'taints', 'conditions', 'node-info', 'pods', 'events', 'yaml'],
  actions: ['cordon', 'edit-yaml', 'delete'],
  conditions: conditionsOf,
  ownsPod: (n, pod) => (pod as { spec?: { nodeName?: string } }).spec?.nodeName === n.metadata.name,
  searchText: (n) => `${nodeStatus(n)} ${nodeTaintsText(n)}`,
});

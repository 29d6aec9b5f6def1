import type { Node } from '../../shared/api/node';
import { NONE, conditionsOf } from './format';
import { describe, type Tone } from './types';

/** kubectl's node STATUS: Ready/NotReady/Unknown, plus ",SchedulingDisabled" when cordoned. */
export function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const base = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
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
  sections: ['summary', 'capacity', 'taints', 'conditions', 'node-info', 'pods', 'events', 'yaml'],
  actions: ['cordon', 'edit-yaml', 'delete'],
  conditions: conditionsOf,
  ownsPod: (n, pod) => (pod as { spec?: { nodeName?: string } }).spec?.nodeName === n.metadata.name,
  searchText: nodeStatus,
});

import type { ReplicaSet } from '../../shared/api/workloads';
import { conditionsOf, num } from './format';
import { selectorText } from './selects';
import { describe } from './types';

export const replicasets = describe<ReplicaSet>({
  kind: 'ReplicaSet',
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  namespaced: true,
  title: 'nav.replicasets',
  columns: [
    { key: 'desired', label: 'columns.desired', width: 90, value: (r) => String(r.spec?.replicas ?? 1) },
    { key: 'current', label: 'columns.current', width: 90, value: (r) => String(num(r.status?.replicas)) },
    {
      key: 'ready',
      label: 'columns.ready',
      width: 90,
      value: (r) => String(num(r.status?.readyReplicas)),
      tone: (r) => (num(r.status?.readyReplicas) >= (r.spec?.replicas ?? 1) ? 'success' : 'warning'),
    },
  ],
  summary: [
    { label: 'fields.replicas', value: (r) => String(r.spec?.replicas ?? 1) },
    { label: 'fields.selector', value: (r) => selectorText(r.spec?.selector) },
    { label: 'fields.images', value: (r) => (r.spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', ') },
  ],
  sections: ['summary', 'pods', 'conditions', 'owners', 'events', 'yaml'],
  actions: ['scale', 'edit-yaml', 'delete'],
  conditions: conditionsOf,
});

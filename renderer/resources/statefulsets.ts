import type { StatefulSet } from '../../shared/api/workloads';
import { conditionsOf, num } from './format';
import { selectorText } from './selects';
import { describe } from './types';

export const statefulsets = describe<StatefulSet>({
  kind: 'StatefulSet',
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  namespaced: true,
  title: 'nav.statefulsets',
  columns: [
    {
      key: 'ready',
      label: 'columns.ready',
      width: 90,
      value: (s) => `${num(s.status?.readyReplicas)}/${s.spec?.replicas ?? 1}`,
      tone: (s) => (num(s.status?.readyReplicas) >= (s.spec?.replicas ?? 1) ? 'success' : 'warning'),
    },
    { key: 'service', label: 'fields.serviceName', width: 140, value: (s) => s.spec?.serviceName ?? '' },
  ],
  summary: [
    { label: 'fields.replicas', value: (s) => String(s.spec?.replicas ?? 1) },
    { label: 'fields.selector', value: (s) => selectorText(s.spec?.selector) },
    { label: 'fields.serviceName', value: (s) => s.spec?.serviceName },
    { label: 'fields.podManagementPolicy', value: (s) => s.spec?.podManagementPolicy ?? 'OrderedReady' },
    { label: 'fields.images', value: (s) => (s.spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', ') },
  ],
  sections: ['summary', 'pods', 'conditions', 'owners', 'events', 'yaml'],
  actions: ['scale', 'restart', 'history', 'edit-yaml', 'delete'],
  conditions: conditionsOf,
});

import type { Deployment } from '../../shared/api/workloads';
import { conditionsOf, num } from './format';
import { selectorText } from './selects';
import { describe } from './types';

export const deployments = describe<Deployment>({
  kind: 'Deployment',
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  namespaced: true,
  title: 'nav.deployments',
  columns: [
    {
      key: 'ready',
      label: 'columns.ready',
      width: 90,
      value: (d) => `${num(d.status?.readyReplicas)}/${d.spec?.replicas ?? 1}`,
      tone: (d) => (num(d.status?.readyReplicas) >= (d.spec?.replicas ?? 1) ? 'success' : 'warning'),
    },
    { key: 'upToDate', label: 'columns.upToDate', width: 110, value: (d) => String(num(d.status?.updatedReplicas)) },
    { key: 'available', label: 'columns.available', width: 100, value: (d) => String(num(d.status?.availableReplicas)) },
  ],
  summary: [
    { label: 'fields.replicas', value: (d) => String(d.spec?.replicas ?? 1) },
    { label: 'fields.selector', value: (d) => selectorText(d.spec?.selector) },
    { label: 'fields.strategy', value: (d) => d.spec?.strategy?.type ?? 'RollingUpdate' },
    { label: 'fields.images', value: (d) => (d.spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', ') },
    { label: 'fields.paused', value: (d) => String(d.spec?.paused ?? false) },
  ],
  sections: ['summary', 'pods', 'conditions', 'owners', 'events', 'yaml'],
  actions: ['scale', 'restart', 'pause', 'history', 'edit-yaml', 'delete'],
  conditions: conditionsOf,
  podsViaReplicaSets: true,
});

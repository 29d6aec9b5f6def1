import type { DaemonSet } from '../../shared/api/workloads';
import { NONE, conditionsOf, labelsText, num } from './format';
import { selectorText } from './selects';
import { describe } from './types';

export const daemonsets = describe<DaemonSet>({
  kind: 'DaemonSet',
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  namespaced: true,
  title: 'nav.daemonsets',
  columns: [
    { key: 'desired', label: 'columns.desired', width: 90, value: (d) => String(num(d.status?.desiredNumberScheduled)) },
    { key: 'current', label: 'columns.current', width: 90, value: (d) => String(num(d.status?.currentNumberScheduled)) },
    {
      key: 'ready',
      label: 'columns.ready',
      width: 80,
      value: (d) => String(num(d.status?.numberReady)),
      tone: (d) => (num(d.status?.numberReady) >= num(d.status?.desiredNumberScheduled) ? 'success' : 'warning'),
    },
    { key: 'available', label: 'columns.available', width: 100, value: (d) => String(num(d.status?.numberAvailable)) },
    {
      key: 'nodeSelector',
      label: 'columns.nodeSelector',
      width: 160,
      value: (d) => (d.spec?.template?.spec?.nodeSelector ? labelsText(d.spec.template.spec.nodeSelector) : NONE),
    },
  ],
  summary: [
    { label: 'fields.selector', value: (d) => selectorText(d.spec?.selector) },
    { label: 'fields.strategy', value: (d) => d.spec?.updateStrategy?.type ?? 'RollingUpdate' },
    { label: 'fields.images', value: (d) => (d.spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', ') },
  ],
  sections: ['summary', 'pods', 'conditions', 'owners', 'events', 'yaml'],
  actions: ['restart', 'history', 'edit-yaml', 'delete'],
  conditions: conditionsOf,
});

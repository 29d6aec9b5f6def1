import type { Pod } from '../../shared/api/pod';
import { podDisplayStatus } from '../../shared/api/pod-status';
import { NONE, conditionsOf } from './format';
import { describe, type Tone } from './types';

/** Chip and STATUS colour: green only when Running and every container is ready. */
export function podTone(pod: Pod): Tone {
  const s = podDisplayStatus(pod);
  if (s.status === 'Running') return s.readyContainers === s.totalContainers ? 'success' : 'warning';
  if (s.status === 'Completed' || s.status === 'Succeeded') return 'info';
  if (s.status === 'Pending' || s.status === 'ContainerCreating' || s.status === 'PodInitializing' || s.status.startsWith('Init:') || s.status === 'Terminating') {
    return s.status.startsWith('Init:') && /Err|BackOff|Error/.test(s.status) ? 'danger' : 'warning';
  }
  return 'danger';
}

export const pods = describe<Pod>({
  kind: 'Pod',
  group: '',
  version: 'v1',
  resource: 'pods',
  namespaced: true,
  title: 'nav.pods',
  columns: [
    { key: 'ready', label: 'columns.ready', width: 80, value: (p) => podDisplayStatus(p).ready },
    { key: 'status', label: 'columns.status', width: 150, value: (p) => podDisplayStatus(p).status, tone: podTone },
    {
      key: 'restarts',
      label: 'columns.restarts',
      width: 110,
      value: (p, now) => podDisplayStatus(p, now).restartsText,
      sortValue: (p) => podDisplayStatus(p).restarts,
    },
    { key: 'node', label: 'columns.node', width: 140, value: (p) => p.spec?.nodeName ?? NONE },
    { key: 'ip', label: 'columns.ip', width: 130, value: (p) => p.status?.podIP ?? NONE },
  ],
  summary: [
    { label: 'columns.status', value: (p) => podDisplayStatus(p).status },
    { label: 'columns.node', value: (p) => p.spec?.nodeName },
    { label: 'columns.ip', value: (p) => p.status?.podIP },
    { label: 'fields.qosClass', value: (p) => p.status?.qosClass },
    { label: 'fields.serviceAccount', value: (p) => p.spec?.serviceAccountName },
    { label: 'fields.restartPolicy', value: (p) => p.spec?.restartPolicy },
  ],
  sections: ['diagnosis', 'summary', 'scheduling', 'containers', 'volumes', 'probes', 'conditions', 'owners', 'events', 'yaml'],
  actions: ['edit-yaml', 'delete'],
  conditions: conditionsOf,
  searchText: (p) => `${p.spec?.nodeName ?? ''} ${podDisplayStatus(p).status}`,
});

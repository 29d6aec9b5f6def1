import type { PersistentVolumeClaim } from '../../shared/api/storage';
import { podUsesClaim } from '../composables/storage-links';
import { NONE } from './format';
import { describe, type Tone } from './types';

const phaseTone = (phase: string | undefined): Tone => (phase === 'Bound' ? 'success' : phase === 'Pending' ? 'warning' : 'danger');

export const persistentvolumeclaims = describe<PersistentVolumeClaim>({
  kind: 'PersistentVolumeClaim',
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
  namespaced: true,
  title: 'nav.pvcs',
  columns: [
    { key: 'status', label: 'columns.status', width: 90, value: (c) => c.status?.phase ?? '', tone: (c) => phaseTone(c.status?.phase) },
    { key: 'volume', label: 'columns.volume', width: 160, grow: 1, value: (c) => c.spec?.volumeName ?? '' },
    { key: 'capacity', label: 'columns.capacity', width: 90, value: (c) => c.status?.capacity?.storage ?? '' },
    { key: 'accessModes', label: 'columns.accessModes', width: 150, value: (c) => (c.status?.accessModes ?? c.spec?.accessModes ?? []).join(',') },
    { key: 'storageClass', label: 'columns.storageClass', width: 130, value: (c) => c.spec?.storageClassName ?? '' },
  ],
  summary: [
    { label: 'columns.status', value: (c) => c.status?.phase },
    { label: 'fields.requested', value: (c) => c.spec?.resources?.requests?.storage },
    { label: 'columns.volume', value: (c) => c.spec?.volumeName },
    { label: 'storage.volumeMode', value: (c) => c.spec?.volumeMode ?? 'Filesystem' },
    { label: 'storage.dataSource', value: (c) => (c.spec?.dataSource ? `${c.spec.dataSource.kind}/${c.spec.dataSource.name}` : undefined) },
  ],
  sections: ['summary', 'storage', 'pods', 'conditions', 'events', 'yaml'],
  actions: ['edit-yaml', 'delete'],
  // The "pods" section lists the pods that mount the claim (what kubectl describe pvc calls "Used By").
  ownsPod: (claim, pod) => podUsesClaim(pod, claim),
  searchText: (c) => `${c.spec?.volumeName ?? ''} ${c.spec?.storageClassName ?? NONE}`,
});

import type { PersistentVolume } from '../../shared/api/storage';
import { claimOf, volumeSource } from '../composables/storage-links';
import { NONE } from './format';
import { describe, type Tone } from './types';

const phaseTone = (phase: string | undefined): Tone => (phase === 'Failed' ? 'danger' : phase === 'Bound' ? 'success' : phase === 'Released' ? 'warning' : 'info');
const claimText = (v: PersistentVolume) => {
  const c = claimOf(v);
  return c ? `${c.namespace}/${c.name}` : NONE;
};

export const persistentvolumes = describe<PersistentVolume>({
  kind: 'PersistentVolume',
  group: '',
  version: 'v1',
  resource: 'persistentvolumes',
  namespaced: false,
  title: 'nav.pvs',
  columns: [
    { key: 'capacity', label: 'columns.capacity', width: 90, value: (v) => v.spec?.capacity?.storage ?? '' },
    { key: 'accessModes', label: 'columns.accessModes', width: 150, value: (v) => (v.spec?.accessModes ?? []).join(',') },
    { key: 'reclaim', label: 'columns.reclaimPolicy', width: 120, value: (v) => v.spec?.persistentVolumeReclaimPolicy ?? 'Retain' },
    { key: 'status', label: 'columns.status', width: 100, value: (v) => v.status?.phase ?? '', tone: (v) => phaseTone(v.status?.phase) },
    { key: 'claim', label: 'columns.claim', width: 180, grow: 1, value: claimText },
    { key: 'storageClass', label: 'columns.storageClass', width: 130, value: (v) => v.spec?.storageClassName || NONE },
  ],
  summary: [
    { label: 'columns.status', value: (v) => v.status?.phase },
    { label: 'columns.capacity', value: (v) => v.spec?.capacity?.storage },
    { label: 'columns.reclaimPolicy', value: (v) => v.spec?.persistentVolumeReclaimPolicy ?? 'Retain' },
    { label: 'storage.source', value: volumeSource },
    { label: 'storage.volumeMode', value: (v) => v.spec?.volumeMode ?? 'Filesystem' },
    { label: 'storage.message', value: (v) => v.status?.message },
  ],
  sections: ['summary', 'storage', 'events', 'yaml'],
  actions: ['edit-yaml', 'delete'],
  searchText: claimText,
});

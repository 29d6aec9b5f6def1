import type { PersistentVolumeClaim } from '../../shared/api/storage';
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
    { key: 'volume', label: 'columns.volume', width: 160, value: (c) => c.spec?.volumeName ?? '' },
    { key: 'capacity', label: 'columns.capacity', width: 90, value: (c) => c.status?.capacity?.storage ?? '' },
    { key: 'accessModes', label: 'columns.accessModes', width: 150, value: (c) => (c.status?.accessModes ?? c.spec?.accessModes ?? []).join(',') },
    { key: 'storageClass', label: 'columns.storageClass', width: 130, value: (c) => c.spec?.storageClassName ?? '' },
  ],
  summary: [
    { label: 'columns.status', value: (c) => c.status?.phase },
    { label: 'fields.requested', value: (c) => c.spec?.resources?.requests?.storage },
    { label: 'columns.volume', value: (c) => c.spec?.volumeName },
  ],
  sections: ['summary', 'conditions', 'events', 'yaml'],
  actions: ['edit-yaml', 'delete'],
});

export const persistentvolumes = describe<import('../../shared/api/storage').PersistentVolume>({
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
    { key: 'status', label: 'columns.status', width: 100, value: (v) => v.status?.phase ?? '', tone: (v) => (v.status?.phase === 'Failed' ? 'danger' : v.status?.phase === 'Bound' ? 'success' : 'info') },
    { key: 'claim', label: 'columns.claim', width: 180, value: (v) => (v.spec?.claimRef ? `${v.spec.claimRef.namespace}/${v.spec.claimRef.name}` : '') },
  ],
  sections: ['summary', 'events', 'yaml'],
  summary: [{ label: 'columns.storageClass', value: (v) => v.spec?.storageClassName }],
  actions: ['edit-yaml', 'delete'],
});

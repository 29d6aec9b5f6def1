import { isDefaultClass, type StorageClass } from '../composables/storage-links';
import { describe } from './types';

export const storageclasses = describe<StorageClass>({
  kind: 'StorageClass',
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'storageclasses',
  namespaced: false,
  title: 'storage.storageClasses',
  columns: [
    // kubectl prints "standard (default)" in NAME; a tag column says the same without touching the name.
    { key: 'default', label: 'storage.default', width: 90, value: (s) => (isDefaultClass(s) ? 'default' : ''), tone: (s) => (isDefaultClass(s) ? 'success' : undefined) },
    { key: 'provisioner', label: 'storage.provisioner', width: 220, grow: 1, value: (s) => s.provisioner },
    { key: 'reclaim', label: 'columns.reclaimPolicy', width: 120, value: (s) => s.reclaimPolicy ?? 'Delete' },
    { key: 'binding', label: 'storage.volumeBindingMode', width: 190, value: (s) => s.volumeBindingMode ?? 'Immediate' },
    { key: 'expansion', label: 'storage.allowVolumeExpansion', width: 150, value: (s) => String(s.allowVolumeExpansion ?? false) },
  ],
  summary: [
    { label: 'storage.provisioner', value: (s) => s.provisioner },
    { label: 'columns.reclaimPolicy', value: (s) => s.reclaimPolicy ?? 'Delete' },
    { label: 'storage.volumeBindingMode', value: (s) => s.volumeBindingMode ?? 'Immediate' },
    { label: 'storage.parameters', value: (s) => Object.entries(s.parameters ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || undefined },
  ],
  sections: ['summary', 'storage', 'events', 'yaml'],
  actions: ['edit-yaml', 'delete'],
});

// storage.k8s.io/v1 storageclasses. The lab's default class `standard` (provisioner bosun.dev/docker-volume)
// is created at start by the PV provisioner; users may add their own.
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, immutable, metaErrors, notSupported, required, setDefault } from './common';

export const DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** The beta annotation Kubernetes still honours. */
const BETA_DEFAULT_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

export const isDefaultStorageClass = (o: { metadata: { annotations?: Record<string, string> } }): boolean =>
  o.metadata.annotations?.[DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true' || o.metadata.annotations?.[BETA_DEFAULT_ANNOTATION] === 'true';

const RECLAIM = ['Delete', 'Retain'];
const BINDING = ['Immediate', 'WaitForFirstConsumer'];

export const storageclasses: ResourceDef = {
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'storageclasses',
  kind: 'StorageClass',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  defaults: (o) => {
    setDefault(o as Obj, 'reclaimPolicy', 'Delete');
    setDefault(o as Obj, 'volumeBindingMode', 'Immediate');
  },
  validate: (o) => {
    const s = o as Obj;
    const errs = metaErrors(o, false, nameIsDNSSubdomain);
    if (!s.provisioner) errs.push(required('provisioner'));
    if (s.reclaimPolicy !== undefined && !RECLAIM.includes(s.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', s.reclaimPolicy, RECLAIM));
    if (s.volumeBindingMode !== undefined && !BINDING.includes(s.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', s.volumeBindingMode, BINDING));
    return errs;
  },
  validateUpdate: (o, old) => [
    ...validateObjectMetaUpdate(o.metadata, old.metadata),
    ...immutable('parameters', (o as Obj).parameters, (old as Obj).parameters),
    ...immutable('provisioner', (o as Obj).provisioner, (old as Obj).provisioner),
    ...immutable('reclaimPolicy', (o as Obj).reclaimPolicy, (old as Obj).reclaimPolicy),
    ...immutable('volumeBindingMode', (o as Obj).volumeBindingMode, (old as Obj).volumeBindingMode),
  ],
  // kubectl shows the default class as `standard (default)`: the server's printer writes the name.
  omitNameColumn: true,
  columns: [
    { ...col('Name', 'string', (o) => `${o.metadata?.name ?? ''}${isDefaultStorageClass(o as never) ? ' (default)' : ''}`), format: 'name' },
    col('Provisioner', 'string', (o) => o.provisioner ?? ''),
    col('ReclaimPolicy', 'string', (o) => o.reclaimPolicy ?? ''),
    col('VolumeBindingMode', 'string', (o) => o.volumeBindingMode ?? ''),
    col('AllowVolumeExpansion', 'string', (o) => String(o.allowVolumeExpansion ?? false)),
    ageColumn,
  ],
};

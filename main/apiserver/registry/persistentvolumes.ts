// core/v1 persistentvolumes.
import type { FieldError } from '../../../shared/api/errors';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, ensure, forbidden, immutable, metaErrors, notSupported, required, setDefault } from './common';
import { ACCESS_MODES, accessModesString } from './persistentvolumeclaims';
import { validateResourceList } from './resource-lists';

const SOURCES = ['hostPath', 'local', 'nfs', 'csi'];

function validatePV(spec: Obj): FieldError[] {
  const out: FieldError[] = [];
  const modes: string[] = spec.accessModes ?? [];
  if (modes.length === 0) out.push(required('spec.accessModes'));
  for (const m of modes) if (!ACCESS_MODES.includes(m)) out.push(notSupported('spec.accessModes', m, ACCESS_MODES));
  if (!spec.capacity || Object.keys(spec.capacity).length === 0) out.push(required('spec.capacity'));
  else {
    if (spec.capacity.storage === undefined) out.push(required('spec.capacity[storage]'));
    out.push(...validateResourceList(spec.capacity, 'spec.capacity'));
  }
  const sources = SOURCES.filter((s) => spec[s]);
  if (sources.length === 0) out.push(required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) out.push(forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath && !spec.hostPath.path) out.push(required('spec.hostPath.path'));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy !== undefined && !['Delete', 'Recycle', 'Retain'].includes(policy)) out.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
  return out;
}

export const persistentvolumes: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'persistentvolumes',
  kind: 'PersistentVolume',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  subresources: ['status'],
  defaults: (o) => {
    const spec = ensure(o as Obj, 'spec');
    setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(spec, 'volumeMode', 'Filesystem');
    if (spec.hostPath && spec.hostPath.type === undefined) spec.hostPath.type = '';
    setDefault(ensure(o as Obj, 'status'), 'phase', 'Pending');
  },
  validate: (o) => [...metaErrors(o, false, nameIsDNSSubdomain), ...validatePV((o as Obj).spec ?? {})],
  validateUpdate: (o, old) => [
    ...validateObjectMetaUpdate(o.metadata, old.metadata),
    ...immutable('spec.volumeMode', (o as Obj).spec?.volumeMode, (old as Obj).spec?.volumeMode),
  ],
  columns: [
    col('Capacity', 'string', (o) => o.spec?.capacity?.storage ?? ''),
    col('Access Modes', 'string', (o) => accessModesString(o.spec?.accessModes)),
    col('Reclaim Policy', 'string', (o) => o.spec?.persistentVolumeReclaimPolicy ?? ''),
    col('Status', 'string', (o) => (o.metadata?.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? ''))),
    col('Claim', 'string', (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '')),
    col('StorageClass', 'string', (o) => o.spec?.storageClassName ?? ''),
    col('VolumeAttributesClass', 'string', (o) => o.spec?.volumeAttributesClassName || '<unset>'),
    col('Reason', 'string', (o) => o.status?.reason ?? ''),
    ageColumn,
    col('VolumeMode', 'string', (o) => o.spec?.volumeMode ?? '', 1),
  ],
};

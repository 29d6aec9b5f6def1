// core/v1 persistentvolumeclaims.
import type { FieldError } from '../../../shared/api/errors';
import { compareQuantities, quantityError } from '../../../shared/api/quantity';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, deepEqual, ensure, forbidden, invalid, metaErrors, notSupported, required, setDefault } from './common';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const ACCESS_MODE_SHORT: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** kubectl's GetAccessModesAsString: `RWO,ROX`, in Kubernetes' fixed order. */
export function accessModesString(modes: string[] | undefined): string {
  const order = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
  return order.filter((m) => (modes ?? []).includes(m)).map((m) => ACCESS_MODE_SHORT[m]).join(',');
}

export function defaultPVC(pvc: Obj): void {
  const spec = ensure(pvc, 'spec');
  setDefault(spec, 'volumeMode', 'Filesystem');
  setDefault(ensure(pvc, 'status'), 'phase', 'Pending');
}

/** ValidatePersistentVolumeClaimSpec; `field` is `spec` or `spec.volumeClaimTemplates[i].spec`. */
export function validatePVCSpec(spec: Obj | undefined, field: string): FieldError[] {
  const s: Obj = spec ?? {};
  const out: FieldError[] = [];
  const modes: string[] = s.accessModes ?? [];
  if (modes.length === 0) out.push(required(`${field}.accessModes`, 'at least 1 access mode is required'));
  for (const m of modes) if (!ACCESS_MODES.includes(m)) out.push(notSupported(`${field}.accessModes`, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    out.push(forbidden(`${field}.accessModes`, 'may not use ReadWriteOncePod with other access modes'));
  }
  const storage = s.resources?.requests?.storage;
  if (storage === undefined) out.push(required(`${field}.resources[storage]`));
  else {
    const err = quantityError(storage);
    if (err) out.push(invalid(`${field}.resources.requests[storage]`, storage, err));
    else if (compareQuantities(storage, '0') <= 0) {
      out.push(invalid(`${field}.resources[storage]`, storage, 'must be greater than zero'));
    }
  }
  if (s.volumeMode !== undefined && !['Block', 'Filesystem'].includes(s.volumeMode)) {
    out.push(notSupported(`${field}.volumeMode`, s.volumeMode, ['Block', 'Filesystem']));
  }
  return out;
}

export const persistentvolumeclaims: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: ['status'],
  defaults: (o) => defaultPVC(o as Obj),
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validatePVCSpec((o as Obj).spec, 'spec')],
  validateUpdate: (o, old) => {
    const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
    const spec: Obj = (o as Obj).spec ?? {};
    const oldSpec: Obj = (old as Obj).spec ?? {};
    const bound = (old as Obj).status?.phase === 'Bound';
    // Binding fills volumeName once; expansion of a bound claim may raise the storage request.
    const strip = (s: Obj, volumeName: unknown): Obj => ({
      ...s,
      volumeName,
      volumeAttributesClassName: bound ? undefined : s.volumeAttributesClassName,
      resources: { ...(s.resources ?? {}), requests: { ...(s.resources?.requests ?? {}), storage: bound ? undefined : s.resources?.requests?.storage } },
    });
    const volumeName = oldSpec.volumeName || spec.volumeName;
    if (!deepEqual(strip(spec, volumeName), strip(oldSpec, volumeName))) {
      errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    } else if (bound) {
      const next = spec.resources?.requests?.storage;
      const prev = oldSpec.resources?.requests?.storage;
      if (next !== undefined && prev !== undefined && !quantityError(next) && !quantityError(prev) && compareQuantities(next, prev) < 0) {
        errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
      }
    }
    return errs;
  },
  columns: [
    col('Status', 'string', (o) => o.status?.phase ?? ''),
    col('Volume', 'string', (o) => o.spec?.volumeName ?? ''),
    col('Capacity', 'string', (o) => o.status?.capacity?.storage ?? ''),
    col('Access Modes', 'string', (o) => accessModesString(o.status?.accessModes)),
    col('StorageClass', 'string', (o) => o.spec?.storageClassName ?? ''),
    col('VolumeAttributesClass', 'string', (o) => o.spec?.volumeAttributesClassName || '<unset>'),
    ageColumn,
    col('VolumeMode', 'string', (o) => o.spec?.volumeMode ?? '', 1),
  ],
};

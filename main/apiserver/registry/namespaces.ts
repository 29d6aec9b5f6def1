// core/v1 namespaces.
import { isQualifiedName, nameIsDNSLabel, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, ensure, invalid, metaErrors, setDefault } from './common';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function defaultNamespace(o: Obj): void {
  const spec = ensure(o, 'spec');
  if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
  setDefault(ensure(o, 'status'), 'phase', 'Active');
  // SetDefaults_Namespace: every namespace carries its own name as a label (for namespaceSelectors).
  const meta = ensure(o, 'metadata');
  if (meta.name) ensure(meta, 'labels')[NAMESPACE_NAME_LABEL] = meta.name;
}

export const namespaces: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  subresources: ['status', 'finalize'],
  selectableFields: ['status.phase'],
  defaults: (o) => defaultNamespace(o as Obj),
  validate: (o) => {
    const errs = metaErrors(o, false, nameIsDNSLabel);
    for (const f of ((o as Obj).spec?.finalizers ?? []) as string[]) {
      for (const m of isQualifiedName(f)) errs.push(invalid('spec.finalizers', f, m));
    }
    return errs;
  },
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [col('Status', 'string', (o) => o.status?.phase ?? '', 0, 'The status of the namespace'), ageColumn],
};

// core/v1 serviceaccounts.
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import { ageColumn, col, metaErrors } from './common';

export const serviceaccounts: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  kind: 'ServiceAccount',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  validate: (o) => metaErrors(o, true, nameIsDNSSubdomain),
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [col('Secrets', 'integer', (o) => (o.secrets ?? []).length), ageColumn],
};

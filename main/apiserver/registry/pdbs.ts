// policy/v1 poddisruptionbudgets (consulted by the eviction subresource).
import type { FieldError } from '../../../shared/api/errors';
import { nameIsDNSSubdomain, validateLabels, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, invalid, metaErrors, notSupported } from './common';
import { validateIntOrPercent } from './workload-validation';

function validatePDB(spec: Obj): FieldError[] {
  const out: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    out.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  out.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable'));
  out.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  out.push(...validateLabels(spec.selector?.matchLabels, 'spec.selector.matchLabels'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !['AlwaysAllow', 'IfHealthyBudget'].includes(policy)) {
    out.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return out;
}

const orNA = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

export const poddisruptionbudgets: ResourceDef = {
  group: 'policy',
  version: 'v1',
  resource: 'poddisruptionbudgets',
  kind: 'PodDisruptionBudget',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  subresources: ['status'],
  tracksGeneration: true,
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validatePDB((o as Obj).spec ?? {})],
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [
    col('Min Available', 'string', (o) => orNA(o.spec?.minAvailable), 0, 'The minimum number of pods that must be available'),
    col('Max Unavailable', 'string', (o) => orNA(o.spec?.maxUnavailable), 0, 'The maximum number of pods that may be unavailable'),
    col('Allowed Disruptions', 'integer', (o) => o.status?.disruptionsAllowed ?? 0, 0, 'Calculated number of pods that may be disrupted at this time'),
    ageColumn,
  ],
};

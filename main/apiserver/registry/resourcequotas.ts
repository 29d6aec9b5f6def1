// core/v1 resourcequotas (status written by the quota controller and the quota admission plugin).
import { formatQuantity } from '../../../shared/api/quantity';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, metaErrors, notSupported } from './common';
import { validateResourceList, validQuantity } from './resource-lists';

const SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

/** printResourceQuota's REQUEST and LIMIT cells: `pods: 1/10, requests.cpu: 500m/2`. */
export function quotaUsageText(o: Obj, limits: boolean): string {
  const hard: Obj = o.status?.hard ?? {};
  const used: Obj = o.status?.used ?? {};
  const parts: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const isLimit = name.split('.').length > 1 && name.split('.')[0] === 'limits';
    if (isLimit !== limits) continue;
    const fmt = (q: unknown): string => (validQuantity(q) ? formatQuantity(q) : String(q));
    parts.push(`${name}: ${used[name] === undefined ? '0' : fmt(used[name])}/${fmt(hard[name])}`);
  }
  return parts.join(', ');
}

export const resourcequotas: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'resourcequotas',
  kind: 'ResourceQuota',
  singular: 'resourcequota',
  namespaced: true,
  shortNames: ['quota'],
  subresources: ['status'],
  validate: (o) => {
    const spec: Obj = (o as Obj).spec ?? {};
    const errs = [...metaErrors(o, true, nameIsDNSSubdomain), ...validateResourceList(spec.hard, 'spec.hard')];
    for (const s of (spec.scopes ?? []) as string[]) if (!SCOPES.includes(s)) errs.push(notSupported('spec.scopes', s, SCOPES));
    return errs;
  },
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [
    ageColumn,
    col('Request', 'string', (o) => quotaUsageText(o, false), 0, 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', (o) => quotaUsageText(o, true), 0, 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
};

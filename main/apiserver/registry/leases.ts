// coordination.k8s.io/v1 leases (node heartbeats in kube-node-lease, leader election).
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, metaErrors, nonNegative, positive } from './common';

export const leases: ResourceDef = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  singular: 'lease',
  namespaced: true,
  validate: (o) => {
    const spec: Obj = (o as Obj).spec ?? {};
    return [
      ...metaErrors(o, true, nameIsDNSSubdomain),
      ...positive('spec.leaseDurationSeconds', spec.leaseDurationSeconds),
      ...nonNegative('spec.leaseTransitions', spec.leaseTransitions),
    ];
  },
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [col('Holder', 'string', (o) => o.spec?.holderIdentity ?? '', 0, 'The holder of the lease'), ageColumn],
};

// apps/v1 replicasets.
import { formatLabelSelector } from '../../../shared/api/labels';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, containerImages, containerNames, ensure, immutable, metaErrors, setDefault } from './common';
import { defaultPodTemplate } from './pod-defaults';
import { validateWorkloadSpec } from './workload-validation';

export const replicasets: ResourceDef = {
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  kind: 'ReplicaSet',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  selectableFields: ['status.replicas'],
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  defaults: (o) => {
    const spec = ensure(o as Obj, 'spec');
    setDefault(spec, 'replicas', 1);
    defaultPodTemplate(spec.template);
  },
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validateWorkloadSpec((o as Obj).spec, 'replicaset', { replicas: true })],
  validateUpdate: (o, old) => [
    ...validateObjectMetaUpdate(o.metadata, old.metadata),
    ...immutable('spec.selector', (o as Obj).spec?.selector, (old as Obj).spec?.selector),
  ],
  columns: [
    col('Desired', 'integer', (o) => o.spec?.replicas ?? 0, 0, 'Number of desired pods.'),
    col('Current', 'integer', (o) => o.status?.replicas ?? 0, 0, 'Number of actual pods.'),
    col('Ready', 'integer', (o) => o.status?.readyReplicas ?? 0, 0, 'Number of ready pods.'),
    ageColumn,
    col('Containers', 'string', (o) => containerNames(o.spec?.template), 1, 'Names of each container in the template.'),
    col('Images', 'string', (o) => containerImages(o.spec?.template), 1, 'Images referenced by each container in the template.'),
    col('Selector', 'string', (o) => formatLabelSelector(o.spec?.selector), 1, 'Label query over pods that should match the replica count.'),
  ],
};

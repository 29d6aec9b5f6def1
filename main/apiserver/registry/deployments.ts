// apps/v1 deployments.
import { formatLabelSelector } from '../../../shared/api/labels';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, containerImages, containerNames, ensure, forbidden, immutable, invalid, metaErrors, notSupported, setDefault } from './common';
import { defaultPodTemplate } from './pod-defaults';
import { validateRollingUpdate, validateWorkloadSpec } from './workload-validation';

export function defaultDeployment(o: Obj): void {
  const spec = ensure(o, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensure(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensure(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec.template);
}

export const deployments: ResourceDef = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  defaults: (o) => defaultDeployment(o as Obj),
  validate: (o) => {
    const spec: Obj = (o as Obj).spec ?? {};
    const errs = [...metaErrors(o, true, nameIsDNSSubdomain), ...validateWorkloadSpec(spec, 'deployment', { replicas: true })];
    const strategy: Obj = spec.strategy ?? {};
    if (strategy.type !== undefined && !['Recreate', 'RollingUpdate'].includes(strategy.type)) {
      errs.push(notSupported('spec.strategy.type', strategy.type, ['Recreate', 'RollingUpdate']));
    } else if (strategy.type === 'Recreate' && strategy.rollingUpdate) {
      errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
    }
    errs.push(...validateRollingUpdate(strategy.rollingUpdate, 'spec.strategy.rollingUpdate'));
    if (typeof spec.progressDeadlineSeconds === 'number') {
      if (spec.progressDeadlineSeconds < 0) errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than or equal to 0'));
      else if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
        errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
      }
    }
    return errs;
  },
  validateUpdate: (o, old) => [
    ...validateObjectMetaUpdate(o.metadata, old.metadata),
    ...immutable('spec.selector', (o as Obj).spec?.selector, (old as Obj).spec?.selector),
  ],
  columns: [
    col('Ready', 'string', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, 0, 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', (o) => o.status?.updatedReplicas ?? 0, 0, 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', (o) => o.status?.availableReplicas ?? 0, 0, 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn,
    col('Containers', 'string', (o) => containerNames(o.spec?.template), 1, 'Names of each container in the template.'),
    col('Images', 'string', (o) => containerImages(o.spec?.template), 1, 'Images referenced by each container in the template.'),
    col('Selector', 'string', (o) => formatLabelSelector(o.spec?.selector), 1, 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
};

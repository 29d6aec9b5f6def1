// core/v1 replicationcontrollers: the legacy ReplicaSet with a plain map selector.
import { nameIsDNSSubdomain, validateLabels, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, containerImages, containerNames, ensure, formatLabels, goMapString, metaErrors, nonNegative, required } from './common';
import { defaultPodTemplate } from './pod-defaults';
import { validatePodTemplate } from './pod-validation';

/** SetDefaults_ReplicationController: selector and labels default to the template's labels. */
export function defaultReplicationController(o: Obj): void {
  const spec = ensure(o, 'spec');
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
  const meta = ensure(o, 'metadata');
  if (labels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...labels };
  if (spec.replicas == null) spec.replicas = 1;
  defaultPodTemplate(spec.template);
}

export const replicationcontrollers: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'replicationcontrollers',
  kind: 'ReplicationController',
  singular: 'replicationcontroller',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  defaults: (o) => defaultReplicationController(o as Obj),
  validate: (o) => {
    const spec: Obj = (o as Obj).spec ?? {};
    const errs = [...metaErrors(o, true, nameIsDNSSubdomain), ...nonNegative('spec.replicas', spec.replicas)];
    const selector: Record<string, string> = spec.selector ?? {};
    if (Object.keys(selector).length === 0) errs.push(required('spec.selector'));
    else errs.push(...validateLabels(selector, 'spec.selector'));
    const labels: Record<string, string> = spec.template?.metadata?.labels ?? {};
    const matches = Object.entries(selector).every(([k, v]) => labels[k] === v);
    if (spec.template && Object.keys(selector).length > 0 && !matches) {
      errs.push({ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', value: labels, printedValue: goMapString(labels), detail: '`selector` does not match template `labels`' });
    }
    errs.push(...validatePodTemplate(spec.template, 'spec.template', { restartPolicies: ['Always'], forbidActiveDeadline: true }));
    return errs;
  },
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [
    col('Desired', 'integer', (o) => o.spec?.replicas ?? 0, 0, 'Number of desired pods.'),
    col('Current', 'integer', (o) => o.status?.replicas ?? 0, 0, 'Number of actual pods.'),
    col('Ready', 'integer', (o) => o.status?.readyReplicas ?? 0, 0, 'Number of ready pods.'),
    ageColumn,
    col('Containers', 'string', (o) => containerNames(o.spec?.template), 1, 'Names of each container in the template.'),
    col('Images', 'string', (o) => containerImages(o.spec?.template), 1, 'Images referenced by each container in the template.'),
    col('Selector', 'string', (o) => formatLabels(o.spec?.selector), 1, 'Label selector for pods.'),
  ],
};

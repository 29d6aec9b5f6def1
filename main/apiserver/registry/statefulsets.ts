// apps/v1 statefulsets.
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, containerImages, containerNames, deepEqual, ensure, forbidden, metaErrors, nonNegative, notSupported, setDefault } from './common';
import { defaultPVC, validatePVCSpec } from './persistentvolumeclaims';
import { defaultPodTemplate } from './pod-defaults';
import { validateIntOrPercent, validateWorkloadSpec } from './workload-validation';

const MUTABLE_SPEC_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function defaultStatefulSet(o: Obj): void {
  const spec = ensure(o, 'spec');
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensure(spec, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    ensure(strategy, 'rollingUpdate');
  }
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) setDefault(strategy.rollingUpdate, 'partition', 0);
  const retention = ensure(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec.template);
  for (const pvc of (spec.volumeClaimTemplates ?? []) as Obj[]) defaultPVC(pvc);
}

export const statefulsets: ResourceDef = {
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  kind: 'StatefulSet',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  defaults: (o) => defaultStatefulSet(o as Obj),
  validate: (o) => {
    const spec: Obj = (o as Obj).spec ?? {};
    const errs = [...metaErrors(o, true, nameIsDNSSubdomain), ...validateWorkloadSpec(spec, 'statefulset', { replicas: true })];
    if (spec.podManagementPolicy !== undefined && !['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) {
      errs.push(notSupported('spec.podManagementPolicy', spec.podManagementPolicy, ['OrderedReady', 'Parallel']));
    }
    const strategy: Obj = spec.updateStrategy ?? {};
    if (strategy.type !== undefined && !['OnDelete', 'RollingUpdate'].includes(strategy.type)) {
      errs.push(notSupported('spec.updateStrategy.type', strategy.type, ['OnDelete', 'RollingUpdate']));
    } else if (strategy.type === 'OnDelete' && strategy.rollingUpdate) {
      errs.push(forbidden('spec.updateStrategy.rollingUpdate', "only allowed for updateStrategy 'RollingUpdate'"));
    }
    errs.push(...nonNegative('spec.updateStrategy.rollingUpdate.partition', strategy.rollingUpdate?.partition));
    errs.push(...validateIntOrPercent(strategy.rollingUpdate?.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
    for (const k of ['whenDeleted', 'whenScaled']) {
      const v = spec.persistentVolumeClaimRetentionPolicy?.[k];
      if (v !== undefined && !['Delete', 'Retain'].includes(v)) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, ['Retain', 'Delete']));
    }
    ((spec.volumeClaimTemplates ?? []) as Obj[]).forEach((pvc, i) => errs.push(...validatePVCSpec(pvc.spec, `spec.volumeClaimTemplates[${i}].spec`)));
    return errs;
  },
  validateUpdate: (o, old) => {
    const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
    const strip = (s: Obj | undefined): Obj => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !MUTABLE_SPEC_FIELDS.includes(k)));
    if (!deepEqual(strip((o as Obj).spec), strip((old as Obj).spec))) {
      errs.push(
        forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
    return errs;
  },
  columns: [
    col('Ready', 'string', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, 0, 'Number of the pod with ready state'),
    ageColumn,
    col('Containers', 'string', (o) => containerNames(o.spec?.template), 1, 'Names of each container in the template.'),
    col('Images', 'string', (o) => containerImages(o.spec?.template), 1, 'Images referenced by each container in the template.'),
  ],
};

// apps/v1 daemonsets.
import { formatLabelSelector } from '../../../shared/api/labels';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, containerImages, containerNames, ensure, formatLabels, forbidden, immutable, metaErrors, notSupported, setDefault } from './common';
import { defaultPodTemplate } from './pod-defaults';
import { validateRollingUpdate, validateWorkloadSpec } from './workload-validation';

export function defaultDaemonSet(o: Obj): void {
  const spec = ensure(o, 'spec');
  const strategy = ensure(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensure(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec.template);
}

export const daemonsets: ResourceDef = {
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  kind: 'DaemonSet',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: ['status'],
  tracksGeneration: true,
  defaults: (o) => defaultDaemonSet(o as Obj),
  validate: (o) => {
    const spec: Obj = (o as Obj).spec ?? {};
    const errs = [...metaErrors(o, true, nameIsDNSSubdomain), ...validateWorkloadSpec(spec, 'daemonset', { replicas: false })];
    const strategy: Obj = spec.updateStrategy ?? {};
    if (strategy.type !== undefined && !['OnDelete', 'RollingUpdate'].includes(strategy.type)) {
      errs.push(notSupported('spec.updateStrategy.type', strategy.type, ['OnDelete', 'RollingUpdate']));
    } else if (strategy.type === 'OnDelete' && strategy.rollingUpdate) {
      errs.push(forbidden('spec.updateStrategy.rollingUpdate', "may not be specified when strategy `type` is 'OnDelete'"));
    }
    errs.push(...validateRollingUpdate(strategy.rollingUpdate, 'spec.updateStrategy.rollingUpdate'));
    return errs;
  },
  validateUpdate: (o, old) => [
    ...validateObjectMetaUpdate(o.metadata, old.metadata),
    ...immutable('spec.selector', (o as Obj).spec?.selector, (old as Obj).spec?.selector),
  ],
  columns: [
    col('Desired', 'integer', (o) => o.status?.desiredNumberScheduled ?? 0, 0, 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', (o) => o.status?.currentNumberScheduled ?? 0, 0, 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', (o) => o.status?.numberReady ?? 0, 0, 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    col('Up-to-date', 'integer', (o) => o.status?.updatedNumberScheduled ?? 0, 0, 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', (o) => o.status?.numberAvailable ?? 0, 0, 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    col('Node Selector', 'string', (o) => formatLabels(o.spec?.template?.spec?.nodeSelector), 0, 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageColumn,
    col('Containers', 'string', (o) => containerNames(o.spec?.template), 1, 'Names of each container in the template.'),
    col('Images', 'string', (o) => containerImages(o.spec?.template), 1, 'Images referenced by each container in the template.'),
    col('Selector', 'string', (o) => formatLabelSelector(o.spec?.selector), 1, 'A label query over pods that are managed by the daemon set.'),
  ],
};

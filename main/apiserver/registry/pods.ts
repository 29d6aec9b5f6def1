// core/v1 pods: defaults, validation, immutability and the `kubectl get pods` columns.
import type { KubeObject } from '../../../shared/api/meta';
import type { Pod, Toleration } from '../../../shared/api/pod';
import { podDisplayStatus, podReadinessGates } from '../../../shared/api/pod-status';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, immutable, metaErrors } from './common';
import { defaultPod } from './pod-defaults';
import { validatePodSpecUpdate } from './pod-update';
import { validatePodSpec } from './pod-validation';

export const DEFAULT_TOLERATION_SECONDS = 300;

/**
 * What the DefaultTolerationSeconds ADMISSION plugin adds in Kubernetes (not defaulting): tolerate
 * not-ready/unreachable nodes for 300s before eviction. The admission chain calls this on pod create.
 */
export function addDefaultTolerations(pod: Pod, seconds = DEFAULT_TOLERATION_SECONDS): void {
  const spec = pod.spec;
  if (!spec) return;
  const tolerations: Toleration[] = spec.tolerations ?? [];
  const has = (key: string): boolean =>
    tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!has(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  spec.tolerations = tolerations;
}

const display = (o: Obj, now: Date) => podDisplayStatus(o as Pod, now);

export const pods: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward'],
  // Pods carry no metadata.generation before Kubernetes 1.33 (PodGeneration); kubectl 1.32 shows none.
  tracksGeneration: false,
  selectableFields: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  defaults: (o) => defaultPod(o),
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validatePodSpec((o as Obj).spec, 'spec')],
  validateUpdate: (o: KubeObject, old: KubeObject) => {
    const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
    const spec = (o as Obj).spec ?? {};
    const oldSpec = (old as Obj).spec ?? {};
    // Binding sets nodeName once; after that it is as immutable as the rest of the spec.
    if (oldSpec.nodeName) errs.push(...immutable('spec.nodeName', spec.nodeName, oldSpec.nodeName));
    const { nodeName: _n, ...restSpec } = spec;
    const { nodeName: _o, ...restOld } = oldSpec;
    errs.push(...validatePodSpecUpdate(oldSpec.nodeName ? restSpec : spec, oldSpec.nodeName ? restOld : oldSpec));
    return errs;
  },
  columns: [
    col('Ready', 'string', (o, now) => display(o, now).ready, 0, 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', (o, now) => display(o, now).status, 0, 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', (o, now) => display(o, now).restartsText, 0, 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    col('IP', 'string', (o) => o.status?.podIPs?.[0]?.ip || o.status?.podIP || '<none>', 1, 'IP address assigned to the pod'),
    col('Node', 'string', (o) => o.spec?.nodeName || '<none>', 1, 'Name of the node assigned to the pod'),
    col('Nominated Node', 'string', (o) => o.status?.nominatedNodeName || '<none>', 1, 'Name of the node nominated for the pod'),
    col('Readiness Gates', 'string', (o) => podReadinessGates(o as Pod), 1, 'Readiness gates of the pod'),
  ],
};

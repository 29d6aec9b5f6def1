// The built-in collections the lab's components address, so callers never spell a group or plural by
// hand (a typo there is a silent 404). Kinds travel with them because Events and ownerReferences
// need apiVersion/kind even when an object arrives without TypeMeta.
import type { GroupVersionResource } from '../../shared/api/meta';

export interface KnownResource extends GroupVersionResource {
  kind: string;
  namespaced: boolean;
}

const r = (group: string, version: string, resource: string, kind: string, namespaced = true): KnownResource =>
  Object.freeze({ group, version, resource, kind, namespaced });

export const PODS = r('', 'v1', 'pods', 'Pod');
export const NODES = r('', 'v1', 'nodes', 'Node', false);
export const NAMESPACES = r('', 'v1', 'namespaces', 'Namespace', false);
export const EVENTS = r('', 'v1', 'events', 'Event');
export const SERVICES = r('', 'v1', 'services', 'Service');
export const ENDPOINTS = r('', 'v1', 'endpoints', 'Endpoints');
export const CONFIGMAPS = r('', 'v1', 'configmaps', 'ConfigMap');
export const SECRETS = r('', 'v1', 'secrets', 'Secret');
export const SERVICEACCOUNTS = r('', 'v1', 'serviceaccounts', 'ServiceAccount');
export const PERSISTENTVOLUMECLAIMS = r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim');
export const PERSISTENTVOLUMES = r('', 'v1', 'persistentvolumes', 'PersistentVolume', false);
export const RESOURCEQUOTAS = r('', 'v1', 'resourcequotas', 'ResourceQuota');
export const LIMITRANGES = r('', 'v1', 'limitranges', 'LimitRange');
export const DEPLOYMENTS = r('apps', 'v1', 'deployments', 'Deployment');
export const REPLICASETS = r('apps', 'v1', 'replicasets', 'ReplicaSet');
export const STATEFULSETS = r('apps', 'v1', 'statefulsets', 'StatefulSet');
export const DAEMONSETS = r('apps', 'v1', 'daemonsets', 'DaemonSet');
export const CONTROLLERREVISIONS = r('apps', 'v1', 'controllerrevisions', 'ControllerRevision');
export const JOBS = r('batch', 'v1', 'jobs', 'Job');
export const CRONJOBS = r('batch', 'v1', 'cronjobs', 'CronJob');
export const LEASES = r('coordination.k8s.io', 'v1', 'leases', 'Lease');
export const ENDPOINTSLICES = r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice');
export const HORIZONTALPODAUTOSCALERS = r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler');
export const PODDISRUPTIONBUDGETS = r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget');
export const INGRESSES = r('networking.k8s.io', 'v1', 'ingresses', 'Ingress');
export const NETWORKPOLICIES = r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy');
export const CUSTOMRESOURCEDEFINITIONS = r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false);
export const EVENTS_V1 = r('events.k8s.io', 'v1', 'events', 'Event');

export const KNOWN_RESOURCES: readonly KnownResource[] = Object.freeze([
  PODS, NODES, NAMESPACES, EVENTS, SERVICES, ENDPOINTS, CONFIGMAPS, SECRETS, SERVICEACCOUNTS,
  PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, RESOURCEQUOTAS, LIMITRANGES, DEPLOYMENTS, REPLICASETS,
  STATEFULSETS, DAEMONSETS, CONTROLLERREVISIONS, JOBS, CRONJOBS, LEASES, ENDPOINTSLICES,
  HORIZONTALPODAUTOSCALERS, PODDISRUPTIONBUDGETS, INGRESSES, NETWORKPOLICIES, CUSTOMRESOURCEDEFINITIONS,
]);

/** The built-in resource serving `kind` in `apiVersion` (e.g. "apps/v1", "Deployment"), if the lab knows it. */
export function knownResourceForKind(apiVersion: string, kind: string): KnownResource | undefined {
  return KNOWN_RESOURCES.find((k) => (k.group ? `${k.group}/${k.version}` : k.version) === apiVersion && k.kind === kind);
}

/** Stable string form, `resource.group` as Kubernetes prints it (`pods`, `deployments.apps`). */
export function gvrString(gvr: GroupVersionResource): string {
  return gvr.group ? `${gvr.resource}.${gvr.group}` : gvr.resource;
}

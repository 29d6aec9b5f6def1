// The writes the dashboard makes, exactly as kubectl makes them: DELETE with a propagationPolicy,
// PATCH of the scale subresource, PATCH of spec.unschedulable (kubectl cordon/uncordon).
import type { KubeObject } from '../../shared/api/meta';
import type { ApiClient, PropagationPolicy } from '../api/client';
import { resourcePath } from '../api/paths';
import type { ResourceType } from '../stores/resource-store';

export function objectPath(type: ResourceType, object: KubeObject, subresource?: string): string {
  return resourcePath({
    group: type.group,
    version: type.version,
    resource: type.resource,
    namespace: type.namespaced ? object.metadata.namespace : undefined,
    name: object.metadata.name,
    subresource,
  });
}

export function deleteObject(client: ApiClient, type: ResourceType, object: KubeObject, propagationPolicy: PropagationPolicy): Promise<KubeObject> {
  return client.delete(objectPath(type, object), { propagationPolicy });
}

export function scaleObject(client: ApiClient, type: ResourceType, object: KubeObject, replicas: number): Promise<KubeObject> {
  return client.patch(objectPath(type, object, 'scale'), { spec: { replicas } }, 'merge');
}

export function setUnschedulable(client: ApiClient, type: ResourceType, node: KubeObject, unschedulable: boolean): Promise<KubeObject> {
  // kubectl uncordon sends null rather than false so the field disappears, as on a fresh node.
  return client.patch(objectPath(type, node), { spec: { unschedulable: unschedulable ? true : null } }, 'strategic');
}

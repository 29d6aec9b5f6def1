// The writes the dashboard makes, exactly as kubectl makes them: DELETE with a propagationPolicy,
// PATCH of the scale subresource, PATCH of spec.unschedulable (kubectl cordon/uncordon), and the
// workload verbs of kubectl rollout (restart, pause/resume, undo) and kubectl create job --from.
import type { KubeObject } from '../../shared/api/meta';
import type { ApiClient, PropagationPolicy } from '../api/client';
import { resourcePath } from '../api/paths';
import type { ResourceType } from '../stores/resource-store';
import { undoRequest, type Revision } from './rollout-history';

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

/** kubectl rollout restart: a new template annotation rolls every pod (RFC 3339, seconds, as kubectl writes it). */
export function restartPatch(now: Date): unknown {
  return { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now.toISOString().replace(/\.\d{3}Z$/, 'Z') } } } } };
}

export function restartWorkload(client: ApiClient, type: ResourceType, object: KubeObject, now = new Date()): Promise<KubeObject> {
  return client.patch(objectPath(type, object), restartPatch(now), 'strategic');
}

/** kubectl rollout pause/resume: resume sends null (paused is omitempty), as kubectl's patch does. */
export function setPaused(client: ApiClient, type: ResourceType, deployment: KubeObject, paused: boolean): Promise<KubeObject> {
  return client.patch(objectPath(type, deployment), { spec: { paused: paused ? true : null } }, 'strategic');
}

/** kubectl patch cronjob/x -p '{"spec":{"suspend":true}}' (a merge patch). */
export function setSuspended(client: ApiClient, type: ResourceType, cronJob: KubeObject, suspend: boolean): Promise<KubeObject> {
  return client.patch(objectPath(type, cronJob), { spec: { suspend } }, 'merge');
}

/** Job names become a label value (controller-uid's sibling job-name), so they stay within 63 characters. */
export function manualJobName(cronJobName: string, now: Date): string {
  const suffix = `manual-${Math.floor(now.getTime() / 1000).toString(36)}`;
  return `${cronJobName.slice(0, 63 - suffix.length - 1)}-${suffix}`;
}

/** The Job of `kubectl create job NAME --from=cronjob/x`: the jobTemplate, owned by the CronJob. */
export function jobFromCronJob(cronJob: KubeObject, name: string): KubeObject {
  const template = ((cronJob.spec as { jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown } } | undefined)?.jobTemplate ?? {}) as {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: unknown;
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cronJob.metadata.namespace,
      labels: template.metadata?.labels,
      annotations: { ...template.metadata?.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata.name ?? '', uid: cronJob.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: JSON.parse(JSON.stringify(template.spec ?? {})) as unknown,
  };
}

export function triggerCronJob(client: ApiClient, cronJob: KubeObject, name: string): Promise<KubeObject> {
  return client.create(resourcePath({ group: 'batch', version: 'v1', resource: 'jobs', namespace: cronJob.metadata.namespace }), jobFromCronJob(cronJob, name));
}

/** The revisions' holders: ReplicaSets for a Deployment, ControllerRevisions for the others. */
export async function listRevisionSources(client: ApiClient, kind: string, object: KubeObject): Promise<KubeObject[]> {
  const resource = kind === 'Deployment' ? 'replicasets' : 'controllerrevisions';
  const list = await client.list(resourcePath({ group: 'apps', version: 'v1', resource, namespace: object.metadata.namespace }));
  return list.items;
}

/** kubectl rollout undo --to-revision=N (see undoRequest for the PATCH it sends). */
export function undoRollout(client: ApiClient, type: ResourceType & { kind: string }, object: KubeObject, target: Revision): Promise<KubeObject> {
  const { type: patchType, body } = undoRequest(type.kind, object, target);
  return client.patch(objectPath(type, object), body, patchType);
}

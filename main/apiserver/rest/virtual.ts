// Virtual resources: read-only kinds computed on request instead of stored (the lab's PodProbes, later
// metrics.k8s.io PodMetrics/NodeMetrics, which Kubernetes also serves without etcd). They are served
// by the same RestHandler — so discovery, tables (`kubectl get`), selectors and the in-process client
// work unchanged — but only get and list: writes answer 405 and watches end with 405 at once.
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import type { ApiRequest, ResourceDef } from '../types';
import { apiVersionFor } from './context';
import { predicateFor } from './selection';
import { toTable } from './table';

export interface VirtualResourceProvider {
  /** One object; throw ApiError.notFound when it does not exist. */
  get(namespace: string | undefined, name: string, request: ApiRequest): Promise<KubeObject>;
  /** Every object of a namespace (or all namespaces / cluster-scoped when namespace is undefined). */
  list(namespace: string | undefined, request: ApiRequest): Promise<KubeObject[]>;
}

export const VIRTUAL_VERBS = ['get', 'list'];

export function virtualMethodNotAllowed(def: ResourceDef, verb: string): ApiError {
  return ApiError.methodNotAllowed(`the server does not allow this method on the requested resource (${verb} ${def.resource}.${def.group || 'core'})`);
}

export async function serveVirtual(def: ResourceDef, provider: VirtualResourceProvider, req: ApiRequest, now: Date): Promise<unknown> {
  if (req.subresource) throw virtualMethodNotAllowed(def, `${req.verb} ${req.subresource} on`);
  const stamp = (o: KubeObject): KubeObject => ({ ...o, apiVersion: apiVersionFor(def), kind: def.kind });
  if (req.verb === 'get') {
    const obj = stamp(await provider.get(def.namespaced ? req.namespace : undefined, req.name!, req));
    return req.asTable ? toTable(def, [obj], req, now, { resourceVersion: obj.metadata.resourceVersion ?? '' }) : obj;
  }
  if (req.verb === 'list') {
    const matches = predicateFor(def, { ...req, name: undefined });
    const items = (await provider.list(def.namespaced ? req.namespace : undefined, req)).map(stamp).filter(matches);
    if (req.asTable) return toTable(def, items, req, now, { resourceVersion: '' });
    return { apiVersion: apiVersionFor(def), kind: `${def.kind}List`, metadata: { resourceVersion: '' }, items };
  }
  throw virtualMethodNotAllowed(def, req.verb);
}

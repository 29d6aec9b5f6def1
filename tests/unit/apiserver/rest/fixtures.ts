// Small ResourceDefs of our own (the real registry lives elsewhere) and a handler over MemoryStore.
import { ApiError } from '../../../../shared/api/errors';
import type { KubeObject } from '../../../../shared/api/meta';
import { FakeClock } from '../../../../main/client/clock';
import { MemoryStore } from '../../../../main/store/memory-store';
import type { AdmissionPlugin } from '../../../../main/apiserver/admission';
import { RestHandler, type RestHandlerOptions } from '../../../../main/apiserver/rest';
import type { ApiRequest, ResourceDef } from '../../../../main/apiserver/types';

export const namespaces: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  singular: 'namespace',
  namespaced: false,
  subresources: ['status'],
  defaults: (o) => {
    const st = (o.status ??= {}) as { phase?: string };
    st.phase ??= 'Active';
  },
};

export const widgets: ResourceDef = {
  group: 'example.com',
  version: 'v1',
  resource: 'widgets',
  kind: 'Widget',
  singular: 'widget',
  namespaced: true,
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  selectableFields: ['spec.color'],
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  defaults: (o) => {
    const spec = (o.spec ??= {}) as { replicas?: number; color?: string };
    spec.replicas ??= 1;
  },
  validate: (o) => {
    const spec = o.spec as { replicas?: unknown };
    return typeof spec.replicas === 'number' && spec.replicas < 0
      ? [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: spec.replicas, detail: 'must be greater than or equal to 0' }]
      : [];
  },
  validateUpdate: (o, old) =>
    (o.spec as { immutable?: string }).immutable !== (old.spec as { immutable?: string }).immutable
      ? [{ type: 'FieldValueInvalid', field: 'spec.immutable', value: (o.spec as { immutable?: string }).immutable, detail: 'field is immutable' }]
      : [],
  columns: [
    { name: 'Color', type: 'string', priority: 0, cell: (o) => (o.spec as { color?: string }).color },
    { name: 'Replicas', type: 'integer', priority: 0, cell: (o) => (o.spec as { replicas?: number }).replicas },
    { name: 'Age', type: 'date', priority: 0, cell: (o) => o.metadata.creationTimestamp },
    { name: 'Note', type: 'string', priority: 1, cell: (o) => (o.metadata.annotations ?? {}).note },
  ],
};

export const gadgets: ResourceDef = {
  group: 'example.com',
  version: 'v1',
  resource: 'gadgets',
  kind: 'Gadget',
  singular: 'gadget',
  namespaced: false,
};

export const pods: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  singular: 'pod',
  namespaced: true,
  subresources: ['status'],
  selectableFields: ['spec.nodeName', 'status.phase'],
  defaults: (o) => {
    const st = (o.status ??= {}) as { phase?: string };
    st.phase ??= 'Pending';
  },
};

export const deployments: ResourceDef = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  singular: 'deployment',
  namespaced: true,
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
};

export const services: ResourceDef = { group: '', version: 'v1', resource: 'services', kind: 'Service', singular: 'service', namespaced: true, subresources: ['status'] };

export const endpoints: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  singular: 'endpoints',
  namespaced: true,
  allowCreateOnUpdate: true,
};

export const ALL = [namespaces, widgets, gadgets, pods, deployments, services, endpoints];

export interface Env {
  rest: RestHandler;
  store: MemoryStore;
  clock: FakeClock;
  call(req: Partial<ApiRequest> & Pick<ApiRequest, 'verb'>, def?: ResourceDef): Promise<any>;
  fail(req: Partial<ApiRequest> & Pick<ApiRequest, 'verb'>, def?: ResourceDef): Promise<ApiError>;
}

export async function setup(opts: Partial<RestHandlerOptions> & { watchWindow?: number; admission?: AdmissionPlugin[] } = {}): Promise<Env> {
  const store = new MemoryStore({ watchWindow: opts.watchWindow });
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  let n = 0;
  const rest = new RestHandler({ store, clock, resources: ALL, uid: () => `uid-${++n}`, ...opts });
  const call = (req: Partial<ApiRequest> & Pick<ApiRequest, 'verb'>, def: ResourceDef = widgets): Promise<any> => {
    const namespace = def.namespaced ? ('namespace' in req ? req.namespace : 'default') : undefined;
    return rest.handle({ group: def.group, version: def.version, resource: def.resource, ...req, namespace });
  };
  const fail = async (req: Partial<ApiRequest> & Pick<ApiRequest, 'verb'>, def: ResourceDef = widgets): Promise<ApiError> => {
    try {
      await call(req, def);
    } catch (e) {
      if (e instanceof ApiError) return e;
      throw e;
    }
    throw new Error(`expected ${req.verb} to fail`);
  };
  await call({ verb: 'create', body: { metadata: { name: 'default' } } }, namespaces);
  return { rest, store, clock, call, fail };
}

export function widget(name: string, spec: Record<string, unknown> = {}, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, ...meta }, spec: { color: 'red', ...spec } };
}

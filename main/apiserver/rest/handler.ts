// RestHandler: the generic REST machinery behind every resource (k8s.io/apiserver's handlers +
// registry.Store), driven by ResourceDefs. The HTTP layer and the in-process client both call it.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject, WatchEvent } from '../../../shared/api/meta';
import { RealClock, type Clock } from '../../client/clock';
import type { Store } from '../../store/store';
import type { AdmissionPlugin } from '../admission';
import type { ApiHandler, ApiRequest, ApiWatch, ResourceDef } from '../types';
import { registerKnownResource } from './known-resources';
import { unknownResource, type EvictionPolicy, type RestContext } from './context';
import { create, get } from './create';
import { remove, removeCollection } from './delete';
import { list, listObjects } from './list';
import { patch } from './patch';
import { binding, eviction, notServed, scale } from './subresources';
import { toTable } from './table';
import { update } from './update';
import { serveVirtual, virtualMethodNotAllowed, type VirtualResourceProvider } from './virtual';
import { watch } from './watch';

export interface RestHandlerOptions {
  store: Store;
  resources: ResourceDef[];
  clock?: Clock;
  admission?: AdmissionPlugin[];
  uid?: () => string;
  /** PodDisruptionBudget check for pods/eviction; throw ApiError 429 to refuse an eviction. */
  evictionPolicy?: EvictionPolicy;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (Kubernetes: about a minute). */
  bookmarkIntervalMs?: number;
}

/** Serves one subresource (log, exec, portforward, …) registered at runtime. */
export type SubresourceHandler = (request: ApiRequest, resource: ResourceDef, rest: RestHandler) => Promise<unknown>;

const defKey = (group: string, resource: string): string => `${group}/${resource}`;

export class RestHandler implements ApiHandler {
  private readonly defs = new Map<string, ResourceDef>();
  private readonly subresourceHandlers = new Map<string, SubresourceHandler>();
  private readonly virtuals = new Map<string, VirtualResourceProvider>();
  readonly ctx: RestContext;

  constructor(opts: RestHandlerOptions) {
    for (const d of opts.resources) this.addResource(d);
    this.ctx = {
      store: opts.store,
      clock: opts.clock ?? new RealClock(),
      admission: [...(opts.admission ?? [])],
      newUid: opts.uid ?? randomUUID,
      resourceFor: (g, r) => this.resourceFor(g, r),
      evictionPolicy: opts.evictionPolicy,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    };
  }

  /** Serve another kind (e.g. a CustomResourceDefinition's), replacing one of the same group/resource. */
  addResource(def: ResourceDef): void {
    this.defs.set(defKey(def.group, def.resource), def);
    registerKnownResource(def);
  }

  /** Serve a read-only kind computed by `provider` (get/list only; see virtual.ts). */
  registerVirtualResource(def: ResourceDef, provider: VirtualResourceProvider): void {
    this.addResource(def);
    this.virtuals.set(defKey(def.group, def.resource), provider);
  }

  resourceFor(group: string, resource: string): ResourceDef | undefined {
    return this.defs.get(defKey(group, resource));
  }

  get resources(): ResourceDef[] {
    return [...this.defs.values()];
  }

  registerSubresource(group: string, resource: string, subresource: string, handler: SubresourceHandler): void {
    this.subresourceHandlers.set(`${group}/${resource}/${subresource}`, handler);
  }

  setEvictionPolicy(policy: EvictionPolicy | undefined): void {
    this.ctx.evictionPolicy = policy;
  }

  addAdmission(plugin: AdmissionPlugin): void {
    this.ctx.admission.push(plugin);
  }

  private lookup(req: ApiRequest): ResourceDef {
    const def = this.resourceFor(req.group, req.resource);
    if (!def || (req.version && def.version !== req.version)) throw unknownResource();
    return def;
  }

  async handle(req: ApiRequest): Promise<unknown> {
    const def = this.lookup(req);
    const ctx = this.ctx;
    const sub = req.subresource;
    const needsName = req.verb !== 'list' && req.verb !== 'deletecollection' && !(req.verb === 'create' && !sub);
    if (needsName && !req.name) throw ApiError.methodNotAllowed('the server does not allow this method on the requested resource');
    if (def.namespaced && !req.namespace && req.verb !== 'list' && req.verb !== 'create') {
      throw ApiError.badRequest(`the namespace of ${def.resource} "${req.name ?? ''}" is required`);
    }
    const virtual = this.virtuals.get(defKey(def.group, def.resource));
    if (virtual) return serveVirtual(def, virtual, req, ctx.clock.now());

    if (sub) {
      const custom = this.subresourceHandlers.get(`${def.group}/${def.resource}/${sub}`);
      if (custom) return custom(req, def, this);
      const declared = def.subresources?.includes(sub);
      const isPod = def.group === '' && def.resource === 'pods';
      if (sub === 'status' && declared) {
        if (req.verb === 'get') return this.maybeTable(def, req, await get(ctx, def, req.namespace, req.name!));
        if (req.verb === 'update') return update(ctx, def, req, 'status');
        if (req.verb === 'patch') return patch(ctx, def, req, 'status');
      } else if (sub === 'finalize' && declared) {
        if (req.verb === 'update') return update(ctx, def, req, 'finalize');
      } else if (sub === 'scale' && declared) {
        if (req.verb === 'get' || req.verb === 'update' || req.verb === 'patch') return scale(ctx, def, req);
      } else if (sub === 'binding' && isPod && req.verb === 'create') {
        return binding(ctx, def, req);
      } else if (sub === 'eviction' && isPod && req.verb === 'create') {
        return eviction(ctx, def, req);
      } else {
        throw notServed(def, req.name, sub);
      }
      throw ApiError.methodNotAllowed(`the server does not allow this method on the requested resource (${req.verb} on ${def.resource}/${sub})`);
    }

    switch (req.verb) {
      case 'get':
        return this.maybeTable(def, req, await get(ctx, def, req.namespace, req.name!));
      case 'list': {
        if (!req.asTable) return list(ctx, def, req);
        const r = await listObjects(ctx, def, req);
        const meta: Record<string, string> = { resourceVersion: r.resourceVersion };
        if (r.continue) meta.continue = r.continue;
        return toTable(def, r.items, req, ctx.clock.now(), meta);
      }
      case 'create':
        return create(ctx, def, req);
      case 'update':
        return update(ctx, def, req);
      case 'patch':
        return patch(ctx, def, req);
      case 'delete':
        return remove(ctx, def, req);
      case 'deletecollection':
        return removeCollection(ctx, def, req);
      default:
        throw ApiError.methodNotAllowed(`the server does not allow this method on the requested resource (${req.verb})`);
    }
  }

  private maybeTable(def: ResourceDef, req: ApiRequest, obj: KubeObject): unknown {
    return req.asTable ? toTable(def, [obj], req, this.ctx.clock.now(), { resourceVersion: obj.metadata.resourceVersion }) : obj;
  }

  watch(req: ApiRequest, onEvent: (event: WatchEvent) => void, onClose: (error?: unknown) => void): ApiWatch {
    let def: ResourceDef;
    try {
      def = this.lookup(req);
      if (this.virtuals.has(defKey(def.group, def.resource))) throw virtualMethodNotAllowed(def, 'watch');
    } catch (e) {
      queueMicrotask(() => onClose(e));
      return { stop: () => {} };
    }
    const transform = req.asTable ? (o: KubeObject) => toTable(def, [o], req, this.ctx.clock.now(), { resourceVersion: o.metadata.resourceVersion }) : undefined;
    return watch(this.ctx, def, req, onEvent, onClose, transform);
  }
}

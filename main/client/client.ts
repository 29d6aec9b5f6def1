// The in-process client (client-go's dynamic client): every component talks to the apiserver through
// it. It builds the same ApiRequest the HTTP layer builds and calls the same ApiHandler, so defaulting,
// validation, admission and resourceVersion checks are identical; only the socket is skipped.
import type { GroupVersionResource, KubeList, KubeObject, WatchEvent } from '../../shared/api/meta';
import type { ApiHandler, ApiRequest, ApiWatch, PatchType, Verb } from '../apiserver/types';
import {
  CONFIGMAPS, DAEMONSETS, DEPLOYMENTS, ENDPOINTS, EVENTS, JOBS, CRONJOBS, LEASES, NAMESPACES, NODES, PODS,
  REPLICASETS, SECRETS, SERVICES, STATEFULSETS,
} from './gvr';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Event objects may be deep-frozen and shared with other watchers (ApiRequest.sharedObjects): informers. */
  sharedObjects?: boolean;
}

export interface WriteOptions {
  /** Only "All" exists in Kubernetes; true is shorthand for it. */
  dryRun?: boolean | 'All';
  fieldManager?: string;
}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: Preconditions;
  dryRun?: boolean | 'All';
}

export interface WatchHandler<T extends KubeObject> {
  onEvent(event: WatchEvent<T>): void;
  /** Called once when the watch ends; with an error (ApiError, often 410 Expired) when it ended abnormally. */
  onClose?(error?: unknown): void;
}

type Query = Record<string, string | undefined>;

const str = (v: number | boolean | undefined): string | undefined => (v === undefined ? undefined : String(v));
const dryRunQuery = (dryRun: boolean | 'All' | undefined): string | undefined => (dryRun ? 'All' : undefined);

// Bodies are cloned on the way in so that neither the handler's defaulting nor a later caller edit can
// reach the caller's object (which is often a frozen informer cache entry).
function cloneBody<B>(body: B): B {
  return body === undefined ? body : structuredClone(body);
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    private readonly handler: ApiHandler,
    readonly gvr: GroupVersionResource,
    private readonly user: string,
  ) {}

  get(namespace: string | undefined, name: string): Promise<T> {
    return this.call('get', { namespace, name });
  }

  list(namespace?: string, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.call('list', {
      namespace,
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: str(options.limit),
        continue: options.continue,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
      },
    });
  }

  /** namespace undefined: the object's own metadata.namespace (as kubectl create -f does). */
  create(namespace: string | undefined, object: T, options: WriteOptions = {}): Promise<T> {
    const ns = namespace ?? object.metadata.namespace;
    return this.call('create', { namespace: ns, body: cloneBody(object), query: this.writeQuery(options) });
  }

  update(namespace: string | undefined, object: T, options: WriteOptions = {}): Promise<T> {
    const ns = namespace ?? object.metadata.namespace;
    return this.call('update', { namespace: ns, name: object.metadata.name, body: cloneBody(object), query: this.writeQuery(options) });
  }

  updateStatus(namespace: string | undefined, object: T, options: WriteOptions = {}): Promise<T> {
    return this.updateSubresource(namespace ?? object.metadata.namespace, object.metadata.name ?? '', 'status', object, options) as Promise<T>;
  }

  patch(namespace: string | undefined, name: string, patchType: PatchType, patch: unknown, options: PatchOptions = {}): Promise<T> {
    return this.call('patch', { namespace, name, patchType, body: cloneBody(patch), query: this.patchQuery(options) });
  }

  delete(namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<unknown> {
    return this.call('delete', { namespace, name, body: this.deleteBody(options), query: this.deleteQuery(options) });
  }

  deleteCollection(namespace: string | undefined, options: DeleteOptions & ListOptions = {}): Promise<unknown> {
    const query = { ...this.deleteQuery(options), labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    return this.call('deletecollection', { namespace, body: this.deleteBody(options), query });
  }

  /** Starts a watch; events arrive synchronously in resourceVersion order until stop() or close. */
  watch(namespace: string | undefined, options: WatchOptions, handler: WatchHandler<T>): ApiWatch {
    const request = this.request('watch', {
      namespace,
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: str(options.allowWatchBookmarks),
        timeoutSeconds: str(options.timeoutSeconds),
        watch: 'true',
      },
    });
    if (options.sharedObjects) request.sharedObjects = true;
    let closed = false;
    return this.handler.watch(
      request,
      (event) => {
        if (!closed) handler.onEvent(event as WatchEvent<T>);
      },
      (error) => {
        if (closed) return;
        closed = true;
        handler.onClose?.(error);
      },
    );
  }

  getSubresource<R = T>(namespace: string | undefined, name: string, subresource: string, query?: Query): Promise<R> {
    return this.call('get', { namespace, name, subresource, query });
  }

  updateSubresource<R = T>(namespace: string | undefined, name: string, subresource: string, body: unknown, options: WriteOptions = {}): Promise<R> {
    return this.call('update', { namespace, name, subresource, body: cloneBody(body), query: this.writeQuery(options) });
  }

  patchSubresource<R = T>(
    namespace: string | undefined,
    name: string,
    subresource: string,
    patchType: PatchType,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<R> {
    return this.call('patch', { namespace, name, subresource, patchType, body: cloneBody(patch), query: this.patchQuery(options) });
  }

  /** POST to a subresource, e.g. pods/binding (a Binding) or pods/eviction (an Eviction). */
  createSubresource<R = unknown>(namespace: string | undefined, name: string, subresource: string, body: unknown, options: WriteOptions = {}): Promise<R> {
    return this.call('create', { namespace, name, subresource, body: cloneBody(body), query: this.writeQuery(options) });
  }

  private writeQuery(options: WriteOptions): Query {
    return { dryRun: dryRunQuery(options.dryRun), fieldManager: options.fieldManager };
  }

  private patchQuery(options: PatchOptions): Query {
    return { ...this.writeQuery(options), force: str(options.force) };
  }

  // DeleteOptions travel as the body (as client-go sends them); the scalar ones are mirrored in the
  // query because kubectl sends them there and the apiserver accepts both.
  private deleteBody(options: DeleteOptions): Record<string, unknown> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.preconditions) body.preconditions = { ...options.preconditions };
    if (options.dryRun) body.dryRun = ['All'];
    return body;
  }

  private deleteQuery(options: DeleteOptions): Query {
    return {
      gracePeriodSeconds: str(options.gracePeriodSeconds),
      propagationPolicy: options.propagationPolicy,
      dryRun: dryRunQuery(options.dryRun),
    };
  }

  private request(verb: Verb, parts: Partial<ApiRequest>): ApiRequest {
    const query: Query = {};
    for (const [k, v] of Object.entries(parts.query ?? {})) if (v !== undefined && v !== '') query[k] = v;
    const request: ApiRequest = {
      verb,
      group: this.gvr.group,
      version: this.gvr.version,
      resource: this.gvr.resource,
      user: this.user,
      query,
    };
    if (parts.namespace) request.namespace = parts.namespace;
    if (parts.name !== undefined) request.name = parts.name;
    if (parts.subresource) request.subresource = parts.subresource;
    if (parts.body !== undefined) request.body = parts.body;
    if (parts.patchType) request.patchType = parts.patchType;
    return request;
  }

  private call<R>(verb: Verb, parts: Partial<ApiRequest>): Promise<R> {
    // Wrapped in an async step so a handler that throws synchronously still yields a rejected promise.
    return Promise.resolve().then(() => this.handler.handle(this.request(verb, parts))) as Promise<R>;
  }
}

/** One client per component identity (`system:kube-scheduler`, `system:node:<name>`, …). */
export class KubeClient {
  private readonly clients = new Map<string, ResourceClient<KubeObject>>();

  constructor(
    readonly handler: ApiHandler,
    readonly user: string,
  ) {}

  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): ResourceClient<T> {
    const key = `${gvr.group}/${gvr.version}/${gvr.resource}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new ResourceClient(this.handler, { group: gvr.group, version: gvr.version, resource: gvr.resource }, this.user);
      this.clients.set(key, client);
    }
    return client as unknown as ResourceClient<T>;
  }

  /** The same handler under another identity (e.g. a kubelet's `system:node:<name>`). */
  as(user: string): KubeClient {
    return new KubeClient(this.handler, user);
  }

  pods<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(PODS); }
  nodes<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(NODES); }
  namespaces<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(NAMESPACES); }
  events<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(EVENTS); }
  services<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(SERVICES); }
  endpoints<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(ENDPOINTS); }
  configMaps<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(CONFIGMAPS); }
  secrets<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(SECRETS); }
  leases<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(LEASES); }
  deployments<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(DEPLOYMENTS); }
  replicaSets<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(REPLICASETS); }
  statefulSets<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(STATEFULSETS); }
  daemonSets<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(DAEMONSETS); }
  jobs<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(JOBS); }
  cronJobs<T extends KubeObject = KubeObject>(): ResourceClient<T> { return this.resource(CRONJOBS); }
}

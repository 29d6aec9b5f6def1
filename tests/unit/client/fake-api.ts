// A small in-memory ApiHandler for client tests: one resourceVersion counter, a bounded event history
// (so tests can force 410 Expired), watch fan-out, label/field selectors, optimistic concurrency,
// merge/json patches, status/binding/eviction subresources. It records calls and accepts injected
// errors (DESIGN.md style 3). It is not the apiserver: no defaulting, validation or admission.
import { applyPatch, type Operation } from 'fast-json-patch';
import { ApiError } from '../../../shared/api/errors';
import { parseFieldSelector } from '../../../shared/api/fields';
import { parseLabelSelector } from '../../../shared/api/labels';
import type { KubeObject, WatchEvent, WatchEventType } from '../../../shared/api/meta';
import type { ApiHandler, ApiRequest, ApiWatch } from '../../../main/apiserver/types';
import { KNOWN_RESOURCES } from '../../../main/client/gvr';

interface LogEntry {
  rv: number;
  key: string;
  type: WatchEventType;
  object: KubeObject;
}

interface Watcher {
  request: ApiRequest;
  onEvent: (e: WatchEvent) => void;
  onClose: (error?: unknown) => void;
}

interface Injected {
  match: (r: ApiRequest) => boolean;
  error: unknown;
  times: number;
}

const clone = <T>(o: T): T => structuredClone(o);

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeApi implements ApiHandler {
  resourceVersion = 0;
  readonly calls: ApiRequest[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private history: LogEntry[] = [];
  private compactedThrough = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly injected: Injected[] = [];
  private uidCounter = 0;

  /** Fail the next `times` requests matching `match` with `error`. */
  injectError(match: Partial<Pick<ApiRequest, 'verb' | 'resource' | 'subresource' | 'name'>>, error: unknown, times = 1): void {
    const fn = (r: ApiRequest): boolean => Object.entries(match).every(([k, v]) => (r as unknown as Record<string, unknown>)[k] === v);
    this.injected.push({ match: fn, error, times });
  }

  /** Forget history so that watching from any resourceVersion seen so far fails with 410 Expired. */
  compact(): void {
    this.compactedThrough = this.resourceVersion;
    this.history = [];
  }

  /** End every open watch, normally (no error) or with one. */
  closeWatches(error?: unknown): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.onClose(error);
    }
  }

  /**
   * Detach every open watch without telling it (a partition: events meanwhile are lost to it);
   * the returned close() ends those watches later, normally or with an error.
   */
  partitionWatches(): { close(error?: unknown): void } {
    const cut = [...this.watchers];
    for (const w of cut) this.watchers.delete(w);
    return { close: (error?: unknown) => cut.forEach((w) => w.onClose(error)) };
  }

  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (w.request.query?.allowWatchBookmarks !== 'true') continue;
      w.onEvent({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(this.resourceVersion) } } });
    }
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** Direct read for assertions (a copy). */
  peek(resource: string, namespace: string | undefined, name: string, group = ''): KubeObject | undefined {
    const o = this.objects.get(this.key(group, resource, namespace, name));
    return o && clone(o);
  }

  async handle(r: ApiRequest): Promise<unknown> {
    this.calls.push(clone(r));
    const inj = this.injected.find((i) => i.times > 0 && i.match(r));
    if (inj) {
      inj.times--;
      throw inj.error;
    }
    const info = this.info(r);
    switch (r.verb) {
      case 'get': {
        const o = this.mustGet(r);
        return clone(o);
      }
      case 'list': {
        const items = this.select(r).map(clone);
        return { kind: `${info.kind}List`, apiVersion: info.apiVersion, metadata: { resourceVersion: String(this.resourceVersion) }, items };
      }
      case 'create':
        if (r.subresource === 'binding') return this.bind(r);
        if (r.subresource === 'eviction') return this.evict(r);
        return this.create(r);
      case 'update':
        return this.update(r, clone(r.body as KubeObject));
      case 'patch': {
        const current = this.mustGet(r);
        let next: KubeObject;
        if (r.patchType === 'application/json-patch+json') next = applyPatch(clone(current), r.body as Operation[], true, false).newDocument;
        else next = mergePatch(current, r.body) as KubeObject;
        if (!(r.body as KubeObject)?.metadata?.resourceVersion) next.metadata.resourceVersion = undefined;
        return this.update(r, next);
      }
      case 'delete':
        return this.remove(r, this.mustGet(r));
      case 'deletecollection': {
        for (const o of this.select(r)) this.remove({ ...r, name: o.metadata.name, namespace: o.metadata.namespace }, o);
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
      }
      default:
        throw ApiError.methodNotAllowed(`verb ${r.verb} not supported`);
    }
  }

  watch(r: ApiRequest, onEvent: (e: WatchEvent) => void, onClose: (error?: unknown) => void): ApiWatch {
    this.calls.push(clone(r));
    const watcher: Watcher = { request: r, onEvent, onClose };
    const stop = (): void => void this.watchers.delete(watcher);
    const from = r.query?.resourceVersion;
    if (!from || from === '0') {
      for (const o of this.select(r)) onEvent({ type: 'ADDED', object: clone(o) });
    } else {
      const rv = Number(from);
      if (rv < this.compactedThrough) {
        onClose(ApiError.expired(`too old resource version: ${rv} (${this.compactedThrough})`));
        return { stop };
      }
      for (const e of this.history) if (e.rv > rv && this.matches(r, e.object, e.key)) onEvent({ type: e.type, object: clone(e.object) });
    }
    this.watchers.add(watcher);
    return { stop };
  }

  private info(r: { group: string; resource: string }): { kind: string; apiVersion: string; namespaced: boolean } {
    const known = KNOWN_RESOURCES.find((k) => k.group === r.group && k.resource === r.resource);
    const apiVersion = r.group ? `${r.group}/v1` : 'v1';
    return known ? { kind: known.kind, apiVersion, namespaced: known.namespaced } : { kind: 'Thing', apiVersion, namespaced: true };
  }

  private key(group: string, resource: string, namespace: string | undefined, name: string | undefined): string {
    return `${group}/${resource}/${namespace ?? ''}/${name ?? ''}`;
  }

  private gr(r: ApiRequest): { group: string; resource: string } {
    return { group: r.group, resource: r.resource };
  }

  private mustGet(r: ApiRequest): KubeObject {
    const o = this.objects.get(this.key(r.group, r.resource, r.namespace, r.name));
    if (!o) throw ApiError.notFound(this.gr(r), r.name ?? '');
    return o;
  }

  private matches(r: ApiRequest, o: KubeObject, key: string): boolean {
    if (!key.startsWith(`${r.group}/${r.resource}/`)) return false;
    if (r.namespace && o.metadata.namespace !== r.namespace) return false;
    if (!parseLabelSelector(r.query?.labelSelector).matches(o.metadata.labels)) return false;
    const fields = parseFieldSelector(r.query?.fieldSelector);
    return fields.matches({
      'metadata.name': o.metadata.name ?? '',
      'metadata.namespace': o.metadata.namespace ?? '',
      'spec.nodeName': String((o.spec as { nodeName?: string } | undefined)?.nodeName ?? ''),
    });
  }

  private select(r: ApiRequest): KubeObject[] {
    const prefix = `${r.group}/${r.resource}/`;
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && this.matches(r, o, k))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, o]) => o);
  }

  private commit(type: WatchEventType, key: string, object: KubeObject): KubeObject {
    this.resourceVersion++;
    object.metadata.resourceVersion = String(this.resourceVersion);
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, object);
    const stored = clone(object);
    this.history.push({ rv: this.resourceVersion, key, type, object: stored });
    // Each watcher gets its own copy (ApiHandler.watch contract).
    for (const w of [...this.watchers]) if (this.matches(w.request, stored, key)) w.onEvent({ type, object: clone(stored) });
    return clone(object);
  }

  private create(r: ApiRequest): KubeObject {
    const info = this.info(r);
    const o = clone(r.body as KubeObject);
    o.apiVersion ??= info.apiVersion;
    o.kind ??= info.kind;
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${(++this.uidCounter).toString(36).padStart(5, 'x')}`;
    if (!o.metadata.name) throw ApiError.invalid(r.group, info.kind, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
    if (info.namespaced) o.metadata.namespace = r.namespace ?? o.metadata.namespace ?? 'default';
    const key = this.key(r.group, r.resource, o.metadata.namespace, o.metadata.name);
    if (this.objects.has(key)) throw ApiError.alreadyExists(this.gr(r), o.metadata.name);
    o.metadata.uid = `uid-${++this.uidCounter}`;
    o.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    if (r.query?.dryRun === 'All') return { ...o, metadata: { ...o.metadata, resourceVersion: undefined } };
    return this.commit('ADDED', key, o);
  }

  private update(r: ApiRequest, next: KubeObject): KubeObject {
    const current = this.mustGet(r);
    const wanted = next.metadata?.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) {
      throw ApiError.conflict(this.gr(r), r.name ?? '', 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const merged: KubeObject = r.subresource === 'status'
      ? { ...clone(current), status: clone(next.status) }
      : { ...clone(next), status: clone(current.status), metadata: { ...next.metadata, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp } };
    if (merged.status === undefined) delete merged.status;
    if (r.query?.dryRun === 'All') return merged;
    return this.commit('MODIFIED', this.key(r.group, r.resource, r.namespace, r.name), merged);
  }

  private remove(r: ApiRequest, o: KubeObject): KubeObject {
    const pre = (r.body as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined)?.preconditions;
    if (pre?.uid && pre.uid !== o.metadata.uid) throw ApiError.conflict(this.gr(r), o.metadata.name ?? '', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${o.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== o.metadata.resourceVersion) {
      throw ApiError.conflict(this.gr(r), o.metadata.name ?? '', 'Precondition failed: ResourceVersion mismatch');
    }
    return this.commit('DELETED', this.key(r.group, r.resource, o.metadata.namespace, o.metadata.name), clone(o));
  }

  private bind(r: ApiRequest): unknown {
    const pod = clone(this.mustGet(r));
    const target = (r.body as { target?: { name?: string } }).target?.name;
    const spec = (pod.spec ?? {}) as { nodeName?: string };
    if (spec.nodeName) throw ApiError.conflict(this.gr(r), r.name ?? '', `pod ${r.name} is already assigned to node "${spec.nodeName}"`);
    pod.spec = { ...spec, nodeName: target };
    this.commit('MODIFIED', this.key(r.group, r.resource, r.namespace, r.name), pod);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }

  private evict(r: ApiRequest): unknown {
    this.remove(r, this.mustGet(r));
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }
}

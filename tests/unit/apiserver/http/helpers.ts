// Test doubles for the HTTP layer: a recording ApiHandler over an in-memory map, a few ResourceDefs,
// and a raw HTTP client that can send any Host/Origin header (fetch cannot).
import { request as httpRequest } from 'node:http';
import { ApiError } from '../../../../shared/api/errors';
import type { KubeObject, WatchEvent } from '../../../../shared/api/meta';
import type { ApiHandler, ApiRequest, ResourceDef } from '../../../../main/apiserver/types';

export const TOKEN = 'test-token-0123456789';

export const testResources: ResourceDef[] = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status', 'log', 'binding', 'eviction'] },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', singular: 'namespace', namespaced: false, shortNames: ['ns'], subresources: ['status', 'finalize'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', singular: 'configmap', namespaced: true, shortNames: ['cm'] },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', singular: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] },
  { group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', singular: 'horizontalpodautoscaler', namespaced: true, shortNames: ['hpa'] },
  { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', singular: 'horizontalpodautoscaler', namespaced: true, shortNames: ['hpa'] },
];

export interface ActiveWatch {
  request: ApiRequest;
  onEvent: (event: WatchEvent) => void;
  onClose: (error?: unknown) => void;
  stopped: boolean;
}

/** Records every request; answers get/create/update/delete from a map keyed by resource/ns/name. */
export class StubHandler implements ApiHandler {
  readonly requests: ApiRequest[] = [];
  readonly watches: ActiveWatch[] = [];
  readonly objects = new Map<string, KubeObject>();
  /** When set, handle() throws this. */
  failWith?: unknown;
  /** When set, watch() throws this synchronously. */
  watchFailWith?: unknown;
  /** Events delivered synchronously at watch start. */
  initialEvents: WatchEvent[] = [];
  private rv = 1;

  private key(r: ApiRequest): string {
    return `${r.group}/${r.resource}/${r.namespace ?? ''}/${r.name ?? ''}`;
  }

  async handle(request: ApiRequest): Promise<unknown> {
    this.requests.push(request);
    if (this.failWith) throw this.failWith;
    const gr = { group: request.group, resource: request.resource };
    switch (request.verb) {
      case 'list':
        return { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items: [...this.objects.values()].filter((o) => !request.namespace || o.metadata.namespace === request.namespace) };
      case 'get': {
        const found = this.objects.get(this.key(request));
        if (!found) throw ApiError.notFound(gr, request.name!);
        return found;
      }
      case 'create': {
        if (request.subresource) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
        const obj = structuredClone(request.body) as KubeObject;
        const name = obj.metadata?.name ?? '';
        const key = this.key({ ...request, name });
        if (this.objects.has(key)) throw ApiError.alreadyExists(gr, name);
        obj.metadata = { ...obj.metadata, namespace: request.namespace, resourceVersion: String(++this.rv), uid: `uid-${this.rv}`, creationTimestamp: '2026-01-01T00:00:00Z' };
        this.objects.set(key, obj);
        return obj;
      }
      case 'update':
      case 'patch': {
        const found = this.objects.get(this.key(request));
        if (!found) throw ApiError.notFound(gr, request.name!);
        const merged = request.verb === 'update' ? (structuredClone(request.body) as KubeObject) : { ...found, ...(request.body as object) };
        merged.metadata = { ...found.metadata, ...(merged.metadata ?? {}), resourceVersion: String(++this.rv) };
        this.objects.set(this.key(request), merged);
        return merged;
      }
      case 'delete': {
        const found = this.objects.get(this.key(request));
        if (!found) throw ApiError.notFound(gr, request.name!);
        this.objects.delete(this.key(request));
        return found;
      }
      default:
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
    }
  }

  watch(request: ApiRequest, onEvent: (event: WatchEvent) => void, onClose: (error?: unknown) => void) {
    if (this.watchFailWith) throw this.watchFailWith;
    const w: ActiveWatch = { request, onEvent, onClose, stopped: false };
    this.watches.push(w);
    for (const e of this.initialEvents) onEvent(e);
    return { stop: () => void (w.stopped = true) };
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  token?: string | null;
}

/** Sends one request with full control over headers; token defaults to TOKEN, null sends none. */
export function send(port: number, path: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...opts.headers };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null && !headers.authorization) headers.authorization = `Bearer ${token}`;
  // Node frames DELETE bodies only with an explicit length.
  if (opts.body !== undefined && !headers['transfer-encoding']) headers['content-length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function hasCorsHeader(res: RawResponse): boolean {
  return Object.keys(res.headers).some((h) => h.toLowerCase().startsWith('access-control-'));
}

// A small typed client for the Kubernetes REST API: the dashboard talks to the lab exactly as kubectl
// does (DESIGN.md rule 2). Every non-2xx answer becomes the one error type, ApiError.
import { ApiError } from '../../shared/api/errors';
import type { KubeList, KubeObject, Status, WatchEvent } from '../../shared/api/meta';
import type { Connection } from './connection';
import { withQuery } from './paths';
import { watchOverWebSocket, type WebSocketConstructor } from './watch-socket';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  onEvent(event: WatchEvent): void;
  /** Called once when the watch ends by itself: without an error when the server closed it, with an
   * ApiError for an ERROR event (e.g. 410 Expired) or a failed request. Not called after stop(). */
  onClose(error?: ApiError): void;
}

export type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
}

export interface WatchHandle {
  stop(): void;
}

/** One request as the dashboard sent it: what learning mode shows next to the kubectl equivalent. */
export interface RequestRecord {
  method: string;
  /** Path with its query, relative to the API URL. */
  path: string;
  contentType?: string;
  body?: string;
  /** HTTP status of the answer; undefined when the API could not be reached. */
  status?: number;
}

export type RequestObserver = (record: RequestRecord) => void;

/** Media type of a server-side apply PATCH (kubectl apply --server-side). */
export const APPLY_PATCH_CONTENT_TYPE = 'application/apply-patch+yaml';

function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status';
}

/** The ApiError of a failed response: its Status body when there is one, else the HTTP status line. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (isStatus(body)) return ApiError.fromStatus(body, response.status);
  } catch {
    // Not JSON: fall through to the status line.
  }
  return ApiError.fromStatus({ code: response.status, message: text.trim() || `${response.status} ${response.statusText}` }, response.status);
}

export class ApiClient {
  private readonly fetch: FetchLike;
  /** Told about every request once it is answered (learning mode); never about watch stream events. */
  private readonly observers = new Set<RequestObserver>();

  /** WebSocket for watches (null: HTTP streams only); the browser's by default, when there is one. */
  private readonly webSocket: WebSocketConstructor | null;
  /** Set once a WebSocket watch failed to open where the HTTP stream then worked: stop trying. */
  private webSocketRefused = false;
  /**
   * Set once any WebSocket watch opened: this server serves them, so a later one that fails to open
   * met a network blip (Chromium's net::ERR_NETWORK_CHANGED when Docker adds an interface), not a
   * refusal, and must not switch every later watch to HTTP streams, which hold one of the browser's
   * six connections per origin each.
   */
  private webSocketOpened = false;

  constructor(
    readonly connection: Connection,
    fetchImpl?: FetchLike,
    webSocketImpl?: WebSocketConstructor | null,
  ) {
    this.fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
    this.webSocket = webSocketImpl !== undefined ? webSocketImpl : ((globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? null);
  }

  private headers(): Record<string, string> {
    return { Accept: 'application/json', Authorization: `Bearer ${this.connection.token}` };
  }

  /** Registers a request observer; returns the function that removes it. */
  observe(observer: RequestObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private notify(path: string, init: RequestInit, status: number | undefined): void {
    if (!this.observers.size) return;
    const headers = (init.headers ?? {}) as Record<string, string>;
    const record: RequestRecord = {
      method: init.method ?? 'GET',
      path,
      contentType: headers['Content-Type'],
      body: typeof init.body === 'string' ? init.body : undefined,
      status,
    };
    for (const observer of this.observers) observer(record);
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(`${this.connection.apiUrl}${path}`, { ...init, headers: { ...this.headers(), ...init.headers } });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      this.notify(path, init, undefined);
      throw new ApiError(503, 'ServiceUnavailable', `cannot reach the Bosun API at ${this.connection.apiUrl}: ${(e as Error).message}`);
    }
    this.notify(path, init, response.status);
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  /** POST a new object (kubectl create). */
  async create<T = KubeObject>(path: string, body: unknown): Promise<T> {
    const response = await this.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return (await response.json()) as T;
  }

  /** PUT a whole object; its metadata.resourceVersion makes the write conditional (409 Conflict if stale). */
  async replace<T = KubeObject>(path: string, body: unknown): Promise<T> {
    const response = await this.request(path, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return (await response.json()) as T;
  }

  /** Server-side apply: PATCH with the apply media type; the path carries fieldManager (and force). */
  async apply<T = KubeObject>(path: string, body: unknown): Promise<T> {
    const response = await this.request(path, { method: 'PATCH', headers: { 'Content-Type': APPLY_PATCH_CONTENT_TYPE }, body: JSON.stringify(body) });
    return (await response.json()) as T;
  }

  async get<T = KubeObject>(path: string): Promise<T> {
    return (await (await this.request(path)).json()) as T;
  }

  /** PATCH with the given patch type (merge, strategic merge or JSON patch), as kubectl patch does. */
  async patch<T = KubeObject>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    const response = await this.request(path, {
      method: 'PATCH',
      headers: { 'Content-Type': PATCH_CONTENT_TYPES[type] },
      body: JSON.stringify(body),
    });
    return (await response.json()) as T;
  }

  /** DELETE with DeleteOptions in the body (propagationPolicy, gracePeriodSeconds). */
  async delete<T = KubeObject>(path: string, options: DeleteOptions = {}): Promise<T> {
    const response = await this.request(path, {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...options }),
    });
    return (await response.json()) as T;
  }

  async list<T extends KubeObject = KubeObject>(path: string, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.get<KubeList<T>>(withQuery(path, { ...options }));
  }

  /**
   * Watch events from `resourceVersion` until stopped or closed: over a WebSocket when the environment
   * has one (browsers: no HTTP connection held per watch), else — or when the upgrade fails — over the
   * HTTP stream (one JSON object per line), which also reports why a refused watch was refused.
   */
  watch(path: string, options: WatchOptions): WatchHandle {
    const url = withQuery(path, {
      watch: 1,
      allowWatchBookmarks: true,
      resourceVersion: options.resourceVersion,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
    if (!this.webSocket || this.webSocketRefused) return this.watchStream(url, options);
    let current: WatchHandle = {
      stop: watchOverWebSocket(this.webSocket, `${this.connection.apiUrl}${url}`, this.connection.token, {
        onEvent: (event) => options.onEvent(event),
        onClose: (error) => options.onClose(error),
        onOpen: () => {
          this.webSocketOpened = true;
        },
        onUnavailable: () => {
          current = this.watchStream(url, options, () => {
            if (!this.webSocketOpened) this.webSocketRefused = true;
          });
        },
      }),
    };
    return { stop: () => current.stop() };
  }

  private watchStream(url: string, options: WatchOptions, onEstablished?: () => void): WatchHandle {
    const abort = new AbortController();
    let stopped = false;
    const close = (error?: ApiError): void => {
      if (stopped) return;
      stopped = true;
      options.onClose(error);
    };
    void (async () => {
      const response = await this.request(url, { signal: abort.signal });
      onEstablished?.();
      if (!response.body) throw new ApiError(500, 'InternalError', 'watch response has no body');
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (!line || stopped) continue;
          const event = JSON.parse(line) as WatchEvent;
          if (event.type === 'ERROR') {
            close(ApiError.fromStatus(event.object as unknown as Status));
            abort.abort();
            return;
          }
          options.onEvent(event);
        }
      }
      close();
    })().catch((e: unknown) => {
      if (stopped || (e as Error).name === 'AbortError') return;
      close(e instanceof ApiError ? e : new ApiError(500, 'InternalError', `watch failed: ${(e as Error).message}`));
    });
    return {
      stop: () => {
        stopped = true;
        abort.abort();
      },
    };
  }
}

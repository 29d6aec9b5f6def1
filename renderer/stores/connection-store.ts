// Where the dashboard is connected: find the connection (Electron bridge or the token in the URL
// fragment), read /version, and keep the one ApiClient every resource store uses. Transient failures
// of that first contact are retried for a while (CONNECT_RETRY_MS) before the card shows an error.
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { isApiError } from '../../shared/api/errors';
import { ApiClient } from '../api/client';
import { forgetToken, resolveConnection, type ConnectionEnvironment, type KeyValueStorage } from '../api/connection';

/**
 * How long the first connect keeps trying a transient failure before it shows the error. Chromium
 * cancels requests in flight with net::ERR_NETWORK_CHANGED ("Failed to fetch") whenever a network
 * interface changes, and Docker adds one for every container it starts; a lab that is still starting
 * answers 503. Either clears within seconds, so the page should not need a reload.
 */
export const CONNECT_RETRY_MS = 15_000;
const CONNECT_INITIAL_BACKOFF_MS = 250;
const CONNECT_MAX_BACKOFF_MS = 2000;

/** Worth another try: unreachable (the client's 503 for a failed fetch) or momentarily unable (5xx, 429). A 401 or 403 is an answer. */
export function isTransientConnectError(e: unknown): boolean {
  return isApiError(e) && (e.code >= 500 || e.code === 429);
}

export type ConnectionState = 'connecting' | 'connected' | 'noToken' | 'unauthorized' | 'error';

export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>('connecting');
  const apiUrl = ref('');
  const version = ref('');
  const error = ref('');
  /** Milliseconds from page start to the first successful /version: the Overview's "ready in". */
  const readyInMs = ref<number | undefined>();
  const client = shallowRef<ApiClient | undefined>();
  /** While the first connect retries a transient failure: that failure's message ('' otherwise). */
  const retrying = ref('');

  function fail(env: ConnectionEnvironment, e: unknown): void {
    if (isApiError(e) && e.code === 401) {
      forgetToken(env);
      state.value = 'unauthorized';
    } else {
      state.value = 'error';
    }
    error.value = e instanceof Error ? e.message : String(e);
  }

  /** Bumped by every connect(), so a retry loop that a newer connect() replaced stops. */
  let attempt = 0;

  async function connect(env: ConnectionEnvironment): Promise<void> {
    const current = ++attempt;
    state.value = 'connecting';
    error.value = '';
    retrying.value = '';
    if (!env.bosun) apiUrl.value = env.location.origin;
    const deadline = Date.now() + CONNECT_RETRY_MS;
    for (let failures = 0; ; failures++) {
      try {
        const connection = await resolveConnection(env);
        if (current !== attempt) return;
        if (!connection) {
          state.value = 'noToken';
          return;
        }
        apiUrl.value = connection.apiUrl;
        const api = markRaw(new ApiClient(connection));
        version.value = (await api.get<{ gitVersion?: string }>('/version')).gitVersion ?? '';
        // /version is public in Kubernetes; a one-item list proves the token is accepted.
        await api.list('/api/v1/namespaces', { limit: 1 });
        if (current !== attempt) return;
        client.value = api;
        readyInMs.value ??= Math.round(typeof performance === 'undefined' ? 0 : performance.now());
        retrying.value = '';
        state.value = 'connected';
        return;
      } catch (e) {
        if (current !== attempt) return;
        const delay = Math.min(CONNECT_MAX_BACKOFF_MS, CONNECT_INITIAL_BACKOFF_MS * 2 ** failures);
        if (!isTransientConnectError(e) || Date.now() + delay > deadline) {
          retrying.value = '';
          fail(env, e);
          return;
        }
        // Still "connecting": the card says why it is taking a moment.
        retrying.value = e instanceof Error ? e.message : String(e);
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (current !== attempt) return;
      }
    }
  }

  /** A watch or request was refused later (the lab restarted with a new token): say so once. */
  function refused(e: unknown): void {
    if (state.value !== 'connected' || !isApiError(e) || e.code !== 401) return;
    const sessionStorage = (globalThis as { sessionStorage?: KeyValueStorage }).sessionStorage;
    if (sessionStorage) forgetToken({ sessionStorage });
    client.value = undefined;
    state.value = 'unauthorized';
    error.value = e.message;
  }

  return { state, apiUrl, version, error, retrying, client, readyInMs, connect, refused };
});

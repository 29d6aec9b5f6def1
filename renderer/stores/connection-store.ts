// Where the dashboard is connected: find the connection (Electron bridge or the token in the URL
// fragment), read /version, and keep the one ApiClient every resource store uses.
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { isApiError } from '../../shared/api/errors';
import { ApiClient } from '../api/client';
import { forgetToken, resolveConnection, type ConnectionEnvironment, type KeyValueStorage } from '../api/connection';

export type ConnectionState = 'connecting' | 'connected' | 'noToken' | 'unauthorized' | 'error';

export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>('connecting');
  const apiUrl = ref('');
  const version = ref('');
  const error = ref('');
  /** Milliseconds from page start to the first successful /version: the Overview's "ready in". */
  const readyInMs = ref<number | undefined>();
  const client = shallowRef<ApiClient | undefined>();

  function fail(env: ConnectionEnvironment, e: unknown): void {
    if (isApiError(e) && e.code === 401) {
      forgetToken(env);
      state.value = 'unauthorized';
    } else {
      state.value = 'error';
    }
    error.value = e instanceof Error ? e.message : String(e);
  }

  async function connect(env: ConnectionEnvironment): Promise<void> {
    state.value = 'connecting';
    error.value = '';
    if (!env.bosun) apiUrl.value = env.location.origin;
    try {
      const connection = await resolveConnection(env);
      if (!connection) {
        state.value = 'noToken';
        return;
      }
      apiUrl.value = connection.apiUrl;
      const api = markRaw(new ApiClient(connection));
      version.value = (await api.get<{ gitVersion?: string }>('/version')).gitVersion ?? '';
      // /version is public in Kubernetes; a one-item list proves the token is accepted.
      await api.list('/api/v1/namespaces', { limit: 1 });
      client.value = api;
      readyInMs.value ??= Math.round(typeof performance === 'undefined' ? 0 : performance.now());
      state.value = 'connected';
    } catch (e) {
      fail(env, e);
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

  return { state, apiUrl, version, error, client, readyInMs, connect, refused };
});

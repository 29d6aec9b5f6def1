// The placeholder page's logic: find the connection, read /version, then list + watch namespaces the
// way an informer does (list, then watch from the list's resourceVersion; relist when the watch ends).
import { onBeforeUnmount, ref, shallowRef } from 'vue';
import { isApiError, type ApiError } from '../../shared/api/errors';
import type { Namespace } from '../../shared/api/namespace';
import { ApiClient, type WatchHandle } from '../api/client';
import { forgetToken, resolveConnection, type ConnectionEnvironment } from '../api/connection';
import { resourcePath } from '../api/paths';

export type ConnectionState = 'connecting' | 'connected' | 'noToken' | 'unauthorized' | 'error';

interface VersionInfo {
  gitVersion?: string;
}

const NAMESPACES = resourcePath({ group: '', version: 'v1', resource: 'namespaces' });
const RELIST_DELAY_MS = 1000;

export function useLabOverview(env: ConnectionEnvironment) {
  const state = ref<ConnectionState>('connecting');
  const apiUrl = ref('');
  const version = ref('');
  const error = ref('');
  const namespaces = shallowRef<Namespace[]>([]);
  let watch: WatchHandle | undefined;
  let relistTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function fail(e: unknown): void {
    if (isApiError(e) && e.code === 401) {
      forgetToken(env);
      state.value = 'unauthorized';
    } else {
      state.value = 'error';
    }
    error.value = e instanceof Error ? e.message : String(e);
  }

  function upsert(ns: Namespace): void {
    const rest = namespaces.value.filter((n) => n.metadata.name !== ns.metadata.name);
    namespaces.value = [...rest, ns].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  async function listAndWatch(client: ApiClient): Promise<void> {
    const list = await client.list<Namespace>(NAMESPACES);
    namespaces.value = [...list.items].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    watch = client.watch(NAMESPACES, {
      resourceVersion: list.metadata.resourceVersion,
      onEvent: (event) => {
        const ns = event.object as Namespace;
        if (event.type === 'ADDED' || event.type === 'MODIFIED') upsert(ns);
        else if (event.type === 'DELETED') namespaces.value = namespaces.value.filter((n) => n.metadata.name !== ns.metadata.name);
      },
      onClose: (e?: ApiError) => {
        watch = undefined;
        if (disposed) return;
        if (e && e.code === 401) return fail(e);
        // Expired (410) or a closed stream: relist from scratch, as client-go's reflector does.
        relistTimer = setTimeout(() => void listAndWatch(client).catch(fail), RELIST_DELAY_MS);
      },
    });
  }

  async function connect(): Promise<void> {
    watch?.stop();
    clearTimeout(relistTimer);
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
      const client = new ApiClient(connection);
      version.value = (await client.get<VersionInfo>('/version')).gitVersion ?? '';
      await listAndWatch(client);
      state.value = 'connected';
    } catch (e) {
      fail(e);
    }
  }

  onBeforeUnmount(() => {
    disposed = true;
    watch?.stop();
    clearTimeout(relistTimer);
  });

  return { state, apiUrl, version, error, namespaces, connect };
}

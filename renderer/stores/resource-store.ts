// One Pinia setup store per kind + namespace (+ field selector): list + watch through a Reflector,
// shared by every component that shows that collection.
// Views use the cluster-wide collection of a kind and filter by namespace in memory: one watch per
// kind, shared by every screen. (Watches run over WebSocket, api/watch-socket.ts, so they do not use
// up the six HTTP/1.1 connections a browser allows per origin; the HTTP-stream fallback would.)
//
// shared by every component that shows that collection. Components acquire it through
// useResourceCollection (below), which reference-counts: the watch starts with the first user and
// stops a little after the last one leaves (so a list → detail → list round trip does not re-list).
import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef, triggerRef, watch, type Ref } from 'vue';
import type { ApiError } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import { resourcePath } from '../api/paths';
import { useConnectionStore } from './connection-store';
import { Reflector } from './reflector';

export interface ResourceType {
  group: string;
  version: string;
  /** Plural resource name, e.g. "pods". */
  resource: string;
  namespaced: boolean;
}

export interface CollectionScope {
  /** Undefined or '' for all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  fieldSelector?: string;
}

/** How long an unused collection keeps watching before it stops. */
export const LINGER_MS = 500;

export function storeId(type: ResourceType, scope: CollectionScope = {}): string {
  const ns = type.namespaced && scope.namespace ? scope.namespace : '*';
  const fs = scope.fieldSelector ? `?${scope.fieldSelector}` : '';
  return `resource:${type.group}/${type.version}/${type.resource}@${ns}${fs}`;
}

function defineResourceStore<T extends KubeObject>(type: ResourceType, scope: CollectionScope) {
  return defineStore(storeId(type, scope), () => {
    const connection = useConnectionStore();
    /** Held objects by uid; replaced in place and announced with triggerRef once per batch. */
    const byUid = shallowRef(new Map<string, T>());
    const items = computed(() => [...byUid.value.values()]);
    const loaded = ref(false);
    const error = ref<ApiError | undefined>();
    const users = ref(0);
    let reflector: Reflector | undefined;
    let lingerTimer: ReturnType<typeof setTimeout> | undefined;

    function start(): void {
      const client = connection.client;
      if (!client || reflector?.running) return;
      const path = resourcePath({
        group: type.group,
        version: type.version,
        resource: type.resource,
        namespace: type.namespaced ? scope.namespace || undefined : undefined,
      });
      reflector = new Reflector(client, {
        path,
        fieldSelector: scope.fieldSelector,
        onChange: (objects) => {
          byUid.value = objects as Map<string, T>;
          triggerRef(byUid);
          loaded.value = true;
        },
        onError: (e) => {
          error.value = e;
          if (e?.code === 401) connection.refused(e);
        },
      });
      reflector.start();
    }

    function acquire(): void {
      users.value++;
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
      start();
    }

    function release(): void {
      users.value = Math.max(0, users.value - 1);
      if (users.value > 0) return;
      clearTimeout(lingerTimer);
      lingerTimer = setTimeout(() => {
        if (users.value > 0) return;
        reflector?.stop();
        reflector = undefined;
      }, LINGER_MS);
    }

    function get(uid: string): T | undefined {
      return byUid.value.get(uid);
    }

    /** True while the watch runs: for tests and the connection indicator. */
    const watching = (): boolean => reflector?.running ?? false;

    return { byUid, items, loaded, error, users, acquire, release, get, watching };
  });
}

export type ResourceStore<T extends KubeObject = KubeObject> = ReturnType<ReturnType<typeof defineResourceStore<T>>>;

const definitions = new Map<string, ReturnType<typeof defineResourceStore>>();

/** The shared store of one collection (not acquired: use useResourceCollection in components). */
export function useResourceStore<T extends KubeObject = KubeObject>(type: ResourceType, scope: CollectionScope = {}): ResourceStore<T> {
  const id = storeId(type, scope);
  let definition = definitions.get(id);
  if (!definition) {
    definition = defineResourceStore(type, scope);
    definitions.set(id, definition);
  }
  return definition() as unknown as ResourceStore<T>;
}

/**
 * The live collection for a component: follows a reactive scope (e.g. the namespace picker), keeps
 * exactly one acquisition at a time and releases it when the component's scope ends.
 */
export function useResourceCollection<T extends KubeObject = KubeObject>(type: ResourceType, scope: Ref<CollectionScope | undefined> | (() => CollectionScope | undefined)) {
  const current = shallowRef<ResourceStore<T> | undefined>();
  const connection = useConnectionStore();
  const stopWatching = watch(
    [() => storeId(type, (typeof scope === 'function' ? scope() : scope.value) ?? {}), () => (typeof scope === 'function' ? scope() : scope.value) !== undefined, () => connection.client],
    () => {
      const value = typeof scope === 'function' ? scope() : scope.value;
      const next = value && connection.client ? useResourceStore<T>(type, value) : undefined;
      if (next === current.value) return;
      current.value?.release();
      next?.acquire();
      current.value = next;
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    stopWatching();
    current.value?.release();
    current.value = undefined;
  });
  return {
    store: current,
    items: computed<T[]>(() => current.value?.items ?? []),
    loaded: computed(() => current.value?.loaded ?? false),
    error: computed(() => current.value?.error),
  };
}


// The pod's PodProbes (lab.bosun.dev/v1alpha1, served from the kubelet's prober). It is a virtual kind
// without watch, so it is re-read on a timer while something on the page shows it — one timer per pod,
// shared by every panel showing it (the probes panel and the "why" panel read the same snapshot).
import { computed, onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import type { ApiError } from '../../shared/api/errors';
import { isNotFound } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import type { ApiClient } from '../api/client';
import { resourcePath } from '../api/paths';
import { useConnectionStore } from '../stores/connection-store';
import type { PodProbesContainer } from './pod-diagnosis-probes';

const REFRESH_MS = 3000;

interface Poll {
  containers: Ref<PodProbesContainer[]>;
  loaded: Ref<boolean>;
  error: Ref<ApiError | undefined>;
  users: number;
  timer?: ReturnType<typeof setTimeout>;
  stopped: boolean;
}

const polls = new Map<string, Poll>();

function acquire(key: string, client: ApiClient, namespace: string | undefined, name: string | undefined): Poll {
  const existing = polls.get(key);
  if (existing) {
    existing.users++;
    return existing;
  }
  const poll: Poll = { containers: ref([]), loaded: ref(false), error: ref(), users: 1, stopped: false };
  const path = resourcePath({ group: 'lab.bosun.dev', version: 'v1alpha1', resource: 'podprobes', namespace, name });
  const refresh = async (): Promise<void> => {
    try {
      const probes = await client.get<{ status?: { containers?: PodProbesContainer[] } }>(path);
      poll.containers.value = probes.status?.containers ?? [];
      poll.error.value = undefined;
    } catch (e) {
      // Not found until the pod runs on a kubelet: "no results yet", not a failure.
      if (isNotFound(e)) poll.containers.value = [];
      else poll.error.value = e as ApiError;
    }
    poll.loaded.value = true;
    if (!poll.stopped) poll.timer = setTimeout(() => void refresh(), REFRESH_MS);
  };
  polls.set(key, poll);
  void refresh();
  return poll;
}

function release(key: string, poll: Poll): void {
  if (--poll.users > 0) return;
  poll.stopped = true;
  clearTimeout(poll.timer);
  polls.delete(key);
}

export function usePodProbes(pod: Ref<Pod>) {
  const connection = useConnectionStore();
  const current = shallowRef<{ key: string; poll: Poll }>();
  const declared = () => [...(pod.value.spec?.initContainers ?? []), ...(pod.value.spec?.containers ?? [])].some((c) => c.livenessProbe || c.readinessProbe || c.startupProbe);
  const drop = (): void => {
    if (current.value) release(current.value.key, current.value.poll);
    current.value = undefined;
  };

  const stopWatch = watch(
    () => `${pod.value.metadata.namespace}/${pod.value.metadata.name}/${pod.value.metadata.uid}:${declared()}`,
    (key) => {
      drop();
      const client = connection.client;
      if (!declared() || !client) return;
      current.value = { key, poll: acquire(key, client, pod.value.metadata.namespace, pod.value.metadata.name) };
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    stopWatch();
    drop();
  });
  return {
    containers: computed(() => current.value?.poll.containers.value ?? []),
    // Without probes there is nothing to load: "loaded" at once.
    loaded: computed(() => (current.value ? current.value.poll.loaded.value : !declared())),
    error: computed(() => current.value?.poll.error.value),
  };
}

// The pod's PodProbes (lab.bosun.dev/v1alpha1, served from the kubelet's prober). It is a virtual kind
// without watch, so it is re-read on a timer while something on the page shows it.
import { onScopeDispose, ref, watch, type Ref } from 'vue';
import type { ApiError } from '../../shared/api/errors';
import { isNotFound } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import { resourcePath } from '../api/paths';
import { useConnectionStore } from '../stores/connection-store';
import type { PodProbesContainer } from './pod-diagnosis-probes';

const REFRESH_MS = 3000;

export function usePodProbes(pod: Ref<Pod>) {
  const connection = useConnectionStore();
  const containers = ref<PodProbesContainer[]>([]);
  const loaded = ref(false);
  const error = ref<ApiError | undefined>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const declared = () => [...(pod.value.spec?.initContainers ?? []), ...(pod.value.spec?.containers ?? [])].some((c) => c.livenessProbe || c.readinessProbe || c.startupProbe);

  async function refresh(): Promise<void> {
    const client = connection.client;
    if (!client || stopped) return;
    const { namespace, name } = pod.value.metadata;
    try {
      const probes = await client.get<{ status?: { containers?: PodProbesContainer[] } }>(resourcePath({ group: 'lab.bosun.dev', version: 'v1alpha1', resource: 'podprobes', namespace, name }));
      containers.value = probes.status?.containers ?? [];
      error.value = undefined;
    } catch (e) {
      // Not found until the pod runs on a kubelet: "no results yet", not a failure.
      if (isNotFound(e)) containers.value = [];
      else error.value = e as ApiError;
    }
    loaded.value = true;
    if (!stopped) timer = setTimeout(() => void refresh(), REFRESH_MS);
  }

  const stopWatch = watch(
    () => `${pod.value.metadata.uid}:${declared()}`,
    () => {
      clearTimeout(timer);
      containers.value = [];
      if (declared()) void refresh();
      else loaded.value = true;
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    stopped = true;
    stopWatch();
    clearTimeout(timer);
  });
  return { containers, loaded, error };
}

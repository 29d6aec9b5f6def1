// The overview's lab numbers, from the ConfigMap kube-system/bosun-lab-timing the lab keeps current
// (main/lab-stats.ts annotations: ready-ms, memory-rss-bytes; data: the timer table "4s (Kubernetes: 50s)").
// Read through the shared ConfigMaps watch: no polling from the page.
import { computed } from 'vue';
import type { KubeObject } from '../../shared/api/meta';
import { useResourceCollection } from '../stores/resource-store';

export const READY_MS_ANNOTATION = 'lab.bosun.dev/ready-ms';
export const MEMORY_RSS_ANNOTATION = 'lab.bosun.dev/memory-rss-bytes';
export const MEMORY_SAMPLED_AT_ANNOTATION = 'lab.bosun.dev/memory-sampled-at';

export interface LabTimer {
  key: string;
  lab: string;
  kubernetes?: string;
}

export interface LabStats {
  readyMs?: number;
  rssMb?: number;
  sampledAt?: string;
  timeScale?: number;
  /** Every scaled timer with Kubernetes' own value, for the time-scale tooltip. */
  timers: LabTimer[];
}

const int = (s: string | undefined) => {
  const n = s === undefined ? NaN : Number(s);
  return Number.isFinite(n) ? n : undefined;
};

export function parseLabStats(cm: (KubeObject & { data?: Record<string, string> }) | undefined): LabStats {
  const a = cm?.metadata.annotations ?? {};
  const rss = int(a[MEMORY_RSS_ANNOTATION]);
  const timers = Object.entries(cm?.data ?? {})
    .filter(([k]) => k !== 'timeScale')
    .map(([key, text]) => {
      const m = /^(.*?) \(Kubernetes: (.*)\)$/.exec(text);
      return m ? { key, lab: m[1], kubernetes: m[2] } : { key, lab: text };
    });
  return {
    readyMs: int(a[READY_MS_ANNOTATION]),
    rssMb: rss === undefined ? undefined : Math.round(rss / 1048576),
    sampledAt: a[MEMORY_SAMPLED_AT_ANNOTATION],
    timeScale: int(cm?.data?.timeScale?.split(' ')[0]),
    timers,
  };
}

const configMaps = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };

export function useLabStats() {
  const list = useResourceCollection(configMaps, () => ({}));
  return computed(() =>
    parseLabStats(list.items.value.find((c: KubeObject) => c.metadata.name === 'bosun-lab-timing' && c.metadata.namespace === 'kube-system') as (KubeObject & { data?: Record<string, string> }) | undefined),
  );
}

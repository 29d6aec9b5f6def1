// The lab's runtime status from the ConfigMap kube-system/bosun-lab-status (main/lab-status.ts writes
// it): whether the Docker engine answers, where, and what to do. Read through the shared ConfigMaps
// watch, so the banner appears and disappears as the lab's status changes.
import { computed } from 'vue';
import type { KubeObject } from '../../shared/api/meta';
import type { DesktopSettingsBridge } from '../../shared/desktop';
import { useResourceCollection } from '../stores/resource-store';

export const LAB_STATUS_NAMESPACE = 'kube-system';
export const LAB_STATUS_NAME = 'bosun-lab-status';

export interface LabRuntimeView {
  reachable: boolean;
  /** The engine address without the unix:// scheme (the socket path people recognise). */
  endpoint: string;
  error?: string;
}

export function parseLabStatus(data: Record<string, string> | undefined): LabRuntimeView | undefined {
  if (!data?.runtimeReachable) return undefined;
  return {
    reachable: data.runtimeReachable === 'true',
    endpoint: (data.runtimeEndpoint ?? '').replace(/^unix:\/\//, ''),
    ...(data.runtimeError ? { error: data.runtimeError } : {}),
  };
}

const configMaps = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };

export function useLabRuntimeStatus() {
  const list = useResourceCollection(configMaps, () => ({}));
  return computed(() => {
    const cm = list.items.value.find((c: KubeObject) => c.metadata.name === LAB_STATUS_NAME && c.metadata.namespace === LAB_STATUS_NAMESPACE) as
      | (KubeObject & { data?: Record<string, string> })
      | undefined;
    return parseLabStatus(cm?.data);
  });
}

/** The desktop app's settings bridge (main/app/preload.ts); undefined in a plain browser (bosun serve). */
export function desktopSettingsBridge(win: { bosun?: unknown }): DesktopSettingsBridge | undefined {
  const settings = (win.bosun as { settings?: DesktopSettingsBridge } | undefined)?.settings;
  return settings && typeof settings.get === 'function' ? settings : undefined;
}

// Writes pod statuses through pods/status, only when they changed, re-reading on conflict (the
// kubelet's status manager). The newest object the kubelet knows is used first; a 409 means someone
// else (scheduler, a controller adding DisruptionTarget) wrote meanwhile, so their conditions are kept.
import { isConflict, isNotFound } from '../../shared/api/errors';
import type { Pod, PodStatus } from '../../shared/api/pod';
import type { KubeClient } from '../client/client';
import { KUBELET_CONDITIONS } from './pod-status';

/** Status equality that ignores key order and the object identity of arrays. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export const sameStatus = (a: PodStatus | undefined, b: PodStatus | undefined): boolean => canonical(a ?? {}) === canonical(b ?? {});

// Keeps no per-pod state: the informer's pod (the stored object) is what was last written, so a copy of
// every pod's status here cost 2.5 KB a pod at 10,000 simulated pods for nothing anybody read.
export class StatusManager {
  constructor(private readonly client: KubeClient) {}

  /**
   * Writes `status` for `pod` unless it already holds it. Returns the stored pod, or undefined when the
   * pod is gone or was replaced by another with the same name (uid changed).
   */
  async setStatus(pod: Pod, status: PodStatus): Promise<Pod | undefined> {
    const uid = pod.metadata.uid ?? '';
    let current: Pod = pod;
    for (let attempt = 0; attempt < 8; attempt++) {
      const merged = mergeStatus(current.status, status);
      if (sameStatus(current.status, merged)) return current;
      try {
        return await this.client.pods<Pod>().updateStatus(current.metadata.namespace, { ...current, status: merged }, { fieldManager: 'kubelet' });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        if (!isConflict(e)) throw e;
      }
      try {
        current = await this.client.pods<Pod>().get(pod.metadata.namespace, pod.metadata.name ?? '');
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
      if (current.metadata.uid !== uid) return undefined;
    }
    throw new Error(`kubelet: could not write the status of pod ${pod.metadata.namespace}/${pod.metadata.name}: too many conflicts`);
  }
}

/** The kubelet's status over the stored one, keeping conditions the kubelet does not own. */
export function mergeStatus(stored: PodStatus | undefined, mine: PodStatus): PodStatus {
  const others = (stored?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.includes(c.type));
  const own = (mine.conditions ?? []).filter((c) => KUBELET_CONDITIONS.includes(c.type));
  const merged: PodStatus = { ...stored, ...mine, conditions: [...own, ...others] };
  // A terminal phase written by anyone is final (the kubelet never resurrects a finished pod).
  if (stored?.phase === 'Succeeded' || stored?.phase === 'Failed') merged.phase = stored.phase;
  return merged;
}

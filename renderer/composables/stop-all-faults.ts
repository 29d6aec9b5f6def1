// "Stop all faults" the Kubernetes way: one deletecollection per fault kind. NodeFaults are cluster-
// scoped (one DELETE on the collection); for the namespaced kinds kube-apiserver offers deletecollection
// only per namespace, so each namespace that has faults gets one. Every deletion reverts first (the
// fault's finalizer), so once the objects are gone, everything is undone.
import { FAULT_RESOURCES, type FaultKind } from '../../shared/api/chaos';
import type { KubeObject } from '../../shared/api/meta';
import type { ApiClient } from '../api/client';
import { faultCollectionPath } from './fault-forms';

export const FAULT_KINDS: readonly FaultKind[] = ['NodeFault', 'PodFault', 'ServiceFault'];

export interface StopAllResult {
  /** Objects each kind's deletecollection answered with (deleted or now deleting). */
  deleted: Record<FaultKind, number>;
  errors: string[];
}

export async function stopAllFaults(client: ApiClient): Promise<StopAllResult> {
  const result: StopAllResult = { deleted: { NodeFault: 0, PodFault: 0, ServiceFault: 0 }, errors: [] };
  for (const kind of FAULT_KINDS) {
    try {
      // A fresh list rather than the watch cache: a fault created a moment ago must not escape.
      const all = await client.list(faultCollectionPath(kind));
      const namespaces = kind === 'NodeFault' ? [undefined] : [...new Set(all.items.map((f) => f.metadata.namespace))].sort();
      for (const ns of namespaces) {
        const answer = await client.delete<{ items?: KubeObject[] }>(faultCollectionPath(kind, ns));
        result.deleted[kind] += answer.items?.length ?? 0;
      }
    } catch (e) {
      result.errors.push(`${FAULT_RESOURCES[kind]}: ${(e as Error).message}`);
    }
  }
  return result;
}

export const STOP_ALL_COMMAND = 'kubectl delete nodefaults,podfaults,servicefaults --all -A';

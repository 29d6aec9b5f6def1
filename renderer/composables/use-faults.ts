// The live fault objects of the three kinds (one shared watch per kind), for the Chaos screen, the
// overview's active-faults panel and the node pages.
import { computed } from 'vue';
import type { AnyFault, FaultKind, NodeFault, PodFault, ServiceFault } from '../../shared/api/chaos';
import { faultInForce, nodeFaultTargets } from '../resources/faults-format';
import { nodefaults } from '../resources/nodefaults';
import { podfaults } from '../resources/podfaults';
import { servicefaults } from '../resources/servicefaults';
import type { ResourceDescriptor } from '../resources/types';
import { useResourceCollection } from '../stores/resource-store';

export const FAULT_DESCRIPTORS: Record<FaultKind, ResourceDescriptor> = { NodeFault: nodefaults, PodFault: podfaults, ServiceFault: servicefaults };

export function useFaults() {
  const node = useResourceCollection<NodeFault>(nodefaults, () => ({}));
  const pod = useResourceCollection<PodFault>(podfaults, () => ({}));
  const service = useResourceCollection<ServiceFault>(servicefaults, () => ({}));
  const byKind = computed<Record<FaultKind, AnyFault[]>>(() => ({ NodeFault: node.items.value, PodFault: pod.items.value, ServiceFault: service.items.value }));
  const inForce = computed(() =>
    (['NodeFault', 'PodFault', 'ServiceFault'] as FaultKind[]).flatMap((kind) => byKind.value[kind].filter(faultInForce).map((fault) => ({ kind, fault }))),
  );
  return {
    byKind,
    inForce,
    /** Every fault object of every kind (history included). */
    total: computed(() => node.items.value.length + pod.items.value.length + service.items.value.length),
    loaded: computed(() => node.loaded.value && pod.loaded.value && service.loaded.value),
    error: computed(() => node.error.value ?? pod.error.value ?? service.error.value),
    /** NodeFaults in force on a node. */
    onNode: (name: string) => node.items.value.filter((f) => faultInForce(f) && nodeFaultTargets(f, name)),
  };
}

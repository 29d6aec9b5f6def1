// The Overview's data: nodes with their pods (the "where does my pod run" picture), requests per
// node, recent events and counts — all from shared watches, nothing polled.
import { computed, type Ref } from 'vue';
import type { Event } from '../../shared/api/event';
import type { Node } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';
import { events, lastSeen } from '../resources/k8s-events';
import { timeOrZero } from '../resources/format';
import { nodes } from '../resources/nodes';
import { pods } from '../resources/pods';
import { useResourceCollection } from '../stores/resource-store';
import { allocatable, usageByNode, type Usage } from './node-usage';

export const RECENT_EVENTS = 20;

export interface NodeColumn {
  node: Node;
  pods: Pod[];
  used: Usage;
  allocatable: Usage;
}

// Natural order, so node-2 comes before node-10.
const byName = (a: { metadata: { name?: string } }, b: { metadata: { name?: string } }) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', undefined, { numeric: true });

/** Groups pods by node (all namespaces for usage; chips only for the selected namespace). */
export function nodeColumns(nodeList: readonly Node[], podList: readonly Pod[], namespace: string): { columns: NodeColumn[]; unscheduled: Pod[] } {
  const usage = usageByNode(podList);
  const shown = new Map<string, Pod[]>();
  const unscheduled: Pod[] = [];
  for (const pod of podList) {
    if (namespace && pod.metadata.namespace !== namespace) continue;
    const node = pod.spec?.nodeName;
    if (!node) {
      unscheduled.push(pod);
      continue;
    }
    const list = shown.get(node) ?? [];
    list.push(pod);
    shown.set(node, list);
  }
  const columns = [...nodeList].sort(byName).map((node) => ({
    node,
    pods: (shown.get(node.metadata.name ?? '') ?? []).sort(byName),
    used: usage.get(node.metadata.name ?? '') ?? { cpu: 0, memory: 0, pods: 0 },
    allocatable: allocatable(node),
  }));
  return { columns, unscheduled: unscheduled.sort(byName) };
}

export function useOverview(namespace: Ref<string>) {
  const nodeList = useResourceCollection<Node>(nodes, () => ({}));
  const podList = useResourceCollection<Pod>(pods, () => ({}));
  const eventList = useResourceCollection<Event>(events, () => ({}));

  const grouped = computed(() => nodeColumns(nodeList.items.value, podList.items.value, namespace.value));
  const recentEvents = computed(() =>
    eventList.items.value.filter((e) => !namespace.value || e.metadata.namespace === namespace.value).sort((a, b) => timeOrZero(lastSeen(b)) - timeOrZero(lastSeen(a))).slice(0, RECENT_EVENTS),
  );
  const counts = computed(() => {
    const podsInScope = podList.items.value.filter((p) => !namespace.value || p.metadata.namespace === namespace.value);
    return {
      nodes: nodeList.items.value.length,
      nodesReady: nodeList.items.value.filter((n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length,
      pods: podsInScope.length,
      podsRunning: podsInScope.filter((p) => p.status?.phase === 'Running').length,
      warnings: eventList.items.value.filter((e) => e.type === 'Warning' && (!namespace.value || e.metadata.namespace === namespace.value)).length,
    };
  });
  return {
    columns: computed(() => grouped.value.columns),
    unscheduled: computed(() => grouped.value.unscheduled),
    recentEvents,
    counts,
    loaded: computed(() => nodeList.loaded.value && podList.loaded.value),
    error: computed(() => nodeList.error.value ?? podList.error.value),
  };
}

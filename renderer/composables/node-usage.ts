// Requests placed on each node, as the scheduler's NodeResourcesFit counts them: per pod the larger
// of the sum of its containers and its biggest init container, over pods that are not finished.
import type { Node } from '../../shared/api/node';
import type { Container, Pod } from '../../shared/api/pod';
import { milliValue, quantityValue } from '../../shared/api/quantity';

export interface Usage {
  /** CPU in millicores, memory in bytes, pods as a count. */
  cpu: number;
  memory: number;
  pods: number;
}

const requestOf = (c: Container, name: 'cpu' | 'memory'): number => {
  const q = c.resources?.requests?.[name];
  if (!q) return 0;
  return name === 'cpu' ? milliValue(q) : quantityValue(q);
};

export function podRequests(pod: Pod): Usage {
  const sum = (name: 'cpu' | 'memory') => {
    const main = (pod.spec?.containers ?? []).reduce((n, c) => n + requestOf(c, name), 0);
    const init = Math.max(0, ...(pod.spec?.initContainers ?? []).map((c) => requestOf(c, name)));
    return Math.max(main, init);
  };
  return { cpu: sum('cpu'), memory: sum('memory'), pods: 1 };
}

export const isFinished = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export function usageByNode(pods: readonly Pod[]): Map<string, Usage> {
  const out = new Map<string, Usage>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node || isFinished(pod)) continue;
    const r = podRequests(pod);
    const u = out.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
    u.cpu += r.cpu;
    u.memory += r.memory;
    u.pods += 1;
    out.set(node, u);
  }
  return out;
}

export function allocatable(node: Node): Usage {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    cpu: a.cpu ? milliValue(a.cpu) : 0,
    memory: a.memory ? quantityValue(a.memory) : 0,
    pods: a.pods ? quantityValue(a.pods) : 0,
  };
}

export function percent(used: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
}

export function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export function formatMemory(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}

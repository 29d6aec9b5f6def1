import { describe, expect, it } from 'vitest';
import type { Node } from '../../../../shared/api/node';
import type { Pod } from '../../../../shared/api/pod';
import { formatCpu, formatMemory, podRequests } from '../../../../renderer/composables/node-usage';
import { nodeColumns } from '../../../../renderer/composables/use-overview';

const node = (name: string): Node => ({ metadata: { name, uid: name }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
const pod = (name: string, ns: string, nodeName: string | undefined, cpu: string, phase = 'Running'): Pod =>
  ({
    metadata: { name, namespace: ns, uid: `${ns}/${name}` },
    spec: { nodeName, containers: [{ name: 'c', image: 'i', resources: { requests: { cpu, memory: '128Mi' } } }] },
    status: { phase },
  }) as Pod;

describe('overview node columns', () => {
  it('puts each pod under its node, counts requests of every namespace, and keeps unscheduled pods apart', () => {
    const pods = [pod('a', 'shop', 'node-2', '250m'), pod('b', 'kube-system', 'node-2', '500m'), pod('c', 'shop', undefined, '1'), pod('done', 'shop', 'node-1', '2', 'Succeeded')];
    const { columns, unscheduled } = nodeColumns([node('node-2'), node('node-1')], pods, 'shop');
    expect(columns.map((c) => c.node.metadata.name)).toEqual(['node-1', 'node-2']);
    expect(columns[1].pods.map((p) => p.metadata.name)).toEqual(['a']); // kube-system chip hidden by the namespace filter
    expect(columns[1].used).toEqual({ cpu: 750, memory: 2 * 128 * 1024 * 1024, pods: 2 }); // …but its requests count
    expect(columns[0].used.cpu).toBe(0); // a Succeeded pod no longer holds its requests
    expect(columns[0].pods.map((p) => p.metadata.name)).toEqual(['done']);
    expect(unscheduled.map((p) => p.metadata.name)).toEqual(['c']);
    expect(columns[0].allocatable).toEqual({ cpu: 4000, memory: 8 * 1024 ** 3, pods: 110 });
  });

  it('counts a pod as the larger of its containers and its biggest init container', () => {
    const p = pod('x', 'ns', 'n', '100m');
    p.spec!.containers.push({ name: 'd', image: 'i', resources: { requests: { cpu: '200m' } } });
    p.spec!.initContainers = [{ name: 'init', image: 'i', resources: { requests: { cpu: '500m' } } }];
    expect(podRequests(p).cpu).toBe(500);
    expect(formatCpu(1500)).toBe('1500m');
    expect(formatCpu(2000)).toBe('2');
    expect(formatMemory(256 * 1024 * 1024)).toBe('256Mi');
  });
});

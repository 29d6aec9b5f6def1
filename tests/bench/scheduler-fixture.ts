// The scheduler benchmark's cluster, shared by scheduler.ts and the hot-path comparison: 100 nodes and
// 5,000 pending pods of 50 ReplicaSets (so default topology spreading does real work on every decision).
import type { Node } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';

export const NODE_COUNT = 100;
export const POD_COUNT = 5_000;

export function node(i: number): Node {
  const allocatable = { cpu: '64', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export function pod(i: number): Pod {
  const rs = i % 50;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `bench-${i}`,
      namespace: 'default',
      labels: { app: `app-${rs}` },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `app-${rs}`, uid: `rs-uid-${rs}`, controller: true }],
    },
    spec: { containers: [{ name: 'main', image: 'bosun-test/pause:1.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
  };
}

// Adding and removing lab nodes, and the node faults of the Nodes screen, as API writes a person could
// type: a Node labelled lab.bosun.dev/managed=true gets a kubelet (docs/NODES.md); deleting it stops
// that kubelet; a fault is a chaos.bosun.dev NodeFault object.
import { CHAOS_API_VERSION, type NodeFault, type NodeFaultAction } from '../../shared/api/chaos';
import type { Node } from '../../shared/api/node';
import type { ApiClient } from '../api/client';
import { resourcePath } from '../api/paths';

export const LAB_MANAGED_LABEL = 'lab.bosun.dev/managed';
export const NODE_FAULT_ACTIONS: readonly NodeFaultAction[] = ['crash', 'kubeletStop', 'freeze', 'partition'];
/** The kubelet's default virtual capacity (main/kubelet: cpu 4, memory 8Gi, pods 110). */
export const DEFAULT_NODE_CAPACITY = { cpu: '4', memory: '8Gi', pods: '110' };

export interface NodeCapacity {
  cpu: string;
  memory: string;
  pods: string;
}

/** node-K with the smallest K not taken (node-K prefers the pod range 10.244.K.0/24). */
export function nextNodeName(nodes: readonly Pick<Node, 'metadata'>[]): string {
  const taken = new Set(nodes.map((n) => n.metadata.name));
  for (let k = 1; ; k++) if (!taken.has(`node-${k}`)) return `node-${k}`;
}

export function labNodeManifest(name: string, capacity: NodeCapacity): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [LAB_MANAGED_LABEL]: 'true', 'kubernetes.io/hostname': name } },
    // Nodes accept status on create (as in Kubernetes): the lab's kubelet takes its capacity from here.
    status: { capacity: { ...capacity } },
  } as Node;
}

export function isLabManaged(node: Pick<Node, 'metadata'>): boolean {
  return node.metadata.labels?.[LAB_MANAGED_LABEL] === 'true';
}

export function createLabNode(client: ApiClient, name: string, capacity: NodeCapacity): Promise<Node> {
  return client.create<Node>('/api/v1/nodes', labNodeManifest(name, capacity));
}

export function deleteNode(client: ApiClient, name: string): Promise<unknown> {
  return client.delete(resourcePath({ group: '', version: 'v1', resource: 'nodes', name }));
}

/** A NodeFault on one node; generateName so the same fault can be injected again later. */
export function nodeFaultFor(node: string, action: NodeFaultAction, duration: string | undefined): NodeFault {
  return {
    apiVersion: CHAOS_API_VERSION,
    kind: 'NodeFault',
    metadata: { generateName: `${action.toLowerCase()}-${node}-` },
    spec: { action, selector: { nodeNames: [node] }, mode: 'all', ...(duration ? { duration } : {}) },
  };
}

export const NODEFAULTS_PATH = '/apis/chaos.bosun.dev/v1alpha1/nodefaults';

export function createNodeFault(client: ApiClient, fault: NodeFault): Promise<NodeFault> {
  return client.create<NodeFault>(NODEFAULTS_PATH, fault);
}

/** YAML-ish one-liner for learning mode: the same object through kubectl create -f -. */
export function kubectlCreateNodeFault(node: string, action: NodeFaultAction, duration: string | undefined): string {
  return `kubectl create -f - <<<'{"apiVersion":"${CHAOS_API_VERSION}","kind":"NodeFault","metadata":{"generateName":"${action.toLowerCase()}-${node}-"},"spec":{"action":"${action}","selector":{"nodeNames":["${node}"]}${duration ? `,"duration":"${duration}"` : ''}}}'`;
}

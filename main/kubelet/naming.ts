// Names and labels of the runtime objects of a pod. Container names follow the Docker shim
// (k8s_<container>_<pod>_<namespace>_<uid>_<attempt>) so `docker ps` reads like a real node; the labels
// are what the kubelet trusts (names are for people): adoption, restart counts and `kubectl logs -p`
// all derive from them.
import type { Pod } from '../../shared/api/pod';
import { RuntimeLabels, type ContainerInfo, type Labels } from '../runtime/runtime';

/** The Docker shim's name for the sandbox container. */
export const SANDBOX_CONTAINER = 'POD';

export type ContainerRole = 'sandbox' | 'init' | 'app';

export interface InstanceIdentity {
  labId: string;
  node: string;
  pod: Pod;
  container: string;
  role: ContainerRole;
  attempt: number;
}

export function containerName(id: Omit<InstanceIdentity, 'labId' | 'node' | 'role'>): string {
  const m = id.pod.metadata;
  return `k8s_${id.container}_${m.name}_${m.namespace}_${m.uid}_${id.attempt}`;
}

export function containerLabels(id: InstanceIdentity): Labels {
  const m = id.pod.metadata;
  return {
    [RuntimeLabels.managed]: 'true',
    [RuntimeLabels.lab]: id.labId,
    [RuntimeLabels.node]: id.node,
    [RuntimeLabels.podUid]: m.uid ?? '',
    [RuntimeLabels.podNamespace]: m.namespace ?? '',
    [RuntimeLabels.podName]: m.name ?? '',
    [RuntimeLabels.container]: id.container,
    [RuntimeLabels.attempt]: String(id.attempt),
    [RuntimeLabels.role]: id.role,
  };
}

/** Selector for everything one kubelet owns. */
export const nodeSelector = (labId: string, node: string): Labels => ({
  [RuntimeLabels.managed]: 'true',
  [RuntimeLabels.lab]: labId,
  [RuntimeLabels.node]: node,
});

export const attemptOf = (c: ContainerInfo): number => {
  const n = Number(c.labels[RuntimeLabels.attempt]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
};
export const podUidOf = (c: ContainerInfo): string => c.labels[RuntimeLabels.podUid] ?? '';
export const containerNameOf = (c: ContainerInfo): string => c.labels[RuntimeLabels.container] ?? '';
export const roleOf = (c: ContainerInfo): ContainerRole | undefined => c.labels[RuntimeLabels.role] as ContainerRole | undefined;

/** Newest instance first: by attempt, then creation time (two instances of one attempt are a leftover). */
export function newestFirst(instances: ContainerInfo[]): ContainerInfo[] {
  return [...instances].sort((a, b) => attemptOf(b) - attemptOf(a) || Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

export const isRunning = (c: ContainerInfo): boolean => c.state === 'running' || c.state === 'restarting' || c.state === 'paused';
/** Exited, or never got going: a start failure leaves the instance "created" with the engine's error. */
export const hasExited = (c: ContainerInfo): boolean => c.state === 'exited' || c.state === 'dead' || (c.state === 'created' && !!c.error);

/** `<pod>_<namespace>(<uid>)`, the pod format of kubelet messages. */
export const podDescription = (pod: Pod): string => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;

// Finding what a streaming request talks to: the pod (through the API, so it sees what kubectl sees),
// the container name (defaulted and validated as the apiserver's streamLocation does), the node's runtime,
// and the runtime instance (by RuntimeLabels, since the API status may lag the engine by a few ms).
// Messages are Kubernetes' own (apiserver strategy.go and kubelet validateContainerLogStatus), because
// kubectl prints them verbatim.
import { ApiError } from '../../../shared/api/errors';
import type { ContainerStatus, Pod } from '../../../shared/api/pod';
import type { KubeClient } from '../../client/client';
import { RuntimeLabels, type ContainerInfo, type ContainerRuntime } from '../../runtime/runtime';

export interface StreamingBackend {
  client: KubeClient;
  /** The runtime of a lab node's kubelet; undefined when the node has no running kubelet. */
  runtimeForNode(nodeName: string): ContainerRuntime | undefined;
}

export async function getPod(client: KubeClient, namespace: string | undefined, name: string | undefined): Promise<Pod> {
  if (!namespace || !name) throw ApiError.badRequest('a pod name and namespace are required');
  return client.pods<Pod>().get(namespace, name);
}

const names = (list: Array<{ name: string }> | undefined): string[] => (list ?? []).map((c) => c.name);
const goList = (items: string[]): string => `[${items.join(' ')}]`;

/** The container a request addresses: `container` as given (validated), or the only one. */
export function selectContainer(pod: Pod, requested: string | undefined): string {
  const podName = pod.metadata?.name ?? '';
  const containers = names(pod.spec?.containers);
  const init = names(pod.spec?.initContainers);
  const ephemeral = names((pod.spec as { ephemeralContainers?: Array<{ name: string }> } | undefined)?.ephemeralContainers);
  if (!requested) {
    if (containers.length === 1) return containers[0];
    if (containers.length === 0) throw ApiError.badRequest(`a container name must be specified for pod ${podName}`);
    let message = `a container name must be specified for pod ${podName}, choose one of: ${goList(containers)}`;
    if (init.length) message += ` or one of the init containers: ${goList(init)}`;
    if (ephemeral.length) message += ` or one of the ephemeral containers: ${goList(ephemeral)}`;
    throw ApiError.badRequest(message);
  }
  if (![...containers, ...init, ...ephemeral].includes(requested)) throw ApiError.badRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

export function containerStatus(pod: Pod, container: string): ContainerStatus | undefined {
  const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return all.find((s) => s.name === container);
}

/** The node's runtime; a pod without a node has nothing to stream yet. */
export function runtimeFor(backend: StreamingBackend, pod: Pod): ContainerRuntime {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw ApiError.badRequest(`pod ${pod.metadata?.name ?? ''} does not have a host assigned`);
  const runtime = backend.runtimeForNode(nodeName);
  // The apiserver answers 500-class errors when it cannot reach the kubelet of the node.
  if (!runtime) throw new ApiError(503, 'ServiceUnavailable', `node "${nodeName}" has no running kubelet to serve this request`);
  return runtime;
}

const attemptOf = (c: ContainerInfo): number => Number(c.labels[RuntimeLabels.attempt] ?? 0) || 0;

/** Every runtime instance of one container of a pod, newest attempt first. */
export async function containerInstances(runtime: ContainerRuntime, pod: Pod, container: string): Promise<ContainerInfo[]> {
  const uid = pod.metadata?.uid ?? '';
  const list = await runtime.listContainers({ [RuntimeLabels.podUid]: uid, [RuntimeLabels.container]: container });
  return list.sort((a, b) => attemptOf(b) - attemptOf(a) || b.createdAt.localeCompare(a.createdAt));
}

const hasRun = (c: ContainerInfo): boolean => c.state !== 'created' || Boolean(c.startedAt && !c.startedAt.startsWith('0001'));
const isExited = (c: ContainerInfo): boolean => c.state === 'exited' || c.state === 'dead';

/**
 * The instance whose logs `GET pods/x/log` shows, as the kubelet picks it: the current one, or while a
 * restart is pending (waiting: CrashLoopBackOff) the one that just ended; with `previous`, the instance
 * before the current one — the last terminated one while a restart is pending.
 */
export async function logInstance(runtime: ContainerRuntime, pod: Pod, container: string, previous: boolean): Promise<ContainerInfo> {
  const podName = pod.metadata?.name ?? '';
  const instances = (await containerInstances(runtime, pod, container)).filter(hasRun);
  const status = containerStatus(pod, container);
  const latest = instances[0];
  // A restart is pending when the newest instance ended and the kubelet reports the container waiting.
  const restartPending = latest !== undefined && isExited(latest) && Boolean(status?.state?.waiting);
  if (previous) {
    const prior = restartPending ? latest : instances[1];
    if (!prior) throw ApiError.badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return prior;
  }
  if (latest) return latest;
  throw ApiError.badRequest(notStartedMessage(pod, container, status));
}

function notStartedMessage(pod: Pod, container: string, status: ContainerStatus | undefined): string {
  const podName = pod.metadata?.name ?? '';
  if (!status) return `container "${container}" in pod "${podName}" is not available`;
  if (status.state?.terminated || status.lastState?.terminated) return `container "${container}" in pod "${podName}" is terminated`;
  const reason = status.state?.waiting?.reason;
  if (reason === 'ErrImagePull') return `container "${container}" in pod "${podName}" is waiting to start: image can't be pulled`;
  if (reason === 'ImagePullBackOff') return `container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image`;
  if (reason) return `container "${container}" in pod "${podName}" is waiting to start: ${reason}`;
  return `container "${container}" in pod "${podName}" is waiting to start - no logs yet`;
}

/** The running instance exec and attach talk to. */
export async function runningInstance(runtime: ContainerRuntime, pod: Pod, container: string): Promise<ContainerInfo> {
  const latest = (await containerInstances(runtime, pod, container))[0];
  if (!latest || latest.state !== 'running') {
    // The kubelet's words when the CRI has no running container of that name.
    throw ApiError.badRequest(`container not found ("${container}")`);
  }
  return latest;
}

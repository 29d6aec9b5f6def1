// PodStatus as the kubelet computes it (generateAPIPodStatus / getPhase): phase, the kubelet-owned
// conditions, container statuses with state/lastState/restartCount, IPs, startTime. A pure function of
// the pod, what the runtime reports, the kubelet's remembered waiting reasons and the prober's state.
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../../shared/api/pod';
import type { ContainerInfo } from '../runtime/runtime';
import { attemptOf, hasExited, isRunning } from './naming';
import type { ContainerProbeState } from './types';

export interface WaitingReason {
  reason: string;
  message?: string;
}

export interface ObservedPod {
  /** Newest sandbox instance, if any. */
  sandbox?: ContainerInfo;
  /** Instances per container name (init and app), newest first. */
  instances: Map<string, ContainerInfo[]>;
}

export interface StatusInput {
  pod: Pod;
  observed: ObservedPod;
  /** Why a container is waiting, as the last sync found (ErrImagePull, CrashLoopBackOff, …). */
  waiting: Map<string, WaitingReason>;
  probeState(containerName: string): ContainerProbeState;
  hostIP: string;
  /** RFC 3339 "now" for transitions and startTime. */
  now: string;
  /** "docker" / "fake": scheme of containerID and imageID. */
  runtimeScheme: string;
  /** Termination messages read after exit, by runtime container id. */
  terminationMessages: Map<string, string>;
}

/** Conditions the kubelet owns; every other condition (PodScheduled, DisruptionTarget, gates) is kept. */
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

export const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always';

export function terminatedReason(info: ContainerInfo): string {
  if (info.oomKilled) return 'OOMKilled';
  if (info.error) return 'ContainerCannotRun';
  return info.exitCode === 0 ? 'Completed' : 'Error';
}

/** metav1.Time: RFC 3339 with second precision (engines report nanoseconds). */
export function metaTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function terminatedState(info: ContainerInfo, scheme: string, messages: Map<string, string>): ContainerState {
  const t: NonNullable<ContainerState['terminated']> = { exitCode: info.exitCode ?? 0, reason: terminatedReason(info) };
  const message = messages.get(info.id) ?? (info.error || undefined);
  if (message) t.message = message;
  const startedAt = metaTime(info.startedAt);
  const finishedAt = metaTime(info.finishedAt);
  if (startedAt) t.startedAt = startedAt;
  if (finishedAt) t.finishedAt = finishedAt;
  t.containerID = `${scheme}://${info.id}`;
  return { terminated: t };
}

function containerStatus(
  c: Container,
  instances: ContainerInfo[],
  input: StatusInput,
  defaultWaiting: string,
  isInit = false,
): ContainerStatus {
  const status: ContainerStatus = {
    name: c.name,
    state: { waiting: { reason: defaultWaiting } },
    ready: false,
    restartCount: 0,
    image: c.image ?? '',
    imageID: '',
    started: false,
  };
  const remembered = input.waiting.get(c.name);
  const latest = instances[0];
  if (!latest) {
    if (remembered) status.state = { waiting: { ...remembered } };
    return status;
  }
  status.restartCount = attemptOf(latest);
  status.containerID = `${input.runtimeScheme}://${latest.id}`;
  if (latest.imageId) status.imageID = `${input.runtimeScheme}://${latest.imageId}`;
  const previous = instances[1];
  if (previous && hasExited(previous)) status.lastState = terminatedState(previous, input.runtimeScheme, input.terminationMessages);
  if (isRunning(latest) && latest.state !== 'created') {
    status.state = { running: { startedAt: metaTime(latest.startedAt) ?? input.now } };
    const probe = input.probeState(c.name);
    status.started = probe.started;
    status.ready = probe.started && probe.ready;
  } else if (hasExited(latest)) {
    const terminated = terminatedState(latest, input.runtimeScheme, input.terminationMessages);
    if (remembered) {
      // Waiting to be restarted: the dead instance moves to lastState, as kubectl shows it.
      status.state = { waiting: { ...remembered } };
      status.lastState = terminated;
    } else {
      status.state = terminated;
      // A completed init container counts as ready (kubelet: init containers are ready once they succeeded).
      if (defaultWaiting === 'PodInitializing' && isInit && latest.exitCode === 0 && !latest.error) status.ready = true;
    }
  } else {
    status.state = { waiting: remembered ? { ...remembered } : { reason: 'ContainerCreating' } };
  }
  if (!status.lastState) status.lastState = {};
  return status;
}

const isSucceeded = (s: ContainerStatus): boolean => s.state?.terminated?.exitCode === 0;
const isFailedTerminated = (s: ContainerStatus): boolean =>
  (s.state?.terminated !== undefined && s.state.terminated.exitCode !== 0) ||
  (s.state?.waiting !== undefined && s.lastState?.terminated !== undefined && s.lastState.terminated.exitCode !== 0);

/** getPhase of the kubelet. A terminal phase is never left. */
export function podPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[]): PodPhase {
  const old = pod.status?.phase;
  if (old === 'Succeeded' || old === 'Failed') return old;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const specInit = pod.spec?.initContainers ?? [];
  let initPending = false;
  for (const s of init) {
    const c = specInit.find((x) => x.name === s.name);
    if (c && isSidecar(c)) {
      if (!s.started) initPending = true;
      continue;
    }
    if (isSucceeded(s)) continue;
    if (isFailedTerminated(s) && policy === 'Never') return 'Failed';
    initPending = true;
  }
  if (initPending) return 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: ok ? 'True' : 'False', lastProbeTime: null };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

function conditions(pod: Pod, phase: PodPhase, observed: ObservedPod, init: ContainerStatus[], app: ContainerStatus[]): PodCondition[] {
  const specInit = pod.spec?.initContainers ?? [];
  const incompleteInit = init
    .filter((s) => {
      const c = specInit.find((x) => x.name === s.name);
      return c && isSidecar(c) ? !s.started : !isSucceeded(s);
    })
    .map((s) => s.name);
  const initialized = incompleteInit.length === 0 || phase === 'Succeeded' || phase === 'Running';
  const unready = app.filter((s) => !s.ready).map((s) => s.name);
  const completed = phase === 'Succeeded';
  const ready = unready.length === 0 && app.length > 0;
  const readyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = completed ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const sandboxReady = observed.sandbox !== undefined && isRunning(observed.sandbox);
  const gates = (pod.spec?.readinessGates ?? []).filter(
    (g) => !(pod.status?.conditions ?? []).some((c) => c.type === g.conditionType && c.status === 'True'),
  );
  const podReady =
    ready && gates.length === 0
      ? condition('Ready', true)
      : !ready
        ? condition('Ready', false, readyReason, readyMessage)
        : condition('Ready', false, 'ReadinessGatesNotReady', `corresponding condition of pod readiness gate "${gates[0].conditionType}" does not exist.`);
  return [
    condition('PodReadyToStartContainers', sandboxReady),
    condition('Initialized', initialized, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`),
    podReady,
    condition('ContainersReady', ready, readyReason, readyMessage),
  ];
}

/** Keeps lastTransitionTime when a condition's status did not change. */
function withTransitions(next: PodCondition[], old: PodCondition[], now: string): PodCondition[] {
  return next.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  });
}

export function computePodStatus(input: StatusInput): PodStatus {
  const { pod, observed } = input;
  const old = pod.status ?? {};
  const initialized = (pod.spec?.initContainers ?? []).every((c) => {
    const latest = observed.instances.get(c.name)?.[0];
    return latest !== undefined && (isSidecar(c) ? isRunning(latest) : hasExited(latest) && latest.exitCode === 0);
  });
  const init = (pod.spec?.initContainers ?? []).map((c) => containerStatus(c, observed.instances.get(c.name) ?? [], input, 'PodInitializing', true));
  const app = pod.spec?.containers.map((c) =>
    containerStatus(c, observed.instances.get(c.name) ?? [], input, initialized ? 'ContainerCreating' : 'PodInitializing'),
  ) ?? [];
  const phase = podPhase(pod, init, app);
  const kubeletConditions = withTransitions(conditions(pod, phase, observed, init, app), old.conditions ?? [], input.now);
  const kept = (old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.includes(c.type));
  const status: PodStatus = {
    ...old,
    phase,
    conditions: [...kubeletConditions.slice(0, 1), ...kubeletConditions.slice(1), ...kept],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: old.startTime ?? input.now,
    containerStatuses: app,
  };
  if (init.length) status.initContainerStatuses = init;
  else delete status.initContainerStatuses;
  const ip = observed.sandbox && isRunning(observed.sandbox) ? observed.sandbox.ip : old.podIP;
  if (ip) {
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  return status;
}

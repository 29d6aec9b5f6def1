// kubectl's printPod: READY, STATUS, RESTARTS as `kubectl get pods` shows them. A pure function so the
// dashboard shows the very same words as kubectl (CrashLoopBackOff, Init:1/2, Terminating, Completed...).
import { timestampSince } from './duration';
import type { Container, ContainerStatus, Pod } from './pod';

export interface PodDisplayStatus {
  /** `ready/total`, e.g. `1/2` (sidecars count once started). */
  ready: string;
  readyContainers: number;
  totalContainers: number;
  /** The STATUS column. */
  status: string;
  restarts: number;
  /** Latest restart (a finishedAt of a lastState.terminated), RFC 3339, if any. */
  lastRestart?: string;
  /** The RESTARTS column: `3`, or `3 (5m ago)` when the last restart time is known. */
  restartsText: string;
}

const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

const isSidecar = (c: Container | undefined): boolean => c?.restartPolicy === 'Always';
const later = (a: string | undefined, b: string | undefined): string | undefined => {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
};
const isTerminalPhase = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';

function conditionTrue(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

export function podDisplayStatus(pod: Pod, now: Date = new Date()): PodDisplayStatus {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart: string | undefined;
  let lastSidecarRestart: string | undefined;

  let reason: string = status.phase ?? '';
  if (status.reason) reason = status.reason;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initContainers = new Map<string, Container>();
  for (const c of spec.initContainers ?? []) {
    initContainers.set(c.name, c);
    if (isSidecar(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    lastRestart = later(lastRestart, cs.lastState?.terminated?.finishedAt);
    const sidecar = isSidecar(initContainers.get(cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, cs.lastState?.terminated?.finishedAt);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && cs.started) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = later(lastRestart, cs.lastState?.terminated?.finishedAt);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A finished container next to running ones does not make the pod "Completed".
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !isTerminalPhase(status.phase)) reason = 'Terminating';

  const restartsText = restarts !== 0 && lastRestart ? `${restarts} (${timestampSince(lastRestart, now)} ago)` : String(restarts);
  return {
    ready: `${readyContainers}/${totalContainers}`,
    readyContainers,
    totalContainers,
    status: reason,
    restarts,
    lastRestart,
    restartsText,
  };
}

/** The READINESS GATES wide column: `<none>` or `true/total`. */
export function podReadinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let ok = 0;
  for (const gate of gates) {
    const cond = (pod.status?.conditions ?? []).find((c) => c.type === gate.conditionType);
    if (cond?.status === 'True') ok++;
  }
  return `${ok}/${gates.length}`;
}

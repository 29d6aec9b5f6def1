// ProbeManager (pkg/kubelet/prober/prober_manager.go): one worker per (pod uid, container, probe type),
// driven by the Clock. The startup probe gates liveness and readiness; readiness is false until the
// first success; liveness/startup failures past failureThreshold call onUnhealthy (the kubelet core
// kills the container with event Killing). Each failed probe records a Warning `Unhealthy` event.
// A bounded history of raw results per probe survives container restarts, for the PodProbes API.
// Probe overrides (PodFault failLiveness/failReadiness, via kubelet.faults) answer "failed" instead of
// running the handler, so the thresholds, events, history and restarts that follow are the real ones.
import type { Container, Pod, Probe } from '../../../shared/api/pod';
import type { KubeObject } from '../../../shared/api/meta';
import type { Clock } from '../../client/clock';
import type { ContainerInfo } from '../../runtime/runtime';
import type { ContainerProbeState, HandlerRunner, ProbeManager, ProbeManagerEvents, ProbeResult, ProbeType } from '../types';
import { ProbeWorker, probeTiming, type ProbeDefaults } from './worker';

export const PROBE_HISTORY_LIMIT = 100;

export interface ProbeEventSink {
  event(target: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void;
}

export interface ProbeManagerDeps {
  clock: Clock;
  runner: HandlerRunner;
  events: ProbeManagerEvents;
  /** Receives `Unhealthy` warnings (an EventRecorder fits). */
  recorder?: ProbeEventSink;
  /** Results kept per probe (default 100). */
  historyLimit?: number;
}

/** What the PodProbes API shows for one probe of one container. */
export interface ProbeSnapshot {
  type: ProbeType;
  handler: string;
  timing: ProbeDefaults;
  /** Thresholded result: Success, Failure or Unknown (not probed yet / startup pending). */
  result: 'Success' | 'Failure' | 'Unknown';
  consecutiveSuccesses: number;
  consecutiveFailures: number;
  history: ProbeResult[];
  /** Set while a PodFault makes this probe fail (the message every injected result carries). */
  injectedFailure?: string;
}

export interface ContainerProbesSnapshot {
  name: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  probes: ProbeSnapshot[];
}

interface ContainerEntry {
  pod: Pod;
  container: Container;
  info: ContainerInfo;
  workers: Map<ProbeType, ProbeWorker>;
}

const TYPES: ProbeType[] = ['startup', 'liveness', 'readiness'];
const probeOf = (c: Container, t: ProbeType): Probe | undefined =>
  t === 'startup' ? c.startupProbe : t === 'liveness' ? c.livenessProbe : c.readinessProbe;
const title = (t: ProbeType): string => t[0].toUpperCase() + t.slice(1);

/** A one-line description of a probe handler, as kubectl describe prints it. */
export function describeHandler(p: Probe): string {
  if (p.httpGet) return `http-get ${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? '/'}`;
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''}`.trim();
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}]`;
  return 'unknown';
}

/** Grace period for a container killed by a failing probe: the probe's own, else the pod's (default 30). */
export function probeTerminationGracePeriodSeconds(pod: Pod, container: Container, type: 'liveness' | 'startup'): number {
  return probeOf(container, type)?.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

export class KubeletProbeManager implements ProbeManager {
  private readonly containers = new Map<string, ContainerEntry>();
  /**
   * `<pod uid>/<container>` of running instances without any probe: started and ready while they run. Only
   * the key, no ContainerEntry: an entry holds the pod as it was when the container started (an extra pod
   * version kept alive per container) and a copy of the runtime's labels, for nothing a probe-less one uses.
   */
  private readonly unprobed = new Set<string>();
  private readonly histories = new Map<string, ProbeResult[]>();
  /** `<pod uid>/<container>/<type>` → injected failure message; outlives container instances. */
  private readonly overrides = new Map<string, string>();
  private readonly limit: number;

  constructor(private readonly deps: ProbeManagerDeps) {
    this.limit = deps.historyLimit ?? PROBE_HISTORY_LIMIT;
  }

  addContainer(pod: Pod, container: Container, info: ContainerInfo): void {
    const uid = pod.metadata.uid ?? '';
    this.removeContainer(uid, container.name);
    if (!TYPES.some((type) => probeOf(container, type))) {
      this.unprobed.add(this.key(uid, container.name));
      return;
    }
    const entry: ContainerEntry = { pod, container, info, workers: new Map() };
    const started = Date.parse(info.startedAt ?? '');
    const startedMs = Number.isFinite(started) ? started : this.deps.clock.nowMs();
    for (const type of TYPES) {
      const probe = probeOf(container, type);
      if (!probe) continue;
      const worker: ProbeWorker = new ProbeWorker(type, probe, this.deps.clock, {
        mayProbe: (): boolean => (type === 'startup' ? worker.result !== 'success' : this.startedOf(entry)),
        run: (timeoutMs) => this.injectedResult(uid, container.name, type) ?? this.deps.runner.run(entry.pod, container, entry.info, probe, timeoutMs),
        onRawResult: (r) => this.record(entry, type, r),
        onResult: (outcome, r) => this.onResult(entry, type, outcome, r),
      });
      entry.workers.set(type, worker);
    }
    this.containers.set(this.key(uid, container.name), entry);
    for (const w of entry.workers.values()) w.start(startedMs);
  }

  removeContainer(podUid: string, containerName: string): void {
    const key = this.key(podUid, containerName);
    this.unprobed.delete(key);
    const entry = this.containers.get(key);
    if (!entry) return;
    for (const w of entry.workers.values()) w.stop();
    this.containers.delete(key);
  }

  removePod(podUid: string): void {
    for (const entry of [...this.containers.values()]) if (entry.pod.metadata.uid === podUid) this.removeContainer(podUid, entry.container.name);
    for (const key of this.unprobed) if (key.startsWith(`${podUid}/`)) this.unprobed.delete(key);
    for (const key of [...this.histories.keys()]) if (key.startsWith(`${podUid}/`)) this.histories.delete(key);
    for (const key of [...this.overrides.keys()]) if (key.startsWith(`${podUid}/`)) this.overrides.delete(key);
  }

  /** From the next tick on, this probe fails with `message` without running (until cleared). */
  setProbeOverride(podUid: string, containerName: string, probeType: ProbeType, message: string): void {
    this.overrides.set(`${podUid}/${containerName}/${probeType}`, message);
  }

  clearProbeOverride(podUid: string, containerName: string, probeType: ProbeType): void {
    this.overrides.delete(`${podUid}/${containerName}/${probeType}`);
  }

  private injectedResult(podUid: string, containerName: string, probeType: ProbeType): Promise<ProbeResult> | undefined {
    const message = this.overrides.get(`${podUid}/${containerName}/${probeType}`);
    if (message === undefined) return undefined;
    return Promise.resolve({ time: this.deps.clock.now().toISOString(), ok: false, latencyMs: 0, message });
  }

  /** Keeps the pod object (status.podIP for messages, new annotations) current for running workers. */
  updatePod(pod: Pod): void {
    for (const entry of this.containers.values()) if (entry.pod.metadata.uid === pod.metadata.uid) entry.pod = pod;
  }

  state(podUid: string, containerName: string): ContainerProbeState {
    const key = this.key(podUid, containerName);
    if (this.unprobed.has(key)) return { ready: true, started: true };
    const entry = this.containers.get(key);
    if (!entry) return { ready: false, started: false };
    const started = this.startedOf(entry);
    const readiness = entry.workers.get('readiness');
    return { started, ready: started && (readiness ? readiness.result === 'success' : true) };
  }

  history(podUid: string, containerName: string, probeType: ProbeType): ProbeResult[] {
    return [...(this.histories.get(`${podUid}/${containerName}/${probeType}`) ?? [])];
  }

  /** Every probed container of a pod, for the PodProbes API and the dashboard. */
  snapshot(pod: Pod): ContainerProbesSnapshot[] {
    const uid = pod.metadata.uid ?? '';
    const out: ContainerProbesSnapshot[] = [];
    for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const entry = this.containers.get(this.key(uid, container.name));
      const probes: ProbeSnapshot[] = [];
      for (const type of TYPES) {
        const probe = probeOf(container, type);
        if (!probe) continue;
        const w = entry?.workers.get(type);
        probes.push({
          type,
          handler: describeHandler(probe),
          timing: w?.timing ?? probeTiming(probe),
          result: w?.result === 'success' ? 'Success' : w?.result === 'failure' && w.lastResult ? 'Failure' : 'Unknown',
          consecutiveSuccesses: w?.consecutiveSuccesses ?? 0,
          consecutiveFailures: w?.consecutiveFailures ?? 0,
          history: this.history(uid, container.name, type),
          ...(this.overrides.has(`${uid}/${container.name}/${type}`) ? { injectedFailure: this.overrides.get(`${uid}/${container.name}/${type}`) } : {}),
        });
      }
      if (!probes.length) continue;
      const state = this.state(uid, container.name);
      out.push({ name: container.name, containerID: entry?.info.id, ready: state.ready, started: state.started, probes });
    }
    return out;
  }

  private startedOf(entry: ContainerEntry): boolean {
    const startup = entry.workers.get('startup');
    return !startup || startup.result === 'success';
  }

  private key(uid: string, name: string): string {
    return `${uid}/${name}`;
  }

  private record(entry: ContainerEntry, type: ProbeType, result: ProbeResult): void {
    const key = `${entry.pod.metadata.uid}/${entry.container.name}/${type}`;
    let list = this.histories.get(key);
    if (!list) this.histories.set(key, (list = []));
    list.push(result);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    if (!result.ok) {
      this.deps.recorder?.event(entry.pod, 'Warning', 'Unhealthy', `${title(type)} probe failed: ${result.message}`, `spec.containers{${entry.container.name}}`);
    }
  }

  private onResult(entry: ContainerEntry, type: ProbeType, outcome: 'success' | 'failure', result: ProbeResult): void {
    if (!this.containers.has(this.key(entry.pod.metadata.uid ?? '', entry.container.name))) return;
    const uid = entry.pod.metadata.uid ?? '';
    if ((type === 'liveness' || type === 'startup') && outcome === 'failure') {
      this.deps.events.onUnhealthy(entry.pod, entry.container.name, type, result);
      return;
    }
    this.deps.events.onStateChange(uid, entry.container.name);
    if (type === 'startup' && outcome === 'success') {
      // Readiness was waiting for startup: probe now rather than a period later (past its initial delay only).
      void entry.workers.get('readiness')?.tick();
    }
  }
}

export function createProbeManager(deps: ProbeManagerDeps): KubeletProbeManager {
  return new KubeletProbeManager(deps);
}

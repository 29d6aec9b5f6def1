// One probe worker (pkg/kubelet/prober/worker.go): probes a container instance every periodSeconds,
// after initialDelaySeconds from the container's start, and turns raw results into the probe's
// result with successThreshold/failureThreshold. Liveness and startup go "on hold" after reporting a
// failure until the container is replaced (a new worker), as in Kubernetes.
import type { Probe } from '../../../shared/api/pod';
import type { Clock, TimerHandle } from '../../client/clock';
import type { ProbeResult, ProbeType } from '../types';

export type ProbeOutcome = 'success' | 'failure';

export interface ProbeDefaults {
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  initialDelaySeconds: number;
}

/** Kubernetes' API defaults for a probe (liveness/startup successThreshold must be 1). */
export function probeTiming(probe: Probe): ProbeDefaults {
  return {
    timeoutSeconds: Math.max(1, probe.timeoutSeconds ?? 1),
    periodSeconds: Math.max(1, probe.periodSeconds ?? 10),
    successThreshold: Math.max(1, probe.successThreshold ?? 1),
    failureThreshold: Math.max(1, probe.failureThreshold ?? 3),
    initialDelaySeconds: Math.max(0, probe.initialDelaySeconds ?? 0),
  };
}

export interface WorkerHooks {
  /** May this worker probe now? (liveness/readiness wait for startup; startup stops once started). */
  mayProbe(): boolean;
  run(timeoutMs: number): Promise<ProbeResult>;
  /** Every raw result (for history and the Unhealthy event of each failure). */
  onRawResult(result: ProbeResult): void;
  /** The thresholded result changed (or was re-affirmed after an on-hold reset). */
  onResult(outcome: ProbeOutcome, result: ProbeResult): void;
}

export class ProbeWorker {
  readonly timing: ProbeDefaults;
  /** Thresholded result; readiness starts failed, liveness succeeded, startup unknown. */
  result: ProbeOutcome | undefined;
  private lastRaw: ProbeOutcome | undefined;
  private run = 0;
  private onHold = false;
  private inFlight = false;
  private stopped = false;
  /** Set once initialDelaySeconds have passed; ticks before that are ignored. */
  private armed = false;
  private timers: TimerHandle[] = [];
  consecutiveSuccesses = 0;
  consecutiveFailures = 0;
  lastResult?: ProbeResult;

  constructor(
    readonly type: ProbeType,
    readonly probe: Probe,
    private readonly clock: Clock,
    private readonly hooks: WorkerHooks,
  ) {
    this.timing = probeTiming(probe);
    this.result = type === 'readiness' ? 'failure' : type === 'liveness' ? 'success' : undefined;
  }

  /** Starts ticking; the first probe runs at containerStartedMs + initialDelaySeconds (or now, if later). */
  start(containerStartedMs: number): void {
    const firstAt = containerStartedMs + this.timing.initialDelaySeconds * 1000;
    const delay = Math.max(0, firstAt - this.clock.nowMs());
    this.timers.push(
      this.clock.setTimeout(() => {
        if (this.stopped) return;
        this.armed = true;
        void this.tick();
        this.timers.push(this.clock.setInterval(() => void this.tick(), this.timing.periodSeconds * 1000));
      }, delay),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.splice(0)) t.cancel();
  }

  /** One probe, unless the previous one is still running (Kubernetes' ticker drops ticks the same way). */
  async tick(): Promise<void> {
    if (this.stopped || !this.armed || this.inFlight || this.onHold || !this.hooks.mayProbe()) return;
    this.inFlight = true;
    let raw: ProbeResult;
    try {
      raw = await this.hooks.run(this.timing.timeoutSeconds * 1000);
    } finally {
      this.inFlight = false;
    }
    if (this.stopped) return;
    this.lastResult = raw;
    const outcome: ProbeOutcome = raw.ok ? 'success' : 'failure';
    if (raw.ok) {
      this.consecutiveSuccesses++;
      this.consecutiveFailures = 0;
    } else {
      this.consecutiveFailures++;
      this.consecutiveSuccesses = 0;
    }
    this.hooks.onRawResult(raw);
    if (outcome === this.lastRaw) this.run++;
    else {
      this.lastRaw = outcome;
      this.run = 1;
    }
    if ((outcome === 'failure' && this.run < this.timing.failureThreshold) || (outcome === 'success' && this.run < this.timing.successThreshold)) return;
    const changed = this.result !== outcome;
    this.result = outcome;
    if (outcome === 'failure' && (this.type === 'liveness' || this.type === 'startup')) {
      // The container is about to be killed; stop until the kubelet replaces it.
      this.onHold = true;
      this.run = 0;
      this.hooks.onResult(outcome, raw);
      return;
    }
    if (changed) this.hooks.onResult(outcome, raw);
  }
}

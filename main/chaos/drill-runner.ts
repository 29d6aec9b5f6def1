// One run of a Drill: wait for the steady state, run the steps in order while sampling the checks, watch
// for abort conditions, give the system recoveryTimeout to come back, then write the report. Every write
// goes through the API; the faults it creates carry the drill's labels so cleanup can always find them.
import {
  DRILL_NAME_LABEL, DRILL_NAMESPACE_LABEL, parseGoDuration,
  type AnyFault, type Drill, type DrillPhase, type DrillStatus, type FaultKind,
} from '../../shared/api/chaos';
import { isNotFound } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import type { Endpoints } from '../../shared/api/service';
import type { Deployment } from '../../shared/api/workloads';
import type { KubeClient } from '../client/client';
import type { Clock, TimerHandle } from '../client/clock';
import type { CoreEvent } from '../client/events';
import { DEPLOYMENTS, ENDPOINTS, EVENTS, PODS } from '../client/gvr';
import { SharedInformerFactory } from '../client/informer-factory';
import { startCheck, type CheckSample, type HttpGet, type RunningCheck } from './drill-checks';
import { buildReport, type SteadyTransition } from './drill-report';
import { deleteFaultAndWait, DRILLS, FAULT_GVRS, runStep, StepError, type StepHost, type WaitResult } from './drill-steps';
import { Timeline, watchTimeline } from './drill-timeline';

export const DEFAULT_RECOVERY_TIMEOUT_MS = 60_000;
export const DEFAULT_STEADY_STATE_TIMEOUT_MS = 60_000;
export const DEFAULT_ABORT_AFTER_MS = 5_000;

export interface DrillRunOptions {
  client: KubeClient;
  clock: Clock;
  httpGet?: HttpGet;
  /** How often checks are sampled (default 500 ms). */
  sampleMs?: number;
  /** How often a changed timeline is written to status (default 2 s). */
  flushMs?: number;
  /** How often waits poll the API (default 250 ms). */
  pollMs?: number;
  logger?: { warn(message: string): void };
}

const ms = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : (parseGoDuration(text) ?? fallback));

export class DrillRun implements StepHost {
  readonly drill: Drill;
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly timeline: Timeline;
  readonly done: Promise<void>;
  private readonly ns: string;
  private readonly name: string;
  private readonly sampleMs: number;
  private readonly flushMs: number;
  private readonly pollMs: number;
  private readonly factory: SharedInformerFactory;
  private readonly faults = new Map<string, { kind: FaultKind; namespace?: string; name: string }>();
  private readonly cordons = new Map<string, boolean>();
  private readonly wakers = new Set<() => void>();
  private readonly lastHeld = new Map<RunningCheck, boolean>();
  private readonly abortFailingSince = new Map<RunningCheck, number>();
  private steady: RunningCheck[] = [];
  private abortChecks: RunningCheck[] = [];
  private timers: TimerHandle[] = [];
  private unwatch?: () => void;
  private steadyNow = false;
  private steadyMessages: string[] = [];
  private measureStart?: number;
  private disruptedAt?: number;
  private transitions: SteadyTransition[] = [];
  private phase: DrillPhase = 'Pending';
  private interruptReason?: string;
  private aborted = false;
  private gone = false;
  private statusChain: Promise<void> = Promise.resolve();

  constructor(drill: Drill, private readonly options: DrillRunOptions) {
    this.drill = drill;
    this.client = options.client;
    this.clock = options.clock;
    this.ns = drill.metadata.namespace!;
    this.name = drill.metadata.name!;
    this.sampleMs = options.sampleMs ?? 500;
    this.flushMs = options.flushMs ?? 2000;
    this.pollMs = options.pollMs ?? 250;
    this.timeline = new Timeline(this.clock);
    this.factory = new SharedInformerFactory(this.client, { clock: this.clock, namespace: this.ns });
    this.done = this.run().catch((e) => this.options.logger?.warn(`drill ${this.ns}/${this.name}: ${(e as Error).message}`));
  }

  /** Ends the run early: faults deleted, phase Aborted with `reason` (unless the drill is being deleted). */
  cancel(reason: string): void {
    this.interrupt(reason);
  }

  // ---- StepHost --------------------------------------------------------------------------------------

  sleep(durationMs: number): Promise<boolean> {
    if (this.interruptReason) return Promise.resolve(false);
    return new Promise((resolve) => {
      const handle: { timer?: TimerHandle } = {};
      const wake = (): void => {
        handle.timer?.cancel();
        this.wakers.delete(wake);
        resolve(!this.interruptReason);
      };
      this.wakers.add(wake);
      handle.timer = this.clock.setTimeout(wake, durationMs);
    });
  }

  async waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<WaitResult> {
    const deadline = this.clock.nowMs() + timeoutMs;
    for (;;) {
      if (this.interruptReason) return 'interrupted';
      if (await cond()) return 'ok';
      if (this.interruptReason) return 'interrupted';
      const left = deadline - this.clock.nowMs();
      if (left <= 0) return 'timeout';
      if (!(await this.sleep(Math.min(this.pollMs, left)))) return 'interrupted';
    }
  }

  markDisrupted(time: string): void {
    if (this.disruptedAt !== undefined) return;
    const at = Date.parse(time);
    this.disruptedAt = Number.isNaN(at) ? this.clock.nowMs() : at;
  }

  trackFault(kind: FaultKind, namespace: string | undefined, name: string): void {
    this.faults.set(`${kind}/${namespace ?? ''}/${name}`, { kind, namespace, name });
  }

  trackCordon(node: string, uncordon: boolean): void {
    this.cordons.set(node, uncordon);
  }

  // ---- the run -----------------------------------------------------------------------------------------

  private interrupt(reason: string): void {
    if (this.interruptReason) return;
    this.interruptReason = reason;
    for (const wake of [...this.wakers]) wake();
  }

  private async run(): Promise<void> {
    const spec = this.drill.spec;
    const startedAt = this.clock.now().toISOString();
    try {
      await this.startWatching(startedAt);
      const ctx = {
        namespace: this.ns,
        clock: this.clock,
        deployments: this.factory.lister<Deployment>(DEPLOYMENTS),
        endpoints: this.factory.lister<Endpoints>(ENDPOINTS),
        getService: (ns: string, name: string) => this.client.services().get(ns, name) as never,
        httpGet: this.options.httpGet,
      };
      this.steady = spec.steadyState.map((c) => startCheck(c, 'steadyState', ctx));
      this.abortChecks = (spec.abortWhen ?? []).map((c) => startCheck(c, 'abortWhen', ctx));
      this.timers.push(this.clock.setInterval(() => this.tick(), this.sampleMs));
      this.timers.push(this.clock.setInterval(() => this.flush(), this.flushMs));
      this.timeline.add('Drill', `drill started: waiting for the steady state`);
      await this.writeStatus({ phase: 'Pending', startedAt, message: 'waiting for the steady state' });
      this.tick();
      const steadyTimeout = ms(spec.steadyStateTimeout, DEFAULT_STEADY_STATE_TIMEOUT_MS);
      const steady = await this.waitFor(() => this.steadyNow, steadyTimeout);
      if (steady === 'interrupted') return await this.finish('Aborted', this.interruptReason!, false);
      if (steady === 'timeout') return await this.finish('Failed', `steady state not met before the drill: ${this.steadyMessages.join('; ')}`, false);
      this.beginMeasuring();
      this.phase = 'Running';
      this.timeline.add('Drill', 'steady state verified: running the steps', { ok: true });
      for (const [i, step] of spec.steps.entries()) {
        await this.writeStatus({ phase: 'Running', currentStep: i, currentStepName: step.name, message: `step ${i + 1}/${spec.steps.length}: ${step.name}` });
        this.timeline.add('Step', `step ${i + 1}/${spec.steps.length} ${step.name} started`);
        let result: WaitResult;
        try {
          result = await runStep(this, step);
        } catch (e) {
          const message = e instanceof StepError ? e.message : `step ${step.name}: ${(e as Error).message}`;
          await this.cleanup();
          return await this.finish('Failed', message, true);
        }
        if (result === 'interrupted') {
          await this.cleanup();
          return await this.finish('Aborted', this.interruptReason!, true);
        }
        this.timeline.add('Step', `step ${step.name} done`);
      }
      this.phase = 'Recovering';
      const recoveryTimeout = ms(spec.recoveryTimeout, DEFAULT_RECOVERY_TIMEOUT_MS);
      await this.writeStatus({ phase: 'Recovering', message: `waiting up to ${recoveryTimeout / 1000}s for the steady state` });
      // One more sample first, so a state that broke during the last instant of the steps is seen.
      await this.sleep(this.sampleMs);
      const back = await this.waitFor(() => this.steadyNow, recoveryTimeout);
      await this.cleanup();
      if (back === 'interrupted') return await this.finish('Aborted', this.interruptReason!, true);
      const held = back === 'ok';
      await this.finish(held ? 'Succeeded' : 'Failed', held ? 'hypothesis held' : `steady state not back within ${recoveryTimeout / 1000}s: ${this.steadyMessages.join('; ')}`, true);
    } catch (e) {
      await this.cleanup().catch(() => undefined);
      await this.finish('Failed', `drill error: ${(e as Error).message}`, this.measureStart !== undefined).catch(() => undefined);
    }
  }

  private async startWatching(since: string): Promise<void> {
    const pods = this.factory.informerFor<Pod>(PODS);
    const endpoints = this.factory.informerFor<Endpoints>(ENDPOINTS);
    this.factory.informerFor<Deployment>(DEPLOYMENTS);
    const events = [this.factory.informerFor<CoreEvent>(EVENTS)];
    // Kubernetes records Node events in `default`.
    if (this.ns !== 'default') events.push(this.factory.informerFor<CoreEvent>(EVENTS, { namespace: 'default', fieldSelector: 'involvedObject.kind=Node' }));
    const labelSelector = `${DRILL_NAME_LABEL}=${this.name},${DRILL_NAMESPACE_LABEL}=${this.ns}`;
    const faults = (Object.keys(FAULT_GVRS) as FaultKind[]).map((kind) =>
      this.factory.informerFor<AnyFault>(FAULT_GVRS[kind], { namespace: kind === 'NodeFault' ? '' : this.ns, labelSelector }),
    );
    this.unwatch = watchTimeline(this.timeline, { pods, endpoints, events, faults }, since);
    this.factory.start();
    await this.factory.waitForCacheSync();
  }

  private beginMeasuring(): void {
    this.measureStart = this.clock.nowMs();
    for (const c of [...this.steady, ...this.abortChecks]) c.startMeasuring();
    this.transitions = [{ at: this.measureStart, held: this.steadyNow }];
  }

  private tick(): void {
    if (this.phase === 'Succeeded' || this.phase === 'Failed' || this.phase === 'Aborted') return;
    const now = this.clock.nowMs();
    const samples = this.steady.map((c) => this.sampleOne(c));
    const held = samples.every((s) => s.held);
    this.steadyMessages = samples.filter((s) => !s.held).map((s) => s.message);
    if (this.measureStart !== undefined && held !== this.transitions[this.transitions.length - 1]?.held) this.transitions.push({ at: now, held });
    this.steadyNow = held;
    for (const c of this.abortChecks) {
      const s = this.sampleOne(c);
      if (s.held) {
        this.abortFailingSince.delete(c);
        continue;
      }
      const since = this.abortFailingSince.get(c) ?? now;
      this.abortFailingSince.set(c, since);
      if (this.phase === 'Running' && now - since >= ms(this.drill.spec.abortAfter, DEFAULT_ABORT_AFTER_MS)) {
        this.aborted = true;
        this.interrupt(`abort condition ${c.spec.name} failed for ${this.drill.spec.abortAfter ?? '5s'}: ${s.message}`);
      }
    }
  }

  private sampleOne(c: RunningCheck): CheckSample {
    const s = c.sample();
    c.count(s);
    if (this.lastHeld.get(c) !== s.held) {
      this.lastHeld.set(c, s.held);
      this.timeline.add('Check', `check ${c.spec.name} ${s.held ? 'holds' : 'fails'}: ${s.message}`, { ok: s.held });
    }
    return s;
  }

  /** Deletes every fault this drill created (also ones found only by label) and waits for their revert. */
  async cleanup(): Promise<void> {
    const labelSelector = `${DRILL_NAME_LABEL}=${this.name},${DRILL_NAMESPACE_LABEL}=${this.ns}`;
    for (const kind of Object.keys(FAULT_GVRS) as FaultKind[]) {
      const list = await this.client.resource<AnyFault>(FAULT_GVRS[kind]).list(kind === 'NodeFault' ? undefined : this.ns, { labelSelector }).catch(() => ({ items: [] as AnyFault[] }));
      for (const f of list.items) this.trackFault(kind, f.metadata.namespace, f.metadata.name!);
    }
    await Promise.all(
      [...this.faults.values()].map(async (f) => {
        const ok = await deleteFaultAndWait(this.client, f.kind, f.namespace, f.name, { clock: this.clock }).catch(() => false);
        this.timeline.add('Fault', ok ? `${f.kind} ${f.name} removed` : `${f.kind} ${f.name} still reverting`, { ok });
      }),
    );
    this.faults.clear();
    for (const [node, uncordon] of this.cordons) {
      if (!uncordon) continue;
      await this.client.nodes().patch(undefined, node, 'application/merge-patch+json', { spec: { unschedulable: null } }).catch(() => undefined);
      this.timeline.add('Step', `node ${node} uncordoned`, { object: { kind: 'Node', name: node } });
    }
    this.cordons.clear();
  }

  private async finish(phase: DrillPhase, message: string, measured: boolean): Promise<void> {
    this.phase = phase;
    for (const t of this.timers.splice(0)) t.cancel();
    const checks = [...this.steady, ...this.abortChecks];
    for (const c of checks) c.stop();
    const report = buildReport({
      steadyBefore: measured,
      aborted: phase === 'Aborted',
      measureStart: this.measureStart,
      disruptedAt: this.disruptedAt,
      transitions: this.transitions,
      heldAtEnd: phase === 'Succeeded',
      checks: checks.map((c) => c.report()),
      message,
    });
    this.timeline.add('Drill', `drill ${phase}: ${message}`, { ok: phase === 'Succeeded' });
    this.unwatch?.();
    this.factory.shutdown();
    await this.writeStatus({ phase, message, report, finishedAt: this.clock.now().toISOString() }, true);
    await this.statusChain;
  }

  private flush(): void {
    const timeline = this.timeline.takeIfDirty();
    if (timeline) void this.writeStatus({}, false, timeline);
  }

  /** Merge-patches status (serialized); the timeline goes with every write that carries news. */
  private writeStatus(fields: DrillStatus, withTimeline = true, timeline = withTimeline ? this.timeline.snapshot() : undefined): Promise<void> {
    const status: DrillStatus = { ...fields, observedGeneration: this.drill.metadata.generation };
    if (timeline) status.timeline = timeline;
    this.statusChain = this.statusChain.then(async () => {
      if (this.gone) return;
      try {
        await this.client.resource(DRILLS).patchSubresource(this.ns, this.name, 'status', 'application/merge-patch+json', { status });
      } catch (e) {
        if (isNotFound(e)) {
          this.gone = true;
          this.interrupt('the drill was deleted');
        } else this.options.logger?.warn(`drill ${this.ns}/${this.name}: status not written: ${(e as Error).message}`);
      }
    });
    return this.statusChain;
  }

  /** Whether the run is still measuring an aborted/abortable drill (for the controller's stop). */
  get finished(): boolean {
    return this.phase === 'Succeeded' || this.phase === 'Failed' || this.phase === 'Aborted';
  }

  get wasAborted(): boolean {
    return this.aborted;
  }
}

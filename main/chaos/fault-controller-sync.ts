// One fault kind's reconcile loop (informer + work queue + level-triggered sync), driven by its injector:
//   Pending → (finalizer) → Injecting [targets, injectedAt, expiresAt persisted BEFORE anything is touched]
//   → inject target by target (status written after each, so a crash knows what was done) → Injected
//   → at expiresAt (re-derived from status on every sync, not only a timer) → Reverting → Reverted.
// Deletion reverts first, then drops the finalizer; an injection failure reverts what was done → Failed.
import {
  CHAOS_GROUP, CHAOS_REVERT_FINALIZER, CHAOS_VERSION, FAULT_RESOURCES, parseGoDuration,
  type AnyFault, type FaultStatus, type FaultTarget,
} from '../../shared/api/chaos';
import type { KubeClient, ResourceClient } from '../client/client';
import type { Clock } from '../client/clock';
import type { EventRecorder } from '../client/events';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../client/indexer';
import { SharedInformer } from '../client/informer';
import { runWorkers, WorkQueue, type Workers } from '../client/workqueue';
import type { FaultInjector } from './types';
import { injectedCondition, isActive, isFinished, rfc3339, setRevertFinalizer, writeFaultStatus } from './fault-controller-status';

export interface FaultKindLoopOptions {
  client: KubeClient;
  injector: FaultInjector;
  clock: Clock;
  recorder: EventRecorder;
  logger: { warn(message: string): void };
  workers?: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** "node node-2", "pod web/web-1", "service web/frontend": how events and messages name a target. */
export function describeTarget(t: FaultTarget): string {
  return `${t.kind.toLowerCase()} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

/** What the fault does, for messages: its action, or the ServiceFault's disturbances. */
export function describeAction(fault: AnyFault): string {
  const spec = fault.spec as unknown as Record<string, unknown>;
  if (typeof spec.action === 'string') return spec.action;
  const parts = [spec.latency ? `latency ${String(spec.latency)}` : '', spec.errorPercent ? `${String(spec.errorPercent)}% errors` : '', spec.dropPercent ? `${String(spec.dropPercent)}% drops` : ''];
  return parts.filter(Boolean).join(', ') || 'service fault';
}

export class FaultKindLoop {
  readonly informer: SharedInformer<AnyFault>;
  readonly queue: WorkQueue<string>;
  readonly api: ResourceClient<AnyFault>;
  private workers?: Workers;
  /** resourceVersion of our last write per key: a cache older than that is not acted on (no double inject). */
  private readonly written = new Map<string, number>();
  private stopping = false;

  constructor(private readonly options: FaultKindLoopOptions) {
    const kind = options.injector.kind;
    this.api = options.client.resource<AnyFault>({ group: CHAOS_GROUP, version: CHAOS_VERSION, resource: FAULT_RESOURCES[kind] });
    this.queue = new WorkQueue<string>({ name: `chaos-${kind.toLowerCase()}`, clock: options.clock });
    this.informer = new SharedInformer<AnyFault>(this.api, { clock: options.clock, logger: options.logger });
    const enqueue = (f: AnyFault): void => this.queue.add(metaNamespaceKey(f));
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, f) => enqueue(f), onDelete: (f) => this.written.delete(metaNamespaceKey(f)) });
  }

  get kind(): string {
    return this.options.injector.kind;
  }

  /** Lists and watches; keys queue up but nothing is synced until runWorkers(). */
  async startInformer(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  runWorkers(): void {
    this.workers = runWorkers(this.queue, this.options.workers ?? 2, (key) => this.sync(key), this.options.logger);
  }

  /** Stops taking work and waits for syncs in flight; nothing new is injected afterwards. */
  async shutDown(): Promise<void> {
    this.stopping = true;
    await this.queue.shutDownWithDrain();
    await this.workers?.finished;
    this.informer.stop();
  }

  async sync(key: string): Promise<void> {
    if (this.stopping) return;
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.informer.lister.get(namespace, name);
    if (!cached) return;
    if (Number(cached.metadata.resourceVersion) < (this.written.get(key) ?? 0)) {
      this.queue.addAfter(key, 10);
      return;
    }
    let fault: AnyFault | undefined = structuredClone(cached);
    if (fault.metadata.deletionTimestamp) return this.finalize(key, fault);
    if (isFinished(fault)) {
      // Nothing left to revert: a history object needs no finalizer (deleting it must never hang).
      await this.remember(key, setRevertFinalizer(this.api, fault, false));
      return;
    }
    fault = await this.remember(key, setRevertFinalizer(this.api, fault, true));
    if (!fault) return;
    if (!fault.status?.phase || fault.status.phase === 'Pending') fault = await this.begin(key, fault);
    if (fault?.status?.phase === 'Injecting') fault = await this.inject(key, fault);
    if (fault?.status?.phase === 'Injected') {
      const left = Date.parse(fault.status.expiresAt ?? '') - this.options.clock.nowMs();
      if (left > 0) this.queue.addAfter(key, left);
      else if (!Number.isNaN(left)) fault = await this.revert(key, fault, `Reverted: duration ${fault.spec.duration ?? ''} ended`.replace('  ', ' '));
    }
    if (fault?.status?.phase === 'Reverting') await this.revert(key, fault, 'Reverted');
  }

  /** Selects the targets and persists them with the deadline before anything is touched. */
  private async begin(key: string, fault: AnyFault): Promise<AnyFault | undefined> {
    let targets: FaultTarget[];
    try {
      targets = await this.options.injector.selectTargets(fault);
    } catch (e) {
      return this.fail(key, fault, `selecting targets failed: ${errorText(e)}`);
    }
    if (targets.length === 0) return this.fail(key, fault, 'no target matched the selector; nothing was injected');
    const now = this.options.clock.nowMs();
    const durationMs = fault.spec.duration ? parseGoDuration(fault.spec.duration) : undefined;
    const status: FaultStatus = {
      phase: 'Injecting',
      observedGeneration: fault.metadata.generation,
      targets,
      injectedAt: rfc3339(now),
      message: `Injecting ${describeAction(fault)} into ${targets.map(describeTarget).join(', ')}`,
    };
    if (durationMs !== undefined && durationMs > 0) status.expiresAt = rfc3339(now + durationMs);
    status.conditions = injectedCondition('Injecting', status.message!, now, fault.status?.conditions);
    return this.remember(key, writeFaultStatus(this.api, fault, status));
  }

  private async inject(key: string, fault: AnyFault): Promise<AnyFault | undefined> {
    let current: AnyFault | undefined = fault;
    const targets = [...(fault.status?.targets ?? [])];
    for (let i = 0; i < targets.length; i++) {
      if (targets[i].injectedAt) continue;
      if (this.stopping) return current;
      try {
        const done = await this.options.injector.inject(current!, targets[i]);
        targets[i] = { ...targets[i], ...done, injectedAt: rfc3339(this.options.clock.nowMs()) };
      } catch (e) {
        const message = `injecting ${describeAction(fault)} into ${describeTarget(targets[i])} failed: ${errorText(e)}`;
        // The failing target may be half done (revert is idempotent and works from the target alone).
        targets[i] = { ...targets[i], injectedAt: rfc3339(this.options.clock.nowMs()), message: errorText(e) };
        current = await this.remember(key, writeFaultStatus(this.api, current!, { ...current!.status, targets }));
        if (!current) return undefined;
        const reverted = await this.revertTargets(current);
        return this.fail(key, reverted, `${message}; what was injected has been reverted`, reverted.status?.targets);
      }
      current = await this.remember(key, writeFaultStatus(this.api, current!, { ...current!.status, targets }));
      if (!current) return undefined;
    }
    const message = `Injected ${describeAction(fault)} into ${targets.map(describeTarget).join(', ')}`;
    const now = this.options.clock.nowMs();
    current = await this.remember(
      key,
      writeFaultStatus(this.api, current!, { ...current!.status, phase: 'Injected', message, conditions: injectedCondition('Injected', message, now, current!.status?.conditions) }),
    );
    if (current) this.options.recorder.event(current, 'Normal', 'Injected', message);
    return current;
  }

  /** Reverting (persisted) → revert every injected target → Reverted; a revert error leaves it Reverting (retried). */
  async revert(key: string, fault: AnyFault, message: string, everyTarget = false): Promise<AnyFault | undefined> {
    let current: AnyFault | undefined = fault;
    if (current.status?.phase !== 'Reverting') {
      const status = { ...current.status, phase: 'Reverting' as const, message: `Reverting ${describeAction(fault)}` };
      current = await this.remember(key, writeFaultStatus(this.api, current, status));
      if (!current) return undefined;
    }
    const reverted = await this.revertTargets(current, everyTarget);
    const failed = (reverted.status?.targets ?? []).filter((t) => (everyTarget || t.injectedAt) && !t.revertedAt);
    if (failed.length) {
      await this.remember(key, writeFaultStatus(this.api, current, reverted.status!));
      throw new Error(`${this.kind} ${key}: revert of ${failed.map(describeTarget).join(', ')} failed: ${failed.map((t) => t.message).join('; ')}`);
    }
    const now = this.options.clock.nowMs();
    const status: FaultStatus = { ...reverted.status, phase: 'Reverted', revertedAt: rfc3339(now), message };
    status.conditions = injectedCondition('Reverted', message, now, status.conditions);
    current = await this.remember(key, writeFaultStatus(this.api, current, status));
    if (current) {
      this.options.recorder.event(current, 'Normal', 'Reverted', `${message}: ${describeAction(fault)} on ${(status.targets ?? []).map(describeTarget).join(', ')}`);
      current = await this.remember(key, setRevertFinalizer(this.api, current, false));
    }
    return current;
  }

  /**
   * Reverts every target injected and not yet reverted (`everyTarget`: also those not recorded as injected —
   * after a crash, one may have been injected just before its status write); answers the fault with
   * per-target results, not yet written.
   */
  private async revertTargets(fault: AnyFault, everyTarget = false): Promise<AnyFault> {
    const targets = [...(fault.status?.targets ?? [])];
    // Reverse order: undo the last thing done first, as a stack of changes.
    for (let i = targets.length - 1; i >= 0; i--) {
      const t = targets[i];
      if ((!everyTarget && !t.injectedAt) || t.revertedAt) continue;
      try {
        await this.options.injector.revert(fault, t);
        targets[i] = { ...t, revertedAt: rfc3339(this.options.clock.nowMs()) };
      } catch (e) {
        targets[i] = { ...t, message: `revert failed: ${errorText(e)}` };
      }
    }
    return { ...fault, status: { ...fault.status, targets } };
  }

  private async fail(key: string, fault: AnyFault, message: string, targets?: FaultTarget[]): Promise<AnyFault | undefined> {
    const now = this.options.clock.nowMs();
    const status: FaultStatus = { ...fault.status, phase: 'Failed', message, conditions: injectedCondition('Failed', message, now, fault.status?.conditions) };
    if (targets) status.targets = targets;
    if (status.targets?.some((t) => t.revertedAt)) status.revertedAt = rfc3339(now);
    const written = await this.remember(key, writeFaultStatus(this.api, fault, status));
    if (written) {
      this.options.recorder.event(written, 'Warning', 'Failed', message);
      return this.remember(key, setRevertFinalizer(this.api, written, false));
    }
    return undefined;
  }

  /** Deletion: revert whatever is in force, then let the object go. */
  private async finalize(key: string, fault: AnyFault): Promise<void> {
    if (!(fault.metadata.finalizers ?? []).includes(CHAOS_REVERT_FINALIZER)) return;
    let current: AnyFault | undefined = fault;
    if (isActive(fault)) current = await this.revert(key, fault, 'Reverted: the fault was deleted');
    if (current) await this.remember(key, setRevertFinalizer(this.api, current, false));
  }

  /**
   * Reverts every fault of this kind still recorded as in force, from a fresh list (not the cache): at
   * start-up after a crash, and when the lab stops. Errors are logged, the fault stays Reverting.
   */
  async revertAllActive(message: string): Promise<number> {
    const list = await this.api.list();
    let count = 0;
    for (const fault of list.items) {
      if (!isActive(fault)) continue;
      count++;
      try {
        await this.revert(metaNamespaceKey(fault), fault, message, true);
      } catch (e) {
        this.options.logger.warn(`chaos: ${errorText(e)}`);
      }
    }
    return count;
  }

  private async remember<F extends AnyFault>(key: string, write: Promise<F | undefined>): Promise<F | undefined> {
    const written = await write;
    if (written) this.written.set(key, Math.max(this.written.get(key) ?? 0, Number(written.metadata.resourceVersion)));
    return written;
  }
}

// The scheduling queue (pkg/scheduler/backend/queue): activeQ ordered by priority then arrival,
// backoffQ for pods waiting out their per-pod backoff, and unschedulablePods parked until the
// cluster changes in a way that could help (a node added or updated, a pod deleted) or until they
// have waited too long. Keys are `namespace/name`; the latest pod object is read at pop time.
import type { Clock, TimerHandle } from '../client/clock';

export interface QueueOptions {
  clock: Clock;
  /** Per-pod backoff: initial × 2^(attempts−1), capped (kube-scheduler: 1 s and 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried at least this often even if nothing changed (kube-scheduler: 5 min). */
  maxUnschedulableMs?: number;
  /** How often the backoff and leftover queues are flushed. */
  flushIntervalMs?: number;
}

interface Entry {
  key: string;
  priority: number;
  /** Arrival order, for FIFO among equal priorities. */
  seq: number;
  attempts: number;
  /** When the last attempt ended (for backoff) and when it was parked (for the leftover flush). */
  lastAttemptMs: number;
  parkedMs: number;
}

export class SchedulingQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly active: Entry[] = []; // binary heap
  private readonly inActive = new Set<string>();
  private readonly backoff = new Set<string>();
  private readonly unschedulable = new Set<string>();
  private readonly inFlight = new Set<string>();
  // A cluster change seen while a pod was being tried means its failure may already be stale:
  // such a pod goes to backoff instead of being parked (kube-scheduler's moveRequestCycle).
  private moveCycle = 0;
  private readonly attemptCycle = new Map<string, number>();
  private seq = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private timer?: TimerHandle;

  constructor(private readonly options: QueueOptions) {
    this.timer = options.clock.setInterval(() => this.flush(), options.flushIntervalMs ?? 1000);
  }

  private get now(): number {
    return this.options.clock.nowMs();
  }

  /** A new or changed unscheduled pod: schedule it (again) soon. */
  add(key: string, priority: number): void {
    let e = this.entries.get(key);
    if (!e) {
      e = { key, priority, seq: this.seq++, attempts: 0, lastAttemptMs: 0, parkedMs: 0 };
      this.entries.set(key, e);
    } else {
      e.priority = priority;
      // Changed while being tried: if this attempt fails, retry after backoff rather than parking.
      if (this.inFlight.has(key)) this.attemptCycle.set(key, -1);
      if (this.inFlight.has(key) || this.inActive.has(key)) return;
      this.unschedulable.delete(key);
      // An update may be exactly the fix (a toleration added), so it skips the rest of its backoff
      // only when it had been parked; a pod in backoff keeps waiting it out.
      if (this.backoff.has(key)) return;
    }
    this.pushActive(e);
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inActive.delete(key);
    this.attemptCycle.delete(key);
    // Heap entries of deleted keys are skipped on pop.
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Waits for the next pod to try; undefined once closed. */
  async pop(): Promise<string | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const e = this.popActive();
      if (e) {
        e.attempts++;
        this.inFlight.add(e.key);
        this.attemptCycle.set(e.key, this.moveCycle);
        return e.key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The attempt succeeded (bound or given up): forget the pod. */
  done(key: string): void {
    this.inFlight.delete(key);
    this.delete(key);
  }

  /** The attempt failed: park it, or back it off if the cluster changed meanwhile. */
  requeueUnschedulable(key: string): void {
    const e = this.entries.get(key);
    this.inFlight.delete(key);
    if (!e) return;
    e.lastAttemptMs = this.now;
    const changedMeanwhile = (this.attemptCycle.get(key) ?? -1) < this.moveCycle;
    if (changedMeanwhile) this.backoff.add(key);
    else {
      e.parkedMs = this.now;
      this.unschedulable.add(key);
    }
  }

  /** An error unrelated to fit (binding failed): retry after the backoff. */
  requeueBackoff(key: string): void {
    const e = this.entries.get(key);
    this.inFlight.delete(key);
    if (!e) return;
    e.lastAttemptMs = this.now;
    this.backoff.add(key);
  }

  /** Something changed that may make parked pods schedulable. */
  moveAllToActiveOrBackoff(): void {
    this.moveCycle++;
    for (const key of [...this.unschedulable]) {
      this.unschedulable.delete(key);
      const e = this.entries.get(key)!;
      if (this.backoffExpired(e)) this.pushActive(e);
      else this.backoff.add(key);
    }
  }

  get pendingCounts(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.inActive.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    for (const w of this.waiters.splice(0)) w();
  }

  /** Moves pods whose backoff is over to active, and long-parked pods to active or backoff. */
  flush(): void {
    for (const key of [...this.backoff]) {
      const e = this.entries.get(key)!;
      if (this.backoffExpired(e)) {
        this.backoff.delete(key);
        this.pushActive(e);
      }
    }
    const max = this.options.maxUnschedulableMs ?? 5 * 60_000;
    for (const key of [...this.unschedulable]) {
      const e = this.entries.get(key)!;
      if (this.now - e.parkedMs < max) continue;
      this.unschedulable.delete(key);
      if (this.backoffExpired(e)) this.pushActive(e);
      else this.backoff.add(key);
    }
  }

  private backoffMs(e: Entry): number {
    const initial = this.options.initialBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 10_000;
    return Math.min(max, initial * 2 ** Math.max(0, Math.min(30, e.attempts - 1)));
  }

  private backoffExpired(e: Entry): boolean {
    return e.attempts === 0 || this.now >= e.lastAttemptMs + this.backoffMs(e);
  }

  private pushActive(e: Entry): void {
    if (this.inActive.has(e.key)) return;
    this.inActive.add(e.key);
    const heap = this.active;
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
    const w = this.waiters.shift();
    w?.();
  }

  private popActive(): Entry | undefined {
    const heap = this.active;
    while (heap.length) {
      const top = heap[0];
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && this.before(heap[l], heap[m])) m = l;
          if (r < heap.length && this.before(heap[r], heap[m])) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m], heap[i]];
          i = m;
        }
      }
      // Skip entries deleted (or re-added as a new object) while they sat in the heap.
      if (this.entries.get(top.key) === top && this.inActive.has(top.key)) {
        this.inActive.delete(top.key);
        return top;
      }
    }
    return undefined;
  }

  private before(a: Entry, b: Entry): boolean {
    return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq;
  }
}

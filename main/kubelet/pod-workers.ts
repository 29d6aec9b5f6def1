// One serialized worker per pod uid (the kubelet's podWorkers): a pod is never synced twice at once,
// and updates that arrive while a sync runs coalesce into one more sync afterwards. Different pods
// sync concurrently, so a slow image pull or a 30 s graceful stop holds up only its own pod.
import type { Clock, TimerHandle } from '../client/clock';

export type SyncFn = (uid: string) => Promise<void>;

interface Worker {
  running: boolean;
  /** Another sync was asked for while one ran. */
  again: boolean;
  /** A delayed sync (backoff expiry, periodic resync). */
  timer?: TimerHandle;
  timerAt?: number;
  idle: Array<() => void>;
  forgotten?: boolean;
}

export interface PodWorkersLogger {
  warn(message: string): void;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;

  constructor(
    private readonly sync: SyncFn,
    private readonly clock: Clock,
    private readonly logger: PodWorkersLogger = { warn: (m) => console.warn(m) },
  ) {}

  /** Sync the pod as soon as its worker is free. */
  enqueue(uid: string): void {
    if (this.stopped) return;
    const w = this.worker(uid);
    w.forgotten = false;
    if (w.running) {
      w.again = true;
      return;
    }
    w.running = true;
    void this.run(uid, w);
  }

  /** Sync the pod after delayMs (the earliest of several requests wins). */
  enqueueAfter(uid: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) return this.enqueue(uid);
    const w = this.worker(uid);
    const at = this.clock.nowMs() + delayMs;
    if (w.timer && w.timerAt !== undefined && w.timerAt <= at) return;
    w.timer?.cancel();
    w.timerAt = at;
    w.timer = this.clock.setTimeout(() => {
      w.timer = undefined;
      w.timerAt = undefined;
      this.enqueue(uid);
    }, delayMs);
  }

  /** The pod is gone for good: drop its worker once the current sync ends. */
  forget(uid: string): void {
    const w = this.workers.get(uid);
    if (!w) return;
    w.timer?.cancel();
    w.timer = undefined;
    if (w.running) w.forgotten = true;
    else this.workers.delete(uid);
  }

  uids(): string[] {
    return [...this.workers.keys()];
  }

  isBusy(uid: string): boolean {
    return this.workers.get(uid)?.running ?? false;
  }

  /** Resolves when no sync of this pod runs or is queued (timers not counted). */
  waitIdle(uid: string): Promise<void> {
    const w = this.workers.get(uid);
    if (!w || !w.running) return Promise.resolve();
    return new Promise((resolve) => w.idle.push(resolve));
  }

  /** Resolves when every worker is idle. */
  async waitAllIdle(): Promise<void> {
    for (;;) {
      const busy = [...this.workers.entries()].filter(([, w]) => w.running).map(([uid]) => uid);
      if (busy.length === 0) return;
      await Promise.all(busy.map((uid) => this.waitIdle(uid)));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.workers.values()) {
      w.timer?.cancel();
      w.timer = undefined;
      w.again = false;
    }
  }

  private worker(uid: string): Worker {
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, again: false, idle: [] };
      this.workers.set(uid, w);
    }
    return w;
  }

  private async run(uid: string, w: Worker): Promise<void> {
    do {
      w.again = false;
      try {
        await this.sync(uid);
      } catch (e) {
        // A failed sync is retried by the next event or resync; it must never kill the worker.
        this.logger.warn(`kubelet: sync of pod ${uid} failed: ${(e as Error).stack ?? String(e)}`);
      }
    } while (w.again && !this.stopped);
    w.running = false;
    for (const resolve of w.idle.splice(0)) resolve();
    if (w.forgotten && !w.again && this.workers.get(uid) === w) this.workers.delete(uid);
  }
}

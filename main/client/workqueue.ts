// client-go's rate-limiting work queue. The guarantees controllers rely on:
//  - a key waiting in the queue is held once, however many times it is added (dedup);
//  - a key being processed is never handed to a second worker; adds meanwhile mark it dirty and it
//    is queued again when the worker calls done() — so no change is ever lost and no key is synced
//    concurrently with itself;
//  - retries wait per key with exponential backoff until forget().
import { isConflict } from '../../shared/api/errors';
import { RealClock, type Clock, type TimerHandle } from './clock';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter';

export interface WorkQueueOptions<K> {
  name?: string;
  clock?: Clock;
  rateLimiter?: RateLimiter<K>;
}

interface Waiting {
  readyAt: number;
  timer: TimerHandle;
}

export class WorkQueue<K = string> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<K>;
  // FIFO as array + head index: shift() on a 10k-key queue would make draining quadratic.
  private queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waitingForDelay = new Map<K, Waiting>();
  private getters: ((key: K | undefined) => void)[] = [];
  private drainers: (() => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.name = options.name ?? 'queue';
    this.clock = options.clock ?? new RealClock();
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  /** Keys waiting to be handed out (not those being processed or waiting for a delay). */
  len(): number {
    return this.queue.length - this.head;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.handOut();
  }

  /** Resolves with the next key, marking it as processing; undefined once shut down and empty. */
  get(): Promise<K | undefined> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** The worker finished this key; if it was added meanwhile it goes back in the queue. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.handOut();
    } else if (this.processing.size === 0) {
      for (const d of this.drainers.splice(0)) d();
    }
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.nowMs() + delayMs;
    const existing = this.waitingForDelay.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.waitingForDelay.delete(key);
      this.add(key);
    }, delayMs);
    this.waitingForDelay.set(key, { readyAt, timer });
  }

  addRateLimited(key: K): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Stop tracking the key's failures (it synced successfully); does not remove it from the queue. */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting keys. As in client-go, keys already queued are still handed out (workers drain
   * them) and get() resolves undefined once none remain.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const w of this.waitingForDelay.values()) w.timer.cancel();
    this.waitingForDelay.clear();
    if (this.len() === 0) for (const g of this.getters.splice(0)) g(undefined);
    if (this.processing.size === 0) for (const d of this.drainers.splice(0)) d();
  }

  /** Shuts down and resolves once every key being processed has been marked done. */
  shutDownWithDrain(): Promise<void> {
    const drained = new Promise<void>((resolve) => {
      if (this.processing.size === 0) resolve();
      else this.drainers.push(resolve);
    });
    this.shutDown();
    return drained;
  }

  private take(): K {
    const key = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  private handOut(): void {
    while (this.getters.length > 0 && this.len() > 0) this.getters.shift()!(this.take());
    if (this.shuttingDown && this.len() === 0) for (const g of this.getters.splice(0)) g(undefined);
  }
}

export interface WorkerLogger {
  warn(message: string): void;
}

export interface Workers {
  /** Resolves when every worker has exited (the queue was shut down and emptied). */
  readonly finished: Promise<void>;
}

/**
 * Starts n workers running the standard controller loop: take a key, sync it, then on error requeue it
 * rate-limited, on success forget its failures; always done(). A key is never dropped: a failing key
 * keeps retrying with growing backoff until it syncs or the queue shuts down.
 */
/** Delay before a key whose sync hit a Conflict is looked at again. */
export const CONFLICT_RETRY_MS = 10;

export function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  sync: (key: K) => Promise<void>,
  logger: WorkerLogger = { warn: (m) => console.warn(m) },
): Workers {
  const loop = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (error) {
        if (isConflict(error)) {
          // A Conflict only means the informer cache was behind a write: look again soon, with no
          // warning and no backoff (every controller would otherwise wrap its sync to say the same).
          queue.forget(key);
          queue.addAfter(key, CONFLICT_RETRY_MS);
          continue;
        }
        const message = (error as Error)?.message ?? String(error);
        logger.warn(`${queue.name}: error syncing ${String(key)} (retry ${queue.numRequeues(key) + 1}): ${message}`);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  const all = Array.from({ length: Math.max(1, workers) }, () => loop());
  return { finished: Promise.all(all).then(() => undefined) };
}

// client-go workqueue rate limiters: how long a key waits before it is retried.
import type { Clock } from './clock';

export interface RateLimiter<K = string> {
  /** How long this key should wait now; counts as one more failure of it. */
  when(key: K): number;
  /** The key succeeded: its failure history is cleared. */
  forget(key: K): void;
  numRequeues(key: K): number;
}

/** Per-key exponential backoff: base·2^failures, capped (client-go defaults: 5 ms, 1000 s). */
export class ItemExponentialFailureRateLimiter<K = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseDelayMs = 5,
    readonly maxDelayMs = 1_000_000,
  ) {}

  when(key: K): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    // 2^exp overflows to Infinity long before it matters; the cap handles that too.
    return Math.min(this.baseDelayMs * 2 ** exp, this.maxDelayMs);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * Overall token bucket shared by all keys (client-go BucketRateLimiter, 10 qps / burst 100 by default):
 * protects the apiserver when many keys fail at once. Reservations may drive the bucket negative, as
 * golang.org/x/time/rate does, so each caller is told exactly how long to wait.
 */
export class BucketRateLimiter<K = string> implements RateLimiter<K> {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    readonly qps = 10,
    readonly burst = 100,
  ) {
    this.tokens = burst;
    this.last = clock.nowMs();
  }

  when(): number {
    const now = this.clock.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

/** The longest wait any of the limiters asks for (client-go MaxOfRateLimiter). */
export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(key: K): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(key)));
  }

  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: K): number {
    return Math.max(0, ...this.limiters.map((l) => l.numRequeues(key)));
  }
}

/** workqueue.DefaultControllerRateLimiter: per-key 5 ms → 1000 s, overall 10 qps with burst 100. */
export function defaultControllerRateLimiter<K = string>(clock: Clock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialFailureRateLimiter<K>(5, 1_000_000), new BucketRateLimiter<K>(clock, 10, 100));
}

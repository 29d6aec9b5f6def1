// flowcontrol.Backoff as the kubelet uses it for CrashLoopBackOff and ImagePullBackOff: per key, the
// delay starts at the base and doubles up to the cap; an entry untouched for longer than the reset
// window starts over at the base (Kubernetes: a container that ran 10 minutes is forgiven).
//
// As in the kubelet, the first failure restarts at once and records the base delay; a failure that
// comes within the recorded delay of the previous one waits it out (so restarts happen after 0, 10,
// 20, 40 s…).
import type { Clock } from '../client/clock';

interface Entry {
  delayMs: number;
  /** When the delay was last computed (the failure time it was computed for). */
  lastUpdate: number;
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  resetMs: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly options: BackoffOptions,
  ) {}

  /** Records a restart for a failure at eventMs; returns the delay now in force for the key. */
  next(key: string, eventMs: number = this.clock.nowMs()): number {
    const entry = this.entries.get(key);
    if (!entry || eventMs - entry.lastUpdate > this.options.resetMs) {
      this.entries.set(key, { delayMs: this.options.baseMs, lastUpdate: eventMs });
      return this.options.baseMs;
    }
    entry.delayMs = Math.min(entry.delayMs * 2, this.options.capMs);
    entry.lastUpdate = eventMs;
    return entry.delayMs;
  }

  /** Time left (ms) before a failure at eventMs may be retried; 0 when it may be retried now. */
  remaining(key: string, eventMs: number): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    if (eventMs - entry.lastUpdate > this.options.resetMs) return 0;
    return Math.max(0, eventMs + entry.delayMs - this.clock.nowMs());
  }

  /** The delay currently recorded for a key (0 if none). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key with this prefix (a pod's containers when the pod goes away). */
  resetPrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  /** Drops entries nobody touched within the reset window (the kubelet's periodic GC). */
  gc(): void {
    const now = this.clock.nowMs();
    for (const [key, e] of this.entries) if (now - e.lastUpdate > 2 * this.options.resetMs) this.entries.delete(key);
  }
}

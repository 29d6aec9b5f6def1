// The watch window: the last N committed events (etcd's history before compaction) and the live
// watchers. Everything here is synchronous and runs on the one JavaScript thread, which is what makes
// "replay from the window, then register as live" free of gaps and duplicates.
import { StoreError, type StoreEvent, type StoreWatch } from './store';
import type { StoreLogger } from './logger';

interface Watcher {
  prefix: string;
  /** Only events with a greater resourceVersion are delivered (matters for a watch from a future RV). */
  after: number;
  onEvent: (event: StoreEvent) => void;
  stopped: boolean;
}

export class WatchWindow {
  /** Ring buffer of events in commit order; `head` is the oldest, `length` how many are held. */
  private readonly ring: (StoreEvent | undefined)[];
  private head = 0;
  private length = 0;
  /** Every event with resourceVersion > startResourceVersion is in the ring. */
  private startResourceVersion: number;
  private readonly watchers = new Set<Watcher>();

  constructor(
    readonly capacity: number,
    startResourceVersion: number,
    private readonly logger: StoreLogger,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`watch window capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array(capacity);
    this.startResourceVersion = startResourceVersion;
  }

  /** The oldest resourceVersion a watch may start from. */
  get oldestResourceVersion(): number {
    return this.startResourceVersion;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /**
   * Appends a committed event (dropping the oldest when full) and delivers it to live watchers — as
   * `live` when given: the same event with its objects at hand, while the ring keeps the compact form.
   */
  publish(event: StoreEvent, live: StoreEvent = event): void {
    if (this.length === this.capacity) {
      const dropped = this.ring[this.head]!;
      this.startResourceVersion = dropped.resourceVersion;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.length--;
    }
    this.ring[(this.head + this.length) % this.capacity] = event;
    this.length++;
    // A snapshot, so a callback that starts or stops watches does not disturb this delivery.
    for (const watcher of [...this.watchers]) {
      if (!watcher.stopped && live.resourceVersion > watcher.after && live.key.startsWith(watcher.prefix)) this.deliver(watcher, live);
    }
  }

  /**
   * Replays windowed events under `prefix` with resourceVersion > fromResourceVersion, then registers
   * the watcher for live events. Throws Expired when events after fromResourceVersion were dropped.
   */
  watch(prefix: string, fromResourceVersion: number, currentResourceVersion: number, onEvent: (event: StoreEvent) => void): StoreWatch {
    if (fromResourceVersion < this.startResourceVersion) {
      throw new StoreError(
        'Expired',
        prefix,
        `too old resource version: ${fromResourceVersion} (${this.startResourceVersion})`,
      );
    }
    const watcher: Watcher = { prefix, after: fromResourceVersion, onEvent, stopped: false };
    if (fromResourceVersion < currentResourceVersion) {
      for (let i = this.firstIndexAfter(fromResourceVersion); i < this.length && !watcher.stopped; i++) {
        const event = this.ring[(this.head + i) % this.capacity]!;
        if (event.key.startsWith(prefix)) this.deliver(watcher, event);
      }
    }
    if (!watcher.stopped) this.watchers.add(watcher);
    return {
      stop: () => {
        watcher.stopped = true;
        this.watchers.delete(watcher);
      },
    };
  }

  stopAll(): void {
    for (const watcher of this.watchers) watcher.stopped = true;
    this.watchers.clear();
  }

  /** Logical index (0 = oldest) of the first event with resourceVersion > rv; events are in rv order. */
  private firstIndexAfter(rv: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[(this.head + mid) % this.capacity]!.resourceVersion <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private deliver(watcher: Watcher, event: StoreEvent): void {
    // One faulty watcher must neither break the write that produced the event nor starve the others.
    try {
      watcher.onEvent(event);
    } catch (err) {
      this.logger.error(`store watch on "${watcher.prefix}": event handler threw on ${event.type} ${event.key}`, err);
    }
  }
}

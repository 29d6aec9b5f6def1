// client-go's EventCorrelator (tools/record/events_cache.go): decides, for each event a component
// records, whether to drop it (spam filter), fold it into a "combined from similar events" series
// (aggregator) or bump the count of an identical recent Event (logger) instead of creating another.
// Every cache is a bounded LRU so a noisy controller cannot grow memory without limit.
import type { Clock } from './clock';

export interface ObjectReference {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  apiVersion: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface CoreEvent {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  eventTime: string;
  count: number;
  type: 'Normal' | 'Warning';
  reportingComponent: string;
  reportingInstance: string;
  [field: string]: unknown;
}

export type CorrelationResult =
  | { action: 'drop' }
  | { action: 'create'; event: CoreEvent }
  | { action: 'patch'; event: CoreEvent; patch: { count: number; lastTimestamp: string; message: string } };

export interface CorrelatorOptions {
  clock: Clock;
  /** Identical events within this window are counted on one Event (client-go: 10 minutes). */
  windowMs?: number;
  /** Distinct messages of one (object, type, reason) before they are combined (client-go: 10). */
  maxSimilarMessages?: number;
  /** Spam filter per object and type: burst, then one event per refill period (client-go: 25, 5 min). */
  spamBurst?: number;
  spamRefillMs?: number;
  /** Entries kept in each cache (client-go: 4096). */
  cacheSize?: number;
}

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
}

const COMBINED_PREFIX = '(combined from similar events): ';

function objectKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [e.source.component, e.source.host ?? '', o.kind, o.namespace ?? '', o.name, o.uid ?? '', o.apiVersion].join('\x00');
}

interface Observed {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastSeenMs: number;
}

export class EventCorrelator {
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly maxSimilar: number;
  private readonly spamBurst: number;
  private readonly spamRefillMs: number;
  private readonly spam: Lru<{ tokens: number; lastMs: number }>;
  private readonly similar: Lru<{ messages: Set<string>; lastMs: number }>;
  private readonly observed: Lru<Observed>;

  constructor(options: CorrelatorOptions) {
    this.clock = options.clock;
    this.windowMs = options.windowMs ?? 600_000;
    this.maxSimilar = options.maxSimilarMessages ?? 10;
    this.spamBurst = options.spamBurst ?? 25;
    this.spamRefillMs = options.spamRefillMs ?? 300_000;
    const size = options.cacheSize ?? 4096;
    this.spam = new Lru(size);
    this.similar = new Lru(size);
    this.observed = new Lru(size);
  }

  /** Bounded memory: the largest of the caches (for tests and diagnostics). */
  get cachedEntries(): number {
    return Math.max(this.spam.size, this.similar.size, this.observed.size);
  }

  correlate(event: CoreEvent): CorrelationResult {
    const now = this.clock.nowMs();
    if (!this.allowBySpamFilter(event, now)) return { action: 'drop' };
    const { key, message } = this.aggregate(event, now);
    const seen = this.observed.get(key);
    if (seen && now - seen.lastSeenMs <= this.windowMs) {
      seen.count += 1;
      seen.lastSeenMs = now;
      const merged: CoreEvent = {
        ...event,
        message,
        metadata: { name: seen.name, namespace: seen.namespace },
        count: seen.count,
        firstTimestamp: seen.firstTimestamp,
      };
      return { action: 'patch', event: merged, patch: { count: seen.count, lastTimestamp: event.lastTimestamp, message } };
    }
    this.observed.set(key, {
      name: event.metadata.name,
      namespace: event.metadata.namespace,
      count: 1,
      firstTimestamp: event.firstTimestamp,
      lastSeenMs: now,
    });
    return { action: 'create', event: { ...event, message, count: 1 } };
  }

  private allowBySpamFilter(event: CoreEvent, now: number): boolean {
    const key = `${objectKey(event)}\x00${event.type}`;
    const bucket = this.spam.get(key) ?? { tokens: this.spamBurst, lastMs: now };
    bucket.tokens = Math.min(this.spamBurst, bucket.tokens + (now - bucket.lastMs) / this.spamRefillMs);
    bucket.lastMs = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.spam.set(key, bucket);
    return allowed;
  }

  // Past maxSimilar distinct messages for the same (object, type, reason) within the window, further
  // ones share one "combined" Event keyed without the message, as EventAggregator does.
  private aggregate(event: CoreEvent, now: number): { key: string; message: string } {
    const aggregateKey = `${objectKey(event)}\x00${event.type}\x00${event.reason}`;
    let record = this.similar.get(aggregateKey);
    if (!record || now - record.lastMs > this.windowMs) record = { messages: new Set(), lastMs: now };
    // Bounded: once the threshold is reached, which messages were seen no longer matters.
    if (record.messages.size < this.maxSimilar) record.messages.add(event.message);
    record.lastMs = now;
    this.similar.set(aggregateKey, record);
    if (record.messages.size < this.maxSimilar) return { key: `${aggregateKey}\x00${event.message}`, message: event.message };
    return { key: aggregateKey, message: COMBINED_PREFIX + event.message };
  }
}

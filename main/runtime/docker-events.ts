// Follows Docker's /events stream and survives its end (daemon restart, dropped socket): reconnects
// with backoff and `since` = the last event's time, drops the events replayed twice at the seam, and
// calls onResync after every reconnect because an engine restart forgets its event buffer (the kubelet
// then re-lists). Engine access is injected (`open`), so this file does not import dockerode.
import type { Readable } from 'node:stream';
import { type DockerEventShape, toRuntimeEvent } from './docker-mapping';
import { JsonLines } from './docker-streams';
import type { RuntimeEventHandlers } from './runtime';

export interface EventWatchOptions {
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A connection that lived this long resets the backoff; shorter ones keep growing it (no busy loop). */
  healthyMs?: number;
}

/** Docker's `since`: seconds with a nanosecond fraction. */
export function sinceParam(nanos: number): string {
  const seconds = Math.floor(nanos / 1e9);
  const fraction = Math.max(0, Math.floor(nanos - seconds * 1e9));
  return `${seconds}.${String(fraction).padStart(9, '0')}`;
}

export class EventWatcher {
  private stopped = false;
  private current?: Readable;
  private retry?: NodeJS.Timeout;
  private lastNanos: number;
  private readonly seen: string[] = [];
  private readonly seenSet = new Set<string>();
  private backoffMs: number;
  private connections = 0;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly healthyMs: number;

  constructor(
    private readonly open: (since: string) => Promise<Readable>,
    private readonly handlers: RuntimeEventHandlers,
    options: EventWatchOptions = {},
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 3_200;
    this.healthyMs = options.healthyMs ?? 5_000;
    this.backoffMs = this.minBackoffMs;
    // From the moment of the call: events of containers created right after watchEvents() returns are
    // not lost while the stream is still connecting.
    this.lastNanos = Date.now() * 1e6;
  }

  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.current?.destroy();
    this.current = undefined;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let stream: Readable;
    try {
      // A microsecond early: JSON numbers lose nanosecond precision; duplicates are filtered below.
      stream = await this.open(sinceParam(Math.max(0, this.lastNanos - 1_000)));
    } catch (err) {
      this.report(err);
      this.scheduleReconnect(false);
      return;
    }
    if (this.stopped) {
      stream.destroy();
      return;
    }
    this.current = stream;
    const connectedAt = Date.now();
    if (this.connections++ > 0) this.safely(() => this.handlers.onResync?.());
    const lines = new JsonLines((value) => this.deliver(value as DockerEventShape));
    let ended = false;
    const onEnd = (err?: Error): void => {
      if (ended) return;
      ended = true;
      if (this.current === stream) this.current = undefined;
      if (this.stopped) return;
      if (err) this.report(err);
      this.scheduleReconnect(Date.now() - connectedAt >= this.healthyMs);
    };
    stream.on('data', (chunk: Buffer) => lines.push(chunk));
    stream.on('end', () => onEnd());
    stream.on('close', () => onEnd());
    stream.on('error', (err) => onEnd(err));
  }

  private deliver(raw: DockerEventShape): void {
    const nanos = raw.timeNano ?? (raw.time ?? 0) * 1e9;
    const key = `${nanos}|${raw.Actor?.ID ?? raw.id}|${raw.Action ?? raw.status}`;
    if (this.seenSet.has(key)) return;
    this.seenSet.add(key);
    this.seen.push(key);
    if (this.seen.length > 512) this.seenSet.delete(this.seen.shift()!);
    if (nanos > this.lastNanos) this.lastNanos = nanos;
    const event = toRuntimeEvent(raw);
    if (event) this.safely(() => this.handlers.onEvent(event));
  }

  private scheduleReconnect(healthy: boolean): void {
    if (this.stopped) return;
    if (healthy) this.backoffMs = this.minBackoffMs;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref?.();
  }

  private report(err: unknown): void {
    this.safely(() => this.handlers.onError?.(err instanceof Error ? err : new Error(String(err))));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // A throwing handler is the caller's bug; it must not end the watch loop.
    }
  }
}

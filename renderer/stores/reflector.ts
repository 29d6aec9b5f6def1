// A framework-free list + watch reflector (client-go's Reflector + a store keyed by uid), so the
// Pinia store stays thin and this logic is unit-tested without a browser.
// - list, then watch from the list's resourceVersion;
// - watch events are queued and applied once per animation frame: 500 pod updates in one frame
//   cost one re-render, not 500;
// - an event older than the object already held is ignored (the lab's resourceVersions are
//   integers, so they compare; opaque ones are applied in arrival order);
// - a cleanly closed watch resumes from the last resourceVersion seen; 410 Expired or any error
//   re-lists with exponential backoff, and the new list replaces the held objects exactly.
import type { ApiError } from '../../shared/api/errors';
import type { KubeList, KubeObject, WatchEvent } from '../../shared/api/meta';
import type { ListOptions, WatchHandle, WatchOptions } from '../api/client';

export interface ListWatchClient {
  list<T extends KubeObject>(path: string, options?: ListOptions): Promise<KubeList<T>>;
  watch(path: string, options: WatchOptions): WatchHandle;
}

export interface ReflectorOptions {
  /** Collection path, e.g. /api/v1/namespaces/default/pods or /api/v1/pods. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** Schedules a flush of queued events: requestAnimationFrame in the browser. */
  schedule?: (flush: () => void) => void;
  /** Timer for backoff; injectable so tests control time. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called after each list or flushed batch with the held objects. */
  onChange(objects: ReadonlyMap<string, KubeObject>): void;
  onError?(error: ApiError | undefined): void;
}

// Through globalThis: this module is also type-checked (and unit-tested) without the DOM library.
const defaultSchedule = (flush: () => void): void => {
  const raf = (globalThis as { requestAnimationFrame?: (callback: () => void) => unknown }).requestAnimationFrame;
  if (typeof raf === 'function') raf(() => flush());
  else setTimeout(flush, 16);
};

/** Orders two resourceVersions when both are integers; undefined when they cannot be compared. */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

export function keyOf(o: KubeObject): string {
  return o.metadata.uid ?? `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

export class Reflector {
  readonly objects = new Map<string, KubeObject>();
  /** The resourceVersion the next watch starts from. */
  resourceVersion = '';
  /** How many lists were made (first one included): tests and diagnostics. */
  lists = 0;
  private queue: WatchEvent[] = [];
  private flushScheduled = false;
  private watchHandle: WatchHandle | undefined;
  private timer: unknown;
  private backoffMs: number;
  private stopped = true;
  /** Bumped on every (re)list so a late flush or callback of an older generation is dropped. */
  private generation = 0;

  constructor(
    private readonly client: ListWatchClient,
    private readonly options: ReflectorOptions,
  ) {
    this.backoffMs = options.initialBackoffMs ?? 500;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.listAndWatch();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.watchHandle?.stop();
    this.watchHandle = undefined;
    if (this.timer !== undefined) (this.options.clearTimer ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
    this.timer = undefined;
    this.queue = [];
  }

  get running(): boolean {
    return !this.stopped;
  }

  private async listAndWatch(): Promise<void> {
    const generation = ++this.generation;
    this.queue = [];
    try {
      const list = await this.client.list(this.options.path, {
        fieldSelector: this.options.fieldSelector,
        labelSelector: this.options.labelSelector,
      });
      if (generation !== this.generation) return;
      this.lists++;
      this.objects.clear();
      for (const item of list.items) this.objects.set(keyOf(item), item);
      this.resourceVersion = list.metadata.resourceVersion ?? '';
      this.backoffMs = this.options.initialBackoffMs ?? 500;
      this.options.onError?.(undefined);
      this.options.onChange(this.objects);
      this.watch(generation);
    } catch (e) {
      if (generation !== this.generation) return;
      this.options.onError?.(e as ApiError);
      this.retryLater();
    }
  }

  private watch(generation: number): void {
    this.watchHandle = this.client.watch(this.options.path, {
      resourceVersion: this.resourceVersion,
      fieldSelector: this.options.fieldSelector,
      labelSelector: this.options.labelSelector,
      onEvent: (event) => {
        if (generation !== this.generation) return;
        // Bookmarks only move the resume point; they carry no object change.
        const rv = event.object?.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (event.type === 'BOOKMARK') return;
        this.queue.push(event);
        this.scheduleFlush();
      },
      onClose: (error) => {
        if (generation !== this.generation || this.stopped) return;
        this.watchHandle = undefined;
        if (!error) {
          // The server ends watches after its timeout: carry on from where we were, as client-go does.
          this.flush();
          this.watch(generation);
          return;
        }
        this.flush();
        this.options.onError?.(error);
        this.retryLater();
      },
    });
  }

  private retryLater(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    this.timer = (this.options.setTimer ?? setTimeout)(() => {
      this.timer = undefined;
      if (!this.stopped) void this.listAndWatch();
    }, delay);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const generation = this.generation;
    (this.options.schedule ?? defaultSchedule)(() => {
      this.flushScheduled = false;
      if (generation === this.generation) this.flush();
    });
  }

  /** Applies queued events; public so a caller (or test) can force it. */
  flush(): void {
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    let changed = false;
    for (const event of events) changed = this.apply(event) || changed;
    if (changed) this.options.onChange(this.objects);
  }

  private apply(event: WatchEvent): boolean {
    const object = event.object;
    const key = keyOf(object);
    const held = this.objects.get(key);
    if (held && (compareResourceVersions(object.metadata.resourceVersion, held.metadata.resourceVersion) ?? 0) < 0) return false;
    if (event.type === 'DELETED') return this.objects.delete(key);
    if (event.type === 'ADDED' || event.type === 'MODIFIED') {
      if (held && held.metadata.resourceVersion === object.metadata.resourceVersion && held.metadata.resourceVersion) return false;
      this.objects.set(key, object);
      return true;
    }
    return false;
  }
}

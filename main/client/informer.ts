// SharedInformer (client-go tools/cache): a Reflector that lists then watches one collection, a cache
// with indexes, and fan-out of add/update/delete to every registered handler. Handlers run
// synchronously in event order; they are meant to only enqueue keys (DESIGN.md style 1).
import { ApiError, isExpired } from '../../shared/api/errors';
import type { KubeObject, Status, WatchEvent } from '../../shared/api/meta';
import type { ApiWatch } from '../apiserver/types';
import { compareResourceVersions, deepFreeze, resourceVersionOf, withoutManagedFields } from './cache-object';
import type { ResourceClient } from './client';
import { RealClock, type Clock, type TimerHandle } from './clock';
import { Indexer, metaNamespaceKey, type Indexers } from './indexer';
import { Lister } from './lister';

export interface ResourceEventHandler<T extends KubeObject = KubeObject> {
  /** isInInitialList: the object came from the first list (or the synthetic replay for a late handler). */
  onAdd?(object: T, isInInitialList: boolean): void;
  /** Also called with old === new on resync. */
  onUpdate?(oldObject: T, newObject: T): void;
  /**
   * finalStateUnknown: the deletion was inferred from a re-list (the watch missed it), so `object` is
   * the last state the cache saw (client-go's DeletedFinalStateUnknown tombstone).
   */
  onDelete?(object: T, finalStateUnknown: boolean): void;
}

export interface HandlerRegistration {
  remove(): void;
  hasSynced(): boolean;
}

export interface InformerLogger {
  warn(message: string): void;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver every cached object as update(old = new) this often; 0/undefined: never. */
  resyncPeriodMs?: number;
  indexers?: Indexers<T>;
  clock?: Clock;
  logger?: InformerLogger;
  /** Pause before retrying after a failed list or an abnormal watch end (doubles up to the cap). */
  backoffInitialMs?: number;
  backoffCapMs?: number;
}

export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  private readonly handlers: ResourceEventHandler<T>[] = [];
  private readonly clock: Clock;
  private readonly logger: InformerLogger;
  private started = false;
  private stopped = false;
  private synced = false;
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private watchHandle?: ApiWatch;
  private timers: TimerHandle[] = [];
  private resyncTimer?: TimerHandle;
  // Bumped whenever a list/watch cycle is abandoned, so late callbacks of the old cycle are ignored.
  private cycle = 0;
  private backoffMs: number;
  private lastSyncRV?: string;

  constructor(
    readonly client: ResourceClient<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.indexer = new Indexer<T>(options.indexers ?? {});
    this.lister = new Lister(this.indexer);
    this.clock = options.clock ?? new RealClock();
    this.logger = options.logger ?? { warn: (m) => console.warn(m) };
    this.backoffMs = options.backoffInitialMs ?? 800;
  }

  get namespace(): string | undefined {
    return this.options.namespace;
  }

  /** The resourceVersion the cache is current to (last list, watch event or bookmark). */
  get lastSyncResourceVersion(): string | undefined {
    return this.lastSyncRV;
  }

  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** Registers a handler; if the cache already holds objects, they are replayed to it as adds. */
  addEventHandler(handler: ResourceEventHandler<T>): HandlerRegistration {
    this.handlers.push(handler);
    for (const object of this.indexer.values()) this.deliver(handler, 'add', object, true);
    return {
      remove: () => {
        const i = this.handlers.indexOf(handler);
        if (i >= 0) this.handlers.splice(i, 1);
      },
      hasSynced: () => this.synced,
    };
  }

  /** Idempotent. An informer is started once: after stop() it stays stopped (make a new one). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.relist();
    const period = this.options.resyncPeriodMs;
    if (period && period > 0) this.resyncTimer = this.clock.setInterval(() => this.resync(), period);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list has been delivered, false if the informer stops first. */
  waitForSync(): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cycle++;
    this.watchHandle?.stop();
    this.watchHandle = undefined;
    this.resyncTimer?.cancel();
    for (const t of this.timers) t.cancel();
    this.timers = [];
    for (const w of this.syncWaiters.splice(0)) w(this.synced);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private async relist(): Promise<void> {
    const cycle = ++this.cycle;
    this.watchHandle?.stop();
    this.watchHandle = undefined;
    const { namespace, labelSelector, fieldSelector } = this.options;
    let list;
    try {
      list = await this.client.list(namespace, { labelSelector, fieldSelector });
    } catch (error) {
      if (cycle !== this.cycle) return;
      this.logger.warn(`informer ${this.describe()}: list failed, retrying: ${(error as Error).message}`);
      this.retryLater(() => void this.relist());
      return;
    }
    if (cycle !== this.cycle) return;
    this.replace(list.items);
    this.lastSyncRV = list.metadata.resourceVersion;
    this.backoffMs = this.options.backoffInitialMs ?? 800;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w(true);
    }
    this.startWatch(cycle);
  }

  private startWatch(cycle: number): void {
    const { namespace, labelSelector, fieldSelector } = this.options;
    let ended = false;
    let delivered = false;
    // An ApiHandler may report an immediate 410 synchronously, inside watch(); deferring the reaction
    // keeps the cycle bookkeeping simple.
    const end = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      queueMicrotask(() => this.onWatchEnd(cycle, error, delivered));
    };
    let handle: ApiWatch | undefined = undefined;
    handle = this.client.watch(
      namespace,
      { labelSelector, fieldSelector, resourceVersion: this.lastSyncRV, allowWatchBookmarks: true, sharedObjects: true },
      {
        onEvent: (event) => {
          if (ended || cycle !== this.cycle) return;
          if (event.type === 'ERROR') {
            const status = event.object as unknown as Partial<Status>;
            handle?.stop();
            end(ApiError.fromStatus(status));
            return;
          }
          delivered = true;
          this.applyWatchEvent(event);
        },
        onClose: (error) => end(error),
      },
    );
    if (ended || cycle !== this.cycle) handle.stop();
    else this.watchHandle = handle;
  }

  private onWatchEnd(cycle: number, error: unknown, delivered: boolean): void {
    if (cycle !== this.cycle || this.stopped) return;
    this.watchHandle = undefined;
    if (!error) {
      // A watch that simply ended (timeout, server restart) resumes from where the cache is, as the
      // Reflector does; if that point has been compacted the new watch ends with 410 and we re-list.
      // One that ended without a single event waits first, so a server closing every watch at once
      // cannot spin us in a microtask loop.
      if (delivered) this.startWatch(cycle);
      else this.retryLater(() => this.startWatch(cycle));
    } else if (isExpired(error)) {
      void this.relist();
    } else {
      this.logger.warn(`informer ${this.describe()}: watch ended: ${(error as Error)?.message ?? String(error)}; re-listing`);
      this.retryLater(() => void this.relist());
    }
  }

  private applyWatchEvent(event: WatchEvent<T>): void {
    const rv = resourceVersionOf(event.object);
    if (event.type === 'BOOKMARK') {
      if (rv) this.lastSyncRV = rv;
      return;
    }
    const key = metaNamespaceKey(event.object);
    const cached = this.indexer.getByKey(key);
    if (rv) this.lastSyncRV = rv;
    if (cached) {
      // A watch resumed from an older point replays history the cache has already seen.
      const order = compareResourceVersions(rv, resourceVersionOf(cached));
      if (order !== undefined && (order < 0 || (order === 0 && event.type !== 'DELETED'))) return;
    }
    // The object is ours or already deep-frozen and shared (ApiHandler.watch contract, sharedObjects), so
    // it is frozen in place: a deep copy per event would cost more than everything else the informer does.
    const object = deepFreeze(withoutManagedFields(event.object));
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.indexer.upsert(object);
        if (cached) this.dispatch('update', object, false, cached);
        else this.dispatch('add', object, false);
        break;
      case 'DELETED':
        if (!cached) return;
        this.indexer.deleteKey(key);
        this.dispatch('delete', object, false);
        break;
    }
  }

  /** Reflector Replace: make the cache equal to a fresh list, telling handlers only what changed. */
  private replace(items: T[]): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (const item of items) {
      const object = deepFreeze(withoutManagedFields(item));
      const key = metaNamespaceKey(object);
      seen.add(key);
      const cached = this.indexer.getByKey(key);
      if (!cached) {
        this.indexer.upsert(object);
        this.dispatch('add', object, initial);
      } else if (cached.metadata.uid !== object.metadata.uid) {
        // Deleted and re-created while we were not watching: two objects, not one update.
        this.indexer.deleteKey(key);
        this.dispatch('delete', cached, true);
        this.indexer.upsert(object);
        this.dispatch('add', object, initial);
      } else if (resourceVersionOf(cached) !== resourceVersionOf(object)) {
        this.indexer.upsert(object);
        this.dispatch('update', object, false, cached);
      }
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const gone = this.indexer.deleteKey(key)!;
      this.dispatch('delete', gone, true);
    }
  }

  private resync(): void {
    if (!this.synced || this.stopped) return;
    for (const object of this.indexer.values()) this.dispatch('update', object, false, object);
  }

  private dispatch(kind: 'add' | 'update' | 'delete', object: T, flag: boolean, old?: T): void {
    for (const handler of [...this.handlers]) this.deliver(handler, kind, object, flag, old);
  }

  private deliver(handler: ResourceEventHandler<T>, kind: 'add' | 'update' | 'delete', object: T, flag: boolean, old?: T): void {
    try {
      if (kind === 'add') handler.onAdd?.(object, flag);
      else if (kind === 'update') handler.onUpdate?.(old!, object);
      else handler.onDelete?.(object, flag);
    } catch (error) {
      // One broken handler must not starve the others or wedge the reflector.
      this.logger.warn(`informer ${this.describe()}: ${kind} handler threw: ${(error as Error)?.stack ?? String(error)}`);
    }
  }

  private retryLater(fn: () => void): void {
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoffCapMs ?? 30_000);
    const cycle = this.cycle;
    const timer = this.clock.setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer);
      if (cycle === this.cycle && !this.stopped) fn();
    }, wait);
    this.timers.push(timer);
  }

  private describe(): string {
    const { group, version, resource } = this.client.gvr;
    const ns = this.options.namespace ? ` in namespace ${this.options.namespace}` : '';
    return `${group ? `${group}/` : ''}${version}/${resource}${ns}`;
  }
}

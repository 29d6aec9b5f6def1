// The one implementation of Store semantics, shared by MemoryStore and NedbStore: a sorted in-memory
// map of key → object (serving every read), the cluster resourceVersion counter, the watch window,
// the ordered write path and the compare-and-swap checks. A persistent store adds a StoreBackend
// beneath it; a write is committed in memory (and its event published) only after the backend has
// acknowledged it, so nobody ever observes a write that could be lost.
//
// Group commit: a write is checked (existence, compare-and-swap) against the committed state and
// stamped with its resourceVersion at once, then waits for the next batch. A write to a key that has a
// write still being persisted waits for that one to commit before it is checked: a Conflict is then
// always against a state a reader could have seen, so the apiserver's read-and-retry loops converge. While one batch is being persisted, the writes arriving meanwhile
// gather into the next, which the backend persists as one unit (one append for nedb). One slow append
// therefore delays the writes behind it by one append, not by one append each: with one-at-a-time
// appends a busy machine made every queued write wait for all the appends ahead of it.
//
// Copies: objects handed to callers of get/list/create/update/delete are fresh, mutable copies (parsed
// from the stored JSON, which is the cheapest deep copy of plain data). Objects inside watch events are
// deep-frozen and shared by every watcher: one parse per write instead of one per watcher, and a
// watcher that tries to mutate one gets a TypeError instead of silently corrupting the others' view.
// getShared/listShared hand out that same frozen object with its JSON, so read-only callers (selection,
// preconditions, serialization) pay no copy at all.
import type { KubeObject } from '../../shared/api/meta';
import { consoleStoreLogger, type StoreLogger } from './logger';
import { SortedKeys } from './sorted-keys';
import {
  StoreError,
  type Store,
  type StoreEvent,
  type StoreListResult,
  type StoreSharedListResult,
  type StoredObject,
  type StoreWatch,
  type UpdateOptions,
} from './store';
import { Entry, EntryEvent } from './store-entry';
import { WatchWindow } from './watch-window';

/** Default number of events kept for watch resumption (all resources together). */
export const DEFAULT_WATCH_WINDOW = 10_000;

/** One write as the backend persists it. */
export type BackendWrite =
  | { type: 'put'; key: string; resourceVersion: number; json: string; created: boolean }
  /** A remove must also persist `resourceVersion` as the counter: a delete leaves no object carrying it. */
  | { type: 'remove'; key: string; resourceVersion: number };

/** Persistence beneath the core. */
export interface StoreBackend {
  /**
   * Persists a batch of writes, in order; resolves only once all of them are durable. A failure may
   * leave a prefix of the batch persisted (never a later write without the earlier ones).
   */
  commit(writes: readonly BackendWrite[]): Promise<void>;
  close(): Promise<void>;
}

export interface StoredRecord {
  key: string;
  resourceVersion: number;
  /** The object as JSON, already stamped with `resourceVersion`. */
  json: string;
}

export interface StoreCoreOptions {
  /** Events kept for watch resumption (default 10,000). */
  watchWindow?: number;
  logger?: StoreLogger;
  backend?: StoreBackend;
  /** State loaded from disk; the watch window starts empty at `resourceVersion`. */
  initial?: { resourceVersion: number; records: Iterable<StoredRecord> };
}

/** A checked, stamped write. */
interface PreparedWrite {
  readonly write: BackendWrite;
  /** Applies the write to memory and publishes its event; returns the caller's copy. */
  commit(): KubeObject;
}

/** A prepared write waiting for its batch to be persisted. */
interface StagedWrite extends PreparedWrite {
  resolve(object: KubeObject): void;
  reject(err: unknown): void;
}

export class StoreCore implements Store {
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new SortedKeys();
  private readonly window: WatchWindow;
  private readonly backend?: StoreBackend;
  protected readonly logger: StoreLogger;
  /** resourceVersion of the last committed write: what reads and watches see. */
  private rv: number;
  /** resourceVersion of the last staged write (committed or not). */
  private stagedRv: number;
  /** Keys with a write staged but not yet committed. */
  private readonly staged = new Set<string>();
  /** Writes waiting for their key's staged write to commit, in arrival order per key. */
  private readonly waiting = new Map<string, (() => void)[]>();
  private nextBatch: StagedWrite[] = [];
  private flushing?: Promise<void>;
  private closing?: Promise<void>;
  /** Set when the backend failed a write: memory and disk may disagree, so further writes are refused. */
  private failure?: Error;

  constructor(options: StoreCoreOptions = {}) {
    this.logger = options.logger ?? consoleStoreLogger;
    this.backend = options.backend;
    this.rv = options.initial?.resourceVersion ?? 0;
    for (const record of options.initial?.records ?? []) {
      this.entries.set(record.key, new Entry(record.resourceVersion, record.json));
      this.keys.insert(record.key);
      if (record.resourceVersion > this.rv) this.rv = record.resourceVersion;
    }
    this.stagedRv = this.rv;
    this.window = new WatchWindow(options.watchWindow ?? DEFAULT_WATCH_WINDOW, this.rv, this.logger);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can start from without Expired. */
  get oldestWatchableResourceVersion(): number {
    return this.window.oldestResourceVersion;
  }

  async get(key: string): Promise<KubeObject | undefined> {
    this.assertOpen(key);
    const entry = this.entries.get(key);
    return entry ? (JSON.parse(entry.json) as KubeObject) : undefined;
  }

  async list(prefix: string): Promise<StoreListResult> {
    this.assertOpen(prefix);
    // Synchronous from here: the items and the resourceVersion describe the same instant.
    const items = this.keys.withPrefix(prefix).map((key) => JSON.parse(this.entries.get(key)!.json) as KubeObject);
    return { items, resourceVersion: this.rv };
  }

  async getShared(key: string): Promise<StoredObject | undefined> {
    this.assertOpen(key);
    return this.entries.get(key);
  }

  async listShared(prefix: string): Promise<StoreSharedListResult> {
    this.assertOpen(prefix);
    const items = this.keys.withPrefix(prefix).map((key) => this.entries.get(key)!);
    return { items, resourceVersion: this.rv };
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen(prefix);
    return this.keys.count(prefix);
  }

  create(key: string, object: KubeObject): Promise<KubeObject> {
    return this.stage(key, () => {
      if (this.entries.has(key)) throw new StoreError('AlreadyExists', key);
      const rv = ++this.stagedRv;
      const json = stamp(object, rv);
      const entry = new Entry(rv, json);
      return {
        write: { type: 'put', key, resourceVersion: rv, json, created: true },
        commit: () => {
          this.entries.set(key, entry);
          this.keys.insert(key);
          this.rv = rv;
          this.publish(new EntryEvent('ADDED', key, entry, undefined));
          return JSON.parse(json) as KubeObject;
        },
      };
    });
  }

  update(key: string, object: KubeObject, options?: UpdateOptions): Promise<KubeObject> {
    return this.stage(key, () => {
      const old = this.current(key, options);
      const rv = ++this.stagedRv;
      const json = stamp(object, rv);
      const entry = new Entry(rv, json);
      return {
        write: { type: 'put', key, resourceVersion: rv, json, created: false },
        commit: () => {
          this.entries.set(key, entry);
          this.rv = rv;
          this.publish(new EntryEvent('MODIFIED', key, entry, old));
          old.supersede();
          return JSON.parse(json) as KubeObject;
        },
      };
    });
  }

  delete(key: string, options?: UpdateOptions): Promise<KubeObject> {
    return this.stage(key, () => {
      const old = this.current(key, options);
      const rv = ++this.stagedRv;
      return {
        write: { type: 'remove', key, resourceVersion: rv },
        commit: () => {
          this.entries.delete(key);
          this.keys.remove(key);
          this.rv = rv;
          // etcd3 semantics: the DELETED event carries the last state at the deletion's revision.
          const last = new Entry(rv, stamp(JSON.parse(old.json) as KubeObject, rv));
          this.publish(new EntryEvent('DELETED', key, last, old));
          last.supersede();
          old.supersede();
          return JSON.parse(last.json) as KubeObject;
        },
      };
    });
  }

  watch(prefix: string, fromResourceVersion: number | undefined, onEvent: (event: StoreEvent) => void): StoreWatch {
    this.assertOpen(prefix);
    const from = fromResourceVersion ?? this.rv;
    if (!Number.isSafeInteger(from) || from < 0) {
      throw new RangeError(`watch of "${prefix}": resourceVersion must be a non-negative integer, got ${fromResourceVersion}`);
    }
    return this.window.watch(prefix, from, this.rv, onEvent);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Writes already accepted finish (and are acknowledged) before the backend goes away.
      await this.drain();
      this.window.stopAll();
      await this.backend?.close();
    })();
    return this.closing;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** Waits until every write accepted so far has been committed or failed. */
  protected async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private publish(event: EntryEvent): void {
    this.window.publish(event, this.window.watcherCount > 0 ? event.live() : event);
  }

  private current(key: string, options: UpdateOptions | undefined): Entry {
    const entry = this.entries.get(key);
    if (!entry) throw new StoreError('NotFound', key);
    const expected = options?.expectedResourceVersion;
    // An empty precondition means "unconditional", as an empty metadata.resourceVersion does on PUT.
    if (expected !== undefined && expected !== '' && expected !== String(entry.resourceVersion)) {
      throw new StoreError(
        'Conflict',
        key,
        `Conflict: ${key}: the object has been modified (expected resourceVersion ${expected}, stored ${entry.resourceVersion})`,
      );
    }
    return entry;
  }

  /**
   * Checks and stamps a write, in arrival order, and queues it for the next batch — at once, unless its
   * key has a write still being persisted. A failed check (AlreadyExists, NotFound, Conflict) rejects
   * this write alone and consumes no resourceVersion.
   */
  private stage(key: string, build: () => PreparedWrite): Promise<KubeObject> {
    if (this.closing) return Promise.reject(new StoreError('Closed', key, `store is closed: cannot write ${key}`));
    const queue = this.waiting.get(key);
    if (!queue && !this.staged.has(key)) return this.stageNow(key, build);
    return new Promise<KubeObject>((resolve, reject) => {
      const wait = () => void this.stageNow(key, build).then(resolve, reject);
      if (queue) queue.push(wait);
      else this.waiting.set(key, [wait]);
    });
  }

  private stageNow(key: string, build: () => PreparedWrite): Promise<KubeObject> {
    if (this.failure) return Promise.reject(this.failure);
    let staged: PreparedWrite;
    try {
      staged = build();
    } catch (err) {
      return Promise.reject(err);
    }
    this.staged.add(key);
    return new Promise<KubeObject>((resolve, reject) => {
      this.nextBatch.push({ ...staged, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** The key's staged write is settled: let the writes waiting for it go, until one is staged again. */
  private release(key: string): void {
    this.staged.delete(key);
    const queue = this.waiting.get(key);
    while (queue && queue.length > 0 && !this.staged.has(key)) queue.shift()!();
    if (queue?.length === 0) this.waiting.delete(key);
  }

  private async flush(): Promise<void> {
    try {
      // Never commit inside the writer's call stack (watchers would run in it): writes made in the
      // same turn join the first batch.
      await Promise.resolve();
      while (this.nextBatch.length > 0) {
        const batch = this.nextBatch;
        this.nextBatch = [];
        await this.commitBatch(batch);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async commitBatch(batch: StagedWrite[]): Promise<void> {
    if (this.failure) {
      this.rejectBatch(batch, this.failure);
      return;
    }
    if (this.backend) {
      try {
        await this.backend.commit(batch.map((write) => write.write));
      } catch (err) {
        const cause = err instanceof Error ? err.message : String(err);
        this.failure = new Error(`the store could not persist a write (${cause}); it refuses further writes until restarted`, {
          cause: err,
        });
        this.logger.error('store write failed; refusing further writes', err);
        this.rejectBatch(batch, err);
        return;
      }
    }
    for (const write of batch) {
      let result: KubeObject;
      try {
        result = write.commit();
      } catch (err) {
        write.reject(err);
        continue;
      }
      write.resolve(result);
    }
    for (const write of batch) this.release(write.write.key);
  }

  private rejectBatch(batch: StagedWrite[], err: unknown): void {
    for (const write of batch) write.reject(err);
    // The writes waiting on these keys are rejected in turn by stageNow (the store refuses writes now).
    for (const write of batch) this.release(write.write.key);
  }

  private assertOpen(key: string): void {
    if (this.closing) throw new StoreError('Closed', key, `store is closed: cannot read ${key}`);
  }
}

function stamp(object: KubeObject, rv: number): string {
  // Shallow copies: the caller's object is never modified.
  return JSON.stringify({ ...object, metadata: { ...(object.metadata ?? {}), resourceVersion: String(rv) } });
}

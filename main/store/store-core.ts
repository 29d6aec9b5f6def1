// The one implementation of Store semantics, shared by MemoryStore and NedbStore: a sorted in-memory
// map of key → object (serving every read), the cluster resourceVersion counter, the watch window,
// the serialized write queue and the compare-and-swap checks. A persistent store adds a StoreBackend
// beneath it; a write is committed in memory (and its event published) only after the backend has
// acknowledged it, so nobody ever observes a write that could be lost.
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
import { WatchWindow } from './watch-window';

/** Default number of events kept for watch resumption (all resources together). */
export const DEFAULT_WATCH_WINDOW = 10_000;

/** Persistence beneath the core. Each promise resolves only once the write is durable. */
export interface StoreBackend {
  put(key: string, resourceVersion: number, json: string, created: boolean): Promise<void>;
  /** Must also persist `resourceVersion` as the counter: a delete leaves no object carrying it. */
  remove(key: string, resourceVersion: number): Promise<void>;
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

class Entry implements StoredObject {
  /** Deep-frozen parse of json, made on first need (events, shared reads) and shared from then on. */
  private frozen?: KubeObject;
  private superseded = false;

  constructor(
    readonly resourceVersion: number,
    readonly json: string,
  ) {}

  get object(): KubeObject {
    if (this.frozen) return this.frozen;
    const object = freezeParsed(JSON.parse(this.json) as KubeObject);
    if (!this.superseded) this.frozen = object;
    return object;
  }

  /**
   * No longer the current state: forget the parsed object so that the watch window, which keeps old
   * states for resumption, holds them only as JSON text (a parsed pod costs several times its JSON, and
   * a full window of 10,000 events was a third of a 100-node lab's memory). Whoever already has the
   * object keeps it; a late reader (a watch replaying the window) parses its own.
   */
  supersede(): void {
    this.superseded = true;
    this.frozen = undefined;
  }
}

/** A committed event as the window keeps it: objects come from the entries, parsed only while needed. */
class EntryEvent implements StoreEvent {
  constructor(
    readonly type: StoreEvent['type'],
    readonly key: string,
    private readonly entry: Entry,
    private readonly prev: Entry | undefined,
  ) {}

  get resourceVersion(): number {
    return this.entry.resourceVersion;
  }

  get object(): KubeObject {
    return this.entry.object;
  }

  get prevObject(): KubeObject | undefined {
    return this.prev?.object;
  }

  get objectJson(): string {
    return this.entry.json;
  }

  /**
   * The event for live delivery: every watcher sees the same objects, parsed on the first watcher's
   * read — never when no watcher looks (nobody watches Events in a headless lab, say).
   */
  live(): StoreEvent {
    return new LiveEvent(this);
  }
}

class LiveEvent implements StoreEvent {
  readonly type: StoreEvent['type'];
  readonly key: string;
  readonly resourceVersion: number;
  readonly objectJson: string;
  private parsed?: KubeObject;
  private prevParsed?: KubeObject;

  constructor(private readonly event: EntryEvent) {
    this.type = event.type;
    this.key = event.key;
    this.resourceVersion = event.resourceVersion;
    this.objectJson = event.objectJson;
  }

  get object(): KubeObject {
    return (this.parsed ??= this.event.object);
  }

  get prevObject(): KubeObject | undefined {
    return (this.prevParsed ??= this.event.prevObject);
  }
}

export class StoreCore implements Store {
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new SortedKeys();
  private readonly window: WatchWindow;
  private readonly backend?: StoreBackend;
  protected readonly logger: StoreLogger;
  private rv: number;
  private queue: Promise<unknown> = Promise.resolve();
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
    return this.enqueue(key, async () => {
      if (this.entries.has(key)) throw new StoreError('AlreadyExists', key);
      const rv = this.rv + 1;
      const json = stamp(object, rv);
      if (this.backend) await this.persist(() => this.backend!.put(key, rv, json, true));
      const entry = new Entry(rv, json);
      this.entries.set(key, entry);
      this.keys.insert(key);
      this.rv = rv;
      this.publish(new EntryEvent('ADDED', key, entry, undefined));
      return JSON.parse(json) as KubeObject;
    });
  }

  update(key: string, object: KubeObject, options?: UpdateOptions): Promise<KubeObject> {
    return this.enqueue(key, async () => {
      const old = this.current(key, options);
      const rv = this.rv + 1;
      const json = stamp(object, rv);
      if (this.backend) await this.persist(() => this.backend!.put(key, rv, json, false));
      const entry = new Entry(rv, json);
      this.entries.set(key, entry);
      this.rv = rv;
      this.publish(new EntryEvent('MODIFIED', key, entry, old));
      old.supersede();
      return JSON.parse(json) as KubeObject;
    });
  }

  delete(key: string, options?: UpdateOptions): Promise<KubeObject> {
    return this.enqueue(key, async () => {
      const old = this.current(key, options);
      const rv = this.rv + 1;
      if (this.backend) await this.persist(() => this.backend!.remove(key, rv));
      this.entries.delete(key);
      this.keys.remove(key);
      this.rv = rv;
      // etcd3 semantics: the DELETED event carries the last state at the deletion's revision.
      const last = new Entry(rv, stamp(JSON.parse(old.json) as KubeObject, rv));
      this.publish(new EntryEvent('DELETED', key, last, old));
      last.supersede();
      old.supersede();
      return JSON.parse(last.json) as KubeObject;
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
      await this.queue;
      this.window.stopAll();
      await this.backend?.close();
    })();
    return this.closing;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** Waits until every write accepted so far has been committed or failed. */
  protected drain(): Promise<unknown> {
    return this.queue;
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

  /** Writes run one at a time in arrival order; each sees every earlier write committed. */
  private enqueue<T>(key: string, op: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new StoreError('Closed', key, `store is closed: cannot write ${key}`));
    const run = this.queue.then(() => {
      if (this.failure) throw this.failure;
      return op();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async persist(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err);
      this.failure = new Error(`the store could not persist a write (${cause}); it refuses further writes until restarted`, {
        cause: err,
      });
      this.logger.error('store write failed; refusing further writes', err);
      throw err;
    }
  }

  private assertOpen(key: string): void {
    if (this.closing) throw new StoreError('Closed', key, `store is closed: cannot read ${key}`);
  }
}

function stamp(object: KubeObject, rv: number): string {
  // Shallow copies: the caller's object is never modified.
  return JSON.stringify({ ...object, metadata: { ...(object.metadata ?? {}), resourceVersion: String(rv) } });
}


/**
 * deepFreeze for a tree fresh from JSON.parse (nothing in it is frozen yet, nothing is shared): skips
 * primitives and the isFrozen checks, about three times cheaper than the general walk on a pod.
 */
function freezeParsed<T>(value: T): T {
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === 'object' && child !== null) freezeParsed(child);
    }
  } else {
    for (const k in value) {
      const child: unknown = value[k];
      if (typeof child === 'object' && child !== null) freezeParsed(child);
    }
  }
  return value;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

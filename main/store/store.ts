// The Store plays etcd's role. Only the apiserver writes to it (DESIGN.md rule 1).
//
// Keys are opaque strings chosen by the apiserver: `/<group or "core">/<resource>/<namespace>/<name>`
// for namespaced objects and `/<group or "core">/<resource>/<name>` for cluster-scoped ones, so that a
// prefix selects a collection (`/core/pods/`) or one namespace of it (`/core/pods/default/`).
//
// resourceVersion is ONE cluster-wide counter, persisted, strictly increasing with every committed
// write (create, update, delete). The store stamps `metadata.resourceVersion` (a decimal string) on
// every object it returns; callers never choose it.
import type { KubeObject } from '../../shared/api/meta';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /**
   * The shared, deep-frozen view of the object (see StoredObject: without metadata.managedFields). For
   * DELETED: the last state, stamped with the resourceVersion of the deletion (as etcd3 does).
   */
  object: KubeObject;
  /** The view of the state before this event (absent for ADDED); lets watchers evaluate selectors on old state. */
  prevObject?: KubeObject;
  /** The whole object as JSON text, managedFields included: a watcher needing a mutable copy parses this. */
  objectJson: string;
  /** Numeric resourceVersion of this event. */
  resourceVersion: number;
}

/**
 * One stored object as the store holds it, for read-only callers. `json` is its exact JSON text: the
 * whole object, the one source of copies and answers. `object` is the view every reader shares: parsed
 * from `json`, deep-frozen (mutating it throws a TypeError) and without `metadata.managedFields`, as
 * client-go's informers keep objects (TransformStripManagedFields): selection, preconditions and
 * in-process informers never read managedFields, and in a pod they are more than half of the parsed
 * object. A caller that needs a mutable copy or managedFields parses `json`; one that only serializes
 * the object reuses `json` as it is.
 */
export interface StoredObject {
  readonly object: KubeObject;
  readonly json: string;
}

export interface StoreSharedListResult {
  /** Sorted by key. Shared and frozen: never mutate them (see StoredObject). */
  items: readonly StoredObject[];
  /** The store's resourceVersion at the moment of the list. */
  resourceVersion: number;
}

export interface StoreListResult {
  /** Sorted by key. Deep copies: callers may mutate them. */
  items: KubeObject[];
  /** The store's resourceVersion at the moment of the list (watch from it to miss nothing). */
  resourceVersion: number;
}

export interface StoreWatch {
  stop(): void;
}

export interface UpdateOptions {
  /** Compare-and-swap: fail with Conflict unless the stored object has this resourceVersion. */
  expectedResourceVersion?: string;
}

export type StoreErrorCode = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'Closed';

/** Store-level failure; the apiserver maps it to an ApiError naming the resource. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    readonly key: string,
    message?: string,
  ) {
    super(message ?? `${code}: ${key}`);
    this.name = 'StoreError';
  }
}

export const isStoreError = (e: unknown, code?: StoreErrorCode): e is StoreError =>
  e instanceof StoreError && (code === undefined || e.code === code);

export interface Store {
  /** The last committed resourceVersion. */
  readonly resourceVersion: number;

  get(key: string): Promise<KubeObject | undefined>;
  list(prefix: string): Promise<StoreListResult>;
  /**
   * get and list without the copies: the shared, frozen object and its JSON (see StoredObject). For
   * hot read-only paths (selection, preconditions, serialization); everyone else uses get/list.
   */
  getShared(key: string): Promise<StoredObject | undefined>;
  listShared(prefix: string): Promise<StoreSharedListResult>;
  /** Count of keys under a prefix (cheap; used by quota and benchmarks). */
  count(prefix: string): Promise<number>;

  /** Fails with AlreadyExists. Returns the stored object with its new resourceVersion. */
  create(key: string, object: KubeObject): Promise<KubeObject>;
  /** Fails with NotFound, or Conflict when expectedResourceVersion does not match. */
  update(key: string, object: KubeObject, options?: UpdateOptions): Promise<KubeObject>;
  /** Fails with NotFound or Conflict. Returns the deleted object stamped with the deletion's resourceVersion. */
  delete(key: string, options?: UpdateOptions): Promise<KubeObject>;

  /**
   * Every event under `prefix` with resourceVersion > fromResourceVersion, in commit order, then live
   * events, delivered synchronously to `onEvent` in commit order, each exactly once. Events older than
   * the store's in-memory window fail with StoreError('Expired') (thrown synchronously).
   * `fromResourceVersion` undefined means "from now".
   */
  watch(prefix: string, fromResourceVersion: number | undefined, onEvent: (event: StoreEvent) => void): StoreWatch;

  /** Flushes and releases resources (and the data-dir lock for persistent stores). */
  close(): Promise<void>;
}

// client-go's cache.Indexer: a thread-safe store keyed by `namespace/name` plus secondary indexes that
// controllers query instead of scanning (pods by node, pods by owner uid, …).
import type { KubeObject } from '../../shared/api/meta';

/** Values under which an object is indexed; an object may sit under several or none. */
export type IndexFunc<T extends KubeObject = KubeObject> = (object: T) => string[];
export type Indexers<T extends KubeObject = KubeObject> = Record<string, IndexFunc<T>>;

export const NAMESPACE_INDEX = 'namespace';
export const NODE_NAME_INDEX = 'spec.nodeName';
export const OWNER_UID_INDEX = 'ownerUid';

/** cache.MetaNamespaceKeyFunc: `namespace/name`, or just `name` for cluster-scoped objects. */
export function metaNamespaceKey(object: Pick<KubeObject, 'metadata'>): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? '');
}

export function splitMetaNamespaceKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export const indexByNamespace: IndexFunc = (o) => [o.metadata.namespace ?? ''];

export const indexByNodeName: IndexFunc = (o) => {
  const nodeName = (o.spec as { nodeName?: unknown } | undefined)?.nodeName;
  return typeof nodeName === 'string' && nodeName ? [nodeName] : [];
};

export const indexByOwnerUid: IndexFunc = (o) => (o.metadata.ownerReferences ?? []).map((ref) => ref.uid);

export class Indexer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers: Indexers<T> = {};
  // index name → indexed value → keys
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Indexers<T> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: indexByNamespace as IndexFunc<T>, ...indexers });
  }

  /** Adds indexes; allowed after objects were stored (they are indexed on the spot). */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers[name] && this.indexers[name] !== fn) throw new Error(`indexer "${name}" already exists`);
      this.indexers[name] = fn;
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, object] of this.items) this.indexInto(index, fn, key, object);
    }
  }

  get size(): number {
    return this.items.size;
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  values(): T[] {
    return [...this.items.values()];
  }

  /** Adds or replaces; returns the previous object under the same key. */
  upsert(object: T): T | undefined {
    const key = metaNamespaceKey(object);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, object);
    for (const [name, fn] of Object.entries(this.indexers)) this.indexInto(this.indices.get(name)!, fn, key, object);
    return old;
  }

  deleteKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Keys under one value of one index (cache.Indexer.IndexKeys). */
  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k)!);
  }

  /** Every value present in an index (cache.Indexer.ListIndexFuncValues). */
  indexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...index.keys()];
  }

  private indexInto(index: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, object: T): void {
    for (const value of new Set(fn(object))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, object: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indices.get(name)!;
      for (const value of new Set(fn(object))) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
  }
}

// Listers: the read side of an informer's cache (client-go listers). Controllers read from here, never
// from the apiserver, in their sync loops. Objects returned are the cache's own frozen objects:
// never mutate them — clone first (structuredClone) and write the clone through the client.
import type { KubeObject } from '../../shared/api/meta';
import { Indexer, NAMESPACE_INDEX } from './indexer';
import { toPredicate, type ObjectSelector } from './selector';

export class Lister<T extends KubeObject = KubeObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  list(selector?: ObjectSelector<T>): T[] {
    return filter(this.indexer.values(), selector);
  }

  listNamespace(namespace: string, selector?: ObjectSelector<T>): T[] {
    return filter(this.indexer.byIndex(NAMESPACE_INDEX, namespace), selector);
  }

  /** Cluster-scoped objects: pass namespace undefined or ''. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.indexer.getByKey(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.indexer.getByKey(key);
  }

  byIndex(indexName: string, value: string, selector?: ObjectSelector<T>): T[] {
    return filter(this.indexer.byIndex(indexName, value), selector);
  }

  keys(): string[] {
    return this.indexer.keys();
  }

  get size(): number {
    return this.indexer.size;
  }
}

function filter<T extends KubeObject>(objects: T[], selector: ObjectSelector<T> | undefined): T[] {
  const predicate = toPredicate(selector);
  return predicate ? objects.filter(predicate) : objects;
}

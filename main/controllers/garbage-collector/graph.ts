// The garbage collector's view of ownership (k8s GraphBuilder, minus its private uid graph): one shared
// informer per deletable collection, each indexed by owner uid (who depends on X) and by uid (where does
// X live), so every question the collector asks is an index lookup, never a scan. The caches only decide
// what to look at; whether an owner is really gone is always confirmed with a live GET (see sync.ts).
import type { KubeObject, OwnerReference } from '../../../shared/api/meta';
import { splitApiVersion } from '../../../shared/api/meta';
import type { SharedInformer } from '../../client/informer';
import type { SharedInformerFactory } from '../../client/informer-factory';
import { OWNER_UID_INDEX, indexByOwnerUid, type IndexFunc } from '../../client/indexer';

export const UID_INDEX = 'metadata.uid';
export const indexByUid: IndexFunc = (o) => (o.metadata.uid ? [o.metadata.uid] : []);

/** What the collector needs to know of a collection (a ResourceDef or KnownResource fits). */
export interface DeletableResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface MonitoredResource extends DeletableResource {
  informer: SharedInformer<KubeObject>;
}

export interface ObjectKey {
  resource: MonitoredResource;
  namespace?: string;
  name: string;
}

export interface CachedObject {
  resource: MonitoredResource;
  object: KubeObject;
}

/**
 * Kubernetes' default ignoredResources: Events are never owners worth collecting through and churn
 * faster than anything else, so the collector does not watch them.
 */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

export class DependencyGraph {
  private readonly byResource = new Map<string, MonitoredResource>();
  private readonly byKind = new Map<string, MonitoredResource[]>();

  constructor(informers: SharedInformerFactory, resources: DeletableResource[]) {
    for (const r of resources) {
      const id = `${r.group}/${r.resource}`;
      if (IGNORED.has(id) || this.byResource.has(id)) continue;
      const informer = informers.informerFor<KubeObject>(r, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid, [UID_INDEX]: indexByUid } });
      const monitored: MonitoredResource = { group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespaced: r.namespaced, informer };
      this.byResource.set(id, monitored);
      const kindKey = `${r.group}/${r.kind}`;
      this.byKind.set(kindKey, [...(this.byKind.get(kindKey) ?? []), monitored]);
    }
  }

  all(): MonitoredResource[] {
    return [...this.byResource.values()];
  }

  /** Work-queue key: `group|resource|namespace|name` (none of these may contain "|"). */
  keyOf(resource: DeletableResource, object: KubeObject): string {
    return `${resource.group}|${resource.resource}|${object.metadata.namespace ?? ''}|${object.metadata.name ?? ''}`;
  }

  parseKey(key: string): ObjectKey | undefined {
    const [group, resource, namespace, name] = key.split('|');
    const monitored = this.byResource.get(`${group}/${resource}`);
    if (!monitored || !name) return undefined;
    return { resource: monitored, namespace: namespace || undefined, name };
  }

  /** The collection an ownerReference points into; the exact version wins when a group serves several. */
  resourceFor(ref: Pick<OwnerReference, 'apiVersion' | 'kind'>): MonitoredResource | undefined {
    const { group, version } = splitApiVersion(ref.apiVersion ?? '');
    const candidates = this.byKind.get(`${group}/${ref.kind}`) ?? [];
    return candidates.find((c) => c.version === version) ?? candidates[0];
  }

  /** Every cached object with an ownerReference to `uid`. */
  dependents(uid: string | undefined): CachedObject[] {
    if (!uid) return [];
    const out: CachedObject[] = [];
    for (const resource of this.byResource.values()) {
      for (const object of resource.informer.lister.byIndex(OWNER_UID_INDEX, uid)) out.push({ resource, object });
    }
    return out;
  }

  /** The cached owner a reference names, looked up where it may live: the dependent's namespace or cluster scope. */
  cachedOwner(dependent: KubeObject, ref: OwnerReference): CachedObject | undefined {
    const resource = this.resourceFor(ref);
    if (!resource) return undefined;
    const object = resource.informer.lister.get(resource.namespaced ? dependent.metadata.namespace : undefined, ref.name);
    return object && object.metadata.uid === ref.uid ? { resource, object } : undefined;
  }

  /** Objects of one collection carrying `uid` (at most one, but the index answers a list). */
  cachedByUid(resource: MonitoredResource, uid: string): KubeObject[] {
    return resource.informer.lister.byIndex(UID_INDEX, uid);
  }
}

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export const hasFinalizer = (object: KubeObject, finalizer: string): boolean => object.metadata.finalizers?.includes(finalizer) ?? false;

/** An owner in foreground deletion: still visible, waiting for its blocking dependents to go. */
export const isDeletingDependents = (object: KubeObject): boolean =>
  Boolean(object.metadata.deletionTimestamp) && hasFinalizer(object, FOREGROUND_FINALIZER);

export const referenceTo = (dependent: KubeObject, uid: string | undefined): OwnerReference | undefined =>
  dependent.metadata.ownerReferences?.find((r) => r.uid === uid);

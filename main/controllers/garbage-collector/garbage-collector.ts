// The garbage collector (k8s pkg/controller/garbagecollector): cascading deletion through
// metadata.ownerReferences — Background (dependents whose owners are all gone are deleted), Foreground
// (the owner waits, visible, for dependents with blockOwnerDeletion) and Orphan (dependents let go).
// Handlers only enqueue keys, from what the caches show; the workers decide on live objects (sync.ts).
import { isConflict } from '../../../shared/api/errors';
import type { KubeObject, OwnerReference } from '../../../shared/api/meta';
import type { KubeClient } from '../../client/client';
import { RealClock, type Clock } from '../../client/clock';
import { EventRecorder } from '../../client/events';
import type { SharedInformerFactory } from '../../client/informer-factory';
import { runWorkers, WorkQueue } from '../../client/workqueue';
import {
  DependencyGraph, ORPHAN_FINALIZER, hasFinalizer, isDeletingDependents, type DeletableResource, type MonitoredResource,
} from './graph';
import { attemptToDeleteItem, attemptToOrphanItem, type SyncContext } from './sync';

export const GARBAGE_COLLECTOR_COMPONENT = 'garbage-collector-controller';

export interface GarbageCollectorOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  /** Every collection the lab serves; events are ignored, as Kubernetes' default ignoredResources. */
  resources: DeletableResource[];
  clock?: Clock;
  /** attemptToDelete workers (kube-controller-manager: --concurrent-gc-syncs, 20). */
  workers?: number;
  recorder?: EventRecorder;
  logger?: { warn(message: string): void };
}

export class GarbageCollector {
  readonly attemptToDelete: WorkQueue<string>;
  readonly attemptToOrphan: WorkQueue<string>;
  readonly graph: DependencyGraph;
  private readonly recorder: EventRecorder;
  private readonly context: SyncContext;
  private readonly logger: { warn(message: string): void };
  private stopped = false;

  constructor(private readonly options: GarbageCollectorOptions) {
    const clock = options.clock ?? new RealClock();
    this.logger = options.logger ?? { warn: (m) => console.warn(m) };
    this.attemptToDelete = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete', clock });
    this.attemptToOrphan = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_orphan', clock });
    this.recorder = options.recorder ?? new EventRecorder(options.client, { component: GARBAGE_COLLECTOR_COMPONENT, clock, logger: this.logger });
    this.graph = new DependencyGraph(options.informers, options.resources);
    this.context = { client: options.client, graph: this.graph, recorder: this.recorder, enqueueDelete: (key) => this.attemptToDelete.add(key) };
    for (const resource of this.graph.all()) {
      resource.informer.addEventHandler({
        onAdd: (object) => this.observe(resource, undefined, object),
        onUpdate: (old, object) => this.observe(resource, old, object),
        onDelete: (object) => this.observeDeleted(object),
      });
    }
  }

  /** Workers start once every monitored cache has synced: a foreground owner judged on a half-filled
   * cache would see no blocking dependents and be released too early. */
  start(): void {
    void Promise.all(this.graph.all().map((r) => r.informer.waitForSync())).then((synced) => {
      if (this.stopped || !synced.every(Boolean)) return;
      runWorkers(this.attemptToDelete, this.options.workers ?? 4, (key) => this.run('delete', key), this.logger);
      runWorkers(this.attemptToOrphan, 1, (key) => this.run('orphan', key), this.logger);
    });
  }

  stop(): void {
    this.stopped = true;
    this.attemptToDelete.shutDown();
    this.attemptToOrphan.shutDown();
  }

  private async run(kind: 'delete' | 'orphan', key: string): Promise<void> {
    try {
      if (kind === 'delete') await attemptToDeleteItem(this.context, key);
      else await attemptToOrphanItem(this.context, key);
    } catch (error) {
      // Conflicts are someone else's progress: retried without a Warning. Anything else is shown on the
      // object too, since a stuck cascade otherwise looks like a silently Terminating object.
      if (!isConflict(error)) this.reportFailure(kind, key, error);
      throw error;
    }
  }

  private reportFailure(kind: 'delete' | 'orphan', key: string, error: unknown): void {
    const item = this.graph.parseKey(key);
    if (!item) return;
    const cached = item.resource.informer.lister.get(item.namespace, item.name);
    const target = cached ?? {
      apiVersion: item.resource.group ? `${item.resource.group}/${item.resource.version}` : item.resource.version,
      kind: item.resource.kind,
      name: item.name,
      ...(item.namespace ? { namespace: item.namespace } : {}),
    };
    const what = kind === 'orphan' ? 'orphaning the dependents of' : 'garbage collecting';
    this.recorder.event(target, 'Warning', 'GarbageCollectionFailed', `error ${what} ${item.resource.kind} "${item.name}" (will retry): ${(error as Error)?.message ?? String(error)}`);
  }

  /** GraphBuilder.processGraphChanges, reduced to what needs a worker's attention. */
  private observe(resource: MonitoredResource, old: KubeObject | undefined, object: KubeObject): void {
    const key = this.graph.keyOf(resource, object);
    if (object.metadata.deletionTimestamp) {
      if (hasFinalizer(object, ORPHAN_FINALIZER)) this.attemptToOrphan.add(key);
      if (isDeletingDependents(object)) this.attemptToDelete.add(key);
    }
    if ((object.metadata.ownerReferences ?? []).some((ref) => this.needsAttention(resource, object, ref))) this.attemptToDelete.add(key);
    // A dependent changed (references dropped, blockOwnerDeletion flipped, deletion started): an owner
    // waiting in the foreground may now be free to go.
    if (old) for (const ref of [...(old.metadata.ownerReferences ?? []), ...(object.metadata.ownerReferences ?? [])]) this.enqueueWaitingOwner(object, ref);
  }

  private observeDeleted(object: KubeObject): void {
    for (const d of this.graph.dependents(object.metadata.uid)) this.attemptToDelete.add(this.graph.keyOf(d.resource, d.object));
    for (const ref of object.metadata.ownerReferences ?? []) this.enqueueWaitingOwner(object, ref);
  }

  /** The cache suggests this reference no longer holds (owner absent, another uid, or deleting dependents). */
  private needsAttention(resource: MonitoredResource, dependent: KubeObject, ref: OwnerReference): boolean {
    const ownerResource = this.graph.resourceFor(ref);
    if (!ownerResource || (!resource.namespaced && ownerResource.namespaced)) return true;
    const owner = this.graph.cachedOwner(dependent, ref);
    return !owner || isDeletingDependents(owner.object);
  }

  private enqueueWaitingOwner(dependent: KubeObject, ref: OwnerReference): void {
    const owner = this.graph.cachedOwner(dependent, ref);
    if (owner && isDeletingDependents(owner.object)) this.attemptToDelete.add(this.graph.keyOf(owner.resource, owner.object));
  }
}

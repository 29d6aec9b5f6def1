// What one work item means (k8s garbagecollector.go attemptToDeleteItem / attemptToOrphanWorker):
// decisions are taken on live objects, never on the caches alone, so a cache that lags behind the
// apiserver can delay garbage collection but never delete an object whose owner is alive.
import type { KubeObject, OwnerReference } from '../../../shared/api/meta';
import type { KubeClient } from '../../client/client';
import type { EventRecorder } from '../../client/events';
import {
  FOREGROUND_FINALIZER, ORPHAN_FINALIZER, hasFinalizer, isDeletingDependents, referenceTo,
  type DependencyGraph, type MonitoredResource,
} from './graph';
import { deleteObject, getLive, removeFinalizer, removeOwnerReferences, unblockOwnerReferences, type PropagationPolicy } from './writes';

export interface SyncContext {
  client: KubeClient;
  graph: DependencyGraph;
  recorder: EventRecorder;
  /** Enqueue another object for attemptToDelete. */
  enqueueDelete(key: string): void;
}

interface Classified {
  /** Owners that exist and are not waiting for their dependents. */
  solid: OwnerReference[];
  /** Owners that do not exist (any more), or exist under another uid. */
  dangling: OwnerReference[];
  /** Owners in foreground deletion. */
  waiting: OwnerReference[];
}

/** Marker: the references can never resolve (cluster-scoped dependent, namespaced owner); do not retry. */
const UNRESOLVABLE = Symbol('unresolvable');

/** objectReference.String() of the collector, as printed in OwnerRefInvalidNamespace events. */
const describeRef = (ref: OwnerReference, namespace: string | undefined): string =>
  `[${ref.apiVersion}/${ref.kind}, namespace: ${namespace ?? ''}, name: ${ref.name}, uid: ${ref.uid}]`;

function reportInvalidNamespace(ctx: SyncContext, dependent: KubeObject, ref: OwnerReference): void {
  const namespace = dependent.metadata.namespace ?? '';
  ctx.recorder.event(dependent, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef ${describeRef(ref, namespace)} does not exist in namespace "${namespace}"`);
}

async function classifyReferences(ctx: SyncContext, resource: MonitoredResource, dependent: KubeObject): Promise<Classified | typeof UNRESOLVABLE> {
  const out: Classified = { solid: [], dangling: [], waiting: [] };
  const namespace = dependent.metadata.namespace;
  for (const ref of dependent.metadata.ownerReferences ?? []) {
    const ownerResource = ctx.graph.resourceFor(ref);
    if (!ownerResource) {
      throw new Error(`ownerReference to ${ref.kind} "${ref.name}" (apiVersion ${ref.apiVersion}) names a kind this lab does not serve; fix or remove the reference`);
    }
    if (!resource.namespaced && ownerResource.namespaced) {
      reportInvalidNamespace(ctx, dependent, ref);
      return UNRESOLVABLE;
    }
    const owner = await getLive(ctx.client, ownerResource, namespace, ref.name);
    if (!owner || owner.metadata.uid !== ref.uid) {
      // The owner exists, but in another namespace: a cross-namespace reference, which Kubernetes treats
      // as absent and reports on the dependent.
      if (!owner && ownerResource.namespaced && ctx.graph.cachedByUid(ownerResource, ref.uid).some((o) => o.metadata.namespace !== namespace)) {
        reportInvalidNamespace(ctx, dependent, ref);
      }
      out.dangling.push(ref);
    } else if (isDeletingDependents(owner)) out.waiting.push(ref);
    else out.solid.push(ref);
  }
  return out;
}

/** attemptToDeleteItem: the object named by `key` may have lost its owners, or be deleting its dependents. */
export async function attemptToDeleteItem(ctx: SyncContext, key: string): Promise<void> {
  const item = ctx.graph.parseKey(key);
  if (!item) return;
  const latest = await getLive(ctx.client, item.resource, item.namespace, item.name);
  if (!latest) return;
  if (latest.metadata.deletionTimestamp) {
    if (hasFinalizer(latest, FOREGROUND_FINALIZER)) await processDeletingDependents(ctx, item.resource, latest);
    return;
  }
  if (!latest.metadata.ownerReferences?.length) return;
  const classified = await classifyReferences(ctx, item.resource, latest);
  if (classified === UNRESOLVABLE) return;
  const { solid, dangling, waiting } = classified;
  if (solid.length > 0) {
    // Another owner keeps the object alive: only the references that can no longer hold go.
    if (dangling.length === 0 && waiting.length === 0) return;
    await removeOwnerReferences(ctx.client, item.resource, latest, new Set([...dangling, ...waiting].map((r) => r.uid)));
    return;
  }
  const dependents = ctx.graph.dependents(latest.metadata.uid);
  if (waiting.length > 0 && dependents.length > 0) {
    // Foreground cascades: this object deletes its own dependents first. A dependent that is itself
    // deleting its dependents may point back at us; unblocking our references breaks such a cycle.
    if (dependents.some((d) => isDeletingDependents(d.object))) await unblockOwnerReferences(ctx.client, item.resource, latest);
    await deleteObject(ctx.client, item.resource, latest, 'Foreground');
    return;
  }
  const policy: PropagationPolicy = hasFinalizer(latest, ORPHAN_FINALIZER)
    ? 'Orphan'
    : hasFinalizer(latest, FOREGROUND_FINALIZER)
      ? 'Foreground'
      : 'Background';
  await deleteObject(ctx.client, item.resource, latest, policy);
}

/**
 * An owner in foreground deletion: every dependent is deleted; the owner's `foregroundDeletion` finalizer
 * goes once no dependent with blockOwnerDeletion remains (each dependent's deletion re-enqueues the owner).
 */
async function processDeletingDependents(ctx: SyncContext, resource: MonitoredResource, owner: KubeObject): Promise<void> {
  const dependents = ctx.graph.dependents(owner.metadata.uid);
  const blocking = dependents.filter((d) => referenceTo(d.object, owner.metadata.uid)?.blockOwnerDeletion === true);
  for (const d of dependents) {
    if (!d.object.metadata.deletionTimestamp) ctx.enqueueDelete(ctx.graph.keyOf(d.resource, d.object));
  }
  if (blocking.length === 0) await removeFinalizer(ctx.client, resource, owner, FOREGROUND_FINALIZER);
}

/** attemptToOrphan: the owner is being deleted with propagationPolicy Orphan. */
export async function attemptToOrphanItem(ctx: SyncContext, key: string): Promise<void> {
  const item = ctx.graph.parseKey(key);
  if (!item) return;
  const owner = await getLive(ctx.client, item.resource, item.namespace, item.name);
  if (!owner?.metadata.deletionTimestamp || !hasFinalizer(owner, ORPHAN_FINALIZER)) return;
  const uid = owner.metadata.uid!;
  const failures: string[] = [];
  for (const d of ctx.graph.dependents(uid)) {
    try {
      await removeOwnerReferences(ctx.client, d.resource, d.object, new Set([uid]));
    } catch (e) {
      failures.push(`${d.resource.resource} ${d.object.metadata.namespace ? `${d.object.metadata.namespace}/` : ''}${d.object.metadata.name}: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  // The finalizer stays until every dependent has let go, or they would be collected with the owner.
  if (failures.length) throw new Error(`orphaning dependents failed: ${failures.join('; ')}`);
  await removeFinalizer(ctx.client, item.resource, owner, ORPHAN_FINALIZER);
}

// The collector's writes. Each one re-reads the live object and checks its uid first, so a write meant for
// an object never lands on a namesake created since; read-modify-write goes through retryOnConflict.
import { isConflict, isNotFound } from '../../../shared/api/errors';
import type { KubeObject, OwnerReference } from '../../../shared/api/meta';
import type { DeleteOptions, KubeClient } from '../../client/client';
import { cloneObject } from '../../client/cache-object';
import { retryOnConflict } from '../../client/retry';
import type { DeletableResource } from './graph';

export type PropagationPolicy = NonNullable<DeleteOptions['propagationPolicy']>;

/** GET that answers undefined for NotFound. */
export async function getLive(client: KubeClient, resource: DeletableResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.resource(resource).get(resource.namespaced ? namespace : undefined, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

const sameReferences = (a: OwnerReference[] | undefined, b: OwnerReference[] | undefined): boolean =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/**
 * gc.deleteObject: delete with uid and resourceVersion preconditions, so an object whose owners changed
 * after we looked is never deleted on stale grounds. A conflict caused by an unrelated change (owners
 * identical) retries with the uid precondition only; any other conflict goes back to the caller.
 */
export async function deleteObject(client: KubeClient, resource: DeletableResource, seen: KubeObject, policy: PropagationPolicy): Promise<void> {
  const { namespace, name = '', uid, resourceVersion } = seen.metadata;
  const api = client.resource(resource);
  try {
    await api.delete(namespace, name, { propagationPolicy: policy, preconditions: { uid, resourceVersion } });
    return;
  } catch (e) {
    if (isNotFound(e)) return;
    if (!isConflict(e)) throw e;
    const live = await getLive(client, resource, namespace, name);
    if (!live) return;
    if (live.metadata.uid !== uid || !sameReferences(live.metadata.ownerReferences, seen.metadata.ownerReferences)) throw e;
  }
  try {
    await api.delete(namespace, name, { propagationPolicy: policy, preconditions: { uid } });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Read-modify-write of the live object with this uid; `change` answers false when nothing needs writing. */
async function updateLive(client: KubeClient, resource: DeletableResource, target: KubeObject, change: (object: KubeObject) => boolean): Promise<void> {
  const { namespace, name = '', uid } = target.metadata;
  await retryOnConflict(async () => {
    const live = await getLive(client, resource, namespace, name);
    if (!live || live.metadata.uid !== uid) return;
    const next = cloneObject(live);
    if (!change(next)) return;
    try {
      await client.resource(resource).update(namespace, next);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  });
}

/** Drops the ownerReferences to these owner uids (dangling ones, or owners being orphaned). */
export function removeOwnerReferences(client: KubeClient, resource: DeletableResource, dependent: KubeObject, ownerUids: Set<string>): Promise<void> {
  return updateLive(client, resource, dependent, (next) => {
    const refs = next.metadata.ownerReferences ?? [];
    const kept = refs.filter((r) => !ownerUids.has(r.uid));
    if (kept.length === refs.length) return false;
    if (kept.length) next.metadata.ownerReferences = kept;
    else delete next.metadata.ownerReferences;
    return true;
  });
}

/** Sets blockOwnerDeletion=false on every reference (breaks foreground cycles, as unblockOwnerReferences does). */
export function unblockOwnerReferences(client: KubeClient, resource: DeletableResource, dependent: KubeObject): Promise<void> {
  return updateLive(client, resource, dependent, (next) => {
    const refs = next.metadata.ownerReferences ?? [];
    if (!refs.some((r) => r.blockOwnerDeletion)) return false;
    next.metadata.ownerReferences = refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
    return true;
  });
}

/** Removing the last finalizer of an object being deleted lets the apiserver delete it. */
export function removeFinalizer(client: KubeClient, resource: DeletableResource, object: KubeObject, finalizer: string): Promise<void> {
  return updateLive(client, resource, object, (next) => {
    const finalizers = next.metadata.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return false;
    const kept = finalizers.filter((f) => f !== finalizer);
    if (kept.length) next.metadata.finalizers = kept;
    else delete next.metadata.finalizers;
    return true;
  });
}

// Namespaces are held by `spec.finalizers` (the "kubernetes" finalizer the namespace controller owns), not
// only by metadata.finalizers: DELETE marks the namespace Terminating and keeps it until the controller has
// emptied it and removed its finalizer through the `finalize` subresource (k8s namespace REST storage).
import type { KubeObject } from '../../../shared/api/meta';
import type { ResourceDef } from '../types';
import { clone } from './context';

interface NamespaceShape {
  spec?: { finalizers?: string[] };
  status?: { phase?: string };
}

export const isNamespaceDef = (def: ResourceDef): boolean => def.group === '' && def.resource === 'namespaces';

/** Whether finalizers still hold the object once it has a deletionTimestamp. */
export function heldByFinalizers(def: ResourceDef, obj: KubeObject): boolean {
  if (obj.metadata.finalizers?.length) return true;
  return isNamespaceDef(def) && ((obj as NamespaceShape).spec?.finalizers?.length ?? 0) > 0;
}

/** A namespace being deleted reports phase Terminating, as Kubernetes' namespace storage sets it. */
export function markTerminating(def: ResourceDef, obj: KubeObject): void {
  if (!isNamespaceDef(def)) return;
  const ns = obj as KubeObject & NamespaceShape;
  ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
}

/**
 * PrepareForUpdate for namespaces: only `finalize` changes spec.finalizers; a main-resource update keeps
 * the stored ones (so `kubectl apply` can never drop the controller's finalizer by accident).
 */
export function prepareNamespaceUpdate(old: KubeObject, incoming: KubeObject, subresource: string | undefined, merged: KubeObject): KubeObject {
  const oldSpec = (old as NamespaceShape).spec ?? {};
  if (subresource === 'finalize') {
    const next = clone(old) as KubeObject & NamespaceShape;
    next.spec = { ...oldSpec, finalizers: [...((incoming as NamespaceShape).spec?.finalizers ?? [])] };
    return next;
  }
  const next = merged as KubeObject & NamespaceShape;
  next.spec = { ...(next.spec ?? {}) };
  if (oldSpec.finalizers) next.spec.finalizers = [...oldSpec.finalizers];
  else delete next.spec.finalizers;
  return next;
}

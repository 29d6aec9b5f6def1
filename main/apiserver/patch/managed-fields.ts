// managedFields for non-apply writes (operation `Update`): the manager that changed a field owns it,
// and taking a field over removes it from every other manager's set, as structured-merge-diff does.
// This is what makes a later server-side apply conflict with, say, `kubectl scale`.
import type { KubeObject, ManagedFieldsEntry } from '../../../shared/api/meta';
import { changedFieldSetOf, fieldSetOf, leafPaths, removePath, resolvePath, type FieldSet } from './field-set';
import { clone, isObject, jsonEqual } from './util';

export interface UpdateManager {
  manager: string;
  apiVersion: string;
  now: string;
  subresource?: string;
}

function addPath(set: FieldSet, path: string[]): void {
  let cur = set;
  for (const t of path) {
    if (!isObject(cur[t])) cur[t] = {};
    cur = cur[t] as FieldSet;
    if (t.startsWith('k:') || t.startsWith('v:')) cur['.'] ??= {};
  }
}

/** Records an Update by `who` on `next` (mutated): the fields that differ from `old` (all fields on create). */
export function recordUpdate(next: KubeObject, old: KubeObject | undefined, kind: string, who: UpdateManager): void {
  const includeStatus = who.subresource === 'status';
  // On update, fields identical to the old object's are left out up front: their leaves never differ.
  const all = old ? changedFieldSetOf(next as never, old as never, kind, { includeStatus }) : fieldSetOf(next as never, kind, { includeStatus });
  const changed = leafPaths(all).filter((leaf) => {
    if (!old) return true;
    const a = resolvePath(old, leaf);
    const b = resolvePath(next, leaf);
    return !a.found || !jsonEqual(a.value, b.value);
  });
  if (changed.length === 0) return;
  const entries: ManagedFieldsEntry[] = clone(next.metadata.managedFields ?? []);
  const sub = who.subresource ?? '';
  let mine = entries.find((e) => e.manager === who.manager && e.operation === 'Update' && (e.subresource ?? '') === sub);
  for (const e of entries) {
    if (e === mine || !isObject(e.fieldsV1)) continue;
    for (const leaf of changed) removePath(e.fieldsV1 as FieldSet, leaf);
  }
  if (!mine) {
    mine = { manager: who.manager, operation: 'Update', apiVersion: who.apiVersion, time: who.now, fieldsType: 'FieldsV1', fieldsV1: {} };
    if (who.subresource) mine.subresource = who.subresource;
    entries.push(mine);
  }
  mine.time = who.now;
  mine.apiVersion = who.apiVersion;
  const set = (mine.fieldsV1 ??= {}) as FieldSet;
  for (const leaf of changed) addPath(set, leaf);
  // Managers left owning nothing disappear, as in Kubernetes.
  next.metadata.managedFields = entries.filter((e) => e === mine || !isObject(e.fieldsV1) || Object.keys(e.fieldsV1).length > 0);
}

// Server-side apply (application/apply-patch+yaml). What is implemented:
//  - create when the object is missing; otherwise merge the applied configuration into the live object
//    with strategic-merge list semantics (keyed lists merge by key, others are atomic);
//  - managedFields: one `Apply` entry per manager holding the FieldsV1 set of its applied config;
//  - fields a manager applied before and omits now are removed, unless another manager owns them;
//  - conflicts: changing a field another manager owns (by Apply, or by Update — see managed-fields.ts)
//    to a different value is a 409 Conflict (FieldManagerConflict causes) unless force=true, which
//    transfers ownership.
// Not implemented: per-version field set conversion, and granular (atomic/granular map) schema hints
// beyond the list merge keys of merge-keys.ts.
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject, ManagedFieldsEntry } from '../../../shared/api/meta';
import { deletePath, fieldSetOf, formatPath, hasPath, leafPaths, removePath, resolvePath, subtractFieldSets, type FieldSet } from './field-set';
import { applyStrategicMergePatch } from './strategic-merge';
import { clone, isObject, jsonEqual } from './util';

export interface ApplyInput {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  kind: string;
  apiVersion: string;
  now: string;
  subresource?: string;
}

export function serverSideApply(input: ApplyInput): KubeObject {
  const { applied, manager, kind } = input;
  const newSet = fieldSetOf(applied as never, kind, { includeStatus: input.subresource === 'status' });
  const live = input.live ? clone(input.live) : undefined;
  const managed: ManagedFieldsEntry[] = clone(live?.metadata.managedFields ?? []);
  const mine = managed.find((m) => m.manager === manager && m.operation === 'Apply' && (m.subresource ?? '') === (input.subresource ?? ''));
  const others = managed.filter((m) => m !== mine && m.fieldsV1);

  let result: KubeObject;
  if (!live) {
    result = clone(applied);
  } else {
    const conflicts: { entry: ManagedFieldsEntry; manager: string; apiVersion?: string; path: string[] }[] = [];
    for (const leaf of leafPaths(newSet)) {
      const want = resolvePath(applied, leaf);
      const have = resolvePath(live, leaf);
      if (have.found && want.found && jsonEqual(have.value, want.value)) continue;
      for (const o of others) if (hasPath(o.fieldsV1 as FieldSet, leaf)) conflicts.push({ entry: o, manager: o.manager ?? '', apiVersion: o.apiVersion, path: leaf });
    }
    if (conflicts.length && !input.force) {
      const causes = conflicts.map((c) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with "${c.manager}" using ${c.apiVersion ?? input.apiVersion}`,
        field: formatPath(c.path),
      }));
      const lines = causes.map((c) => `- ${c.message}: ${c.field}`).join('\n');
      throw new ApiError(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.length === 1 ? `${causes[0].message}: ${causes[0].field}` : `\n${lines}`}`, {
        causes,
      });
    }
    for (const c of conflicts) if (c.entry.fieldsV1) removePath(c.entry.fieldsV1 as FieldSet, c.path);
    result = applyStrategicMergePatch(live, stripIdentity(applied), { kind }) as KubeObject;
    if (mine?.fieldsV1) {
      for (const dropped of subtractFieldSets(mine.fieldsV1 as FieldSet, newSet)) {
        if (others.some((o) => hasPath(o.fieldsV1 as FieldSet, dropped))) continue;
        deletePath(result, dropped);
      }
    }
  }

  // An apply that changes nothing keeps its entry's time, so re-applying is a true no-op (no write).
  const unchanged = !!live && !!mine && jsonEqual(mine.fieldsV1, newSet) && jsonEqual(withoutManagedFields(result), withoutManagedFields(live));
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion: input.apiVersion,
    time: unchanged && mine?.time ? mine.time : input.now,
    fieldsType: 'FieldsV1',
    fieldsV1: newSet,
  };
  if (input.subresource) entry.subresource = input.subresource;
  const kept = managed.filter((m) => m !== mine && !(m.fieldsV1 && isObject(m.fieldsV1) && Object.keys(m.fieldsV1).length === 0));
  result.metadata = { ...result.metadata, managedFields: [...kept, entry] };
  return result;
}

/** Applied configs carry identity fields the merge must not treat as changes (resourceVersion etc.). */
function stripIdentity(applied: KubeObject): KubeObject {
  const out = clone(applied);
  if (out.metadata) {
    delete out.metadata.resourceVersion;
    delete out.metadata.managedFields;
    delete out.metadata.uid;
    delete out.metadata.creationTimestamp;
  }
  return out;
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
}

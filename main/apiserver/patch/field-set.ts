// FieldsV1 sets (managedFields[].fieldsV1) as structured-merge-diff encodes them:
//   "f:<field>" for map fields, "k:{<merge key json>}" for items of keyed lists,
//   "v:<json>" for items of set lists, "." for "the item itself".
import { listStrategy } from './merge-keys';
import { isObject, type JsonObject } from './util';

export type FieldSet = Record<string, unknown>;

/** Fields that identify the object rather than belong to a manager. */
const SKIP_TOP = new Set(['apiVersion', 'kind']);
const SKIP_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName']);

export function fieldSetOf(object: JsonObject, kind: string | undefined, opts: { includeStatus?: boolean } = {}): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(object)) {
    if (SKIP_TOP.has(k) || v === undefined) continue;
    if (k === 'status' && !opts.includeStatus) continue;
    if (k === 'metadata' && isObject(v)) {
      const meta: FieldSet = {};
      for (const [mk, mv] of Object.entries(v)) {
        if (SKIP_META.has(mk) || mv === undefined) continue;
        meta[`f:${mk}`] = valueSet(mv, [k, mk], kind);
      }
      if (Object.keys(meta).length) out['f:metadata'] = meta;
      continue;
    }
    out[`f:${k}`] = valueSet(v, [k], kind);
  }
  return out;
}

/**
 * fieldSetOf(object) without the fields that `previous` holds identically, for callers that only look
 * for leaves whose value changed (managed-fields.ts): a field with the same keys, in the same order,
 * and the same values resolves every path below it to the same value in both objects, so none of its
 * leaves can differ. A field is kept anyway when some path below it would not resolve back to the item
 * it came from (duplicate or missing merge keys), where such a leaf counts as changed.
 */
export function changedFieldSetOf(object: JsonObject, previous: JsonObject, kind: string | undefined, opts: { includeStatus?: boolean } = {}): FieldSet {
  const out: FieldSet = {};
  const same = (holder: unknown, k: string, v: unknown, path: string[]): boolean =>
    isObject(holder) && Object.hasOwn(holder, k) && sameJson(holder[k], v) && resolvesToItself(v, path, kind);
  for (const [k, v] of Object.entries(object)) {
    if (SKIP_TOP.has(k) || v === undefined) continue;
    if (k === 'status' && !opts.includeStatus) continue;
    if (k === 'metadata' && isObject(v)) {
      const meta: FieldSet = {};
      const before = previous.metadata;
      for (const [mk, mv] of Object.entries(v)) {
        if (SKIP_META.has(mk) || mv === undefined || same(before, mk, mv, [k, mk])) continue;
        meta[`f:${mk}`] = valueSet(mv, [k, mk], kind);
      }
      if (Object.keys(meta).length) out['f:metadata'] = meta;
      continue;
    }
    if (same(previous, k, v, [k])) continue;
    out[`f:${k}`] = valueSet(v, [k], kind);
  }
  return out;
}

/** Same JSON text: same keys in the same order and the same values (stricter than jsonEqual). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameJson((a as JsonObject)[ka[i]], (b as JsonObject)[kb[i]])) return false;
  }
  return true;
}

/**
 * True when every path valueSet builds below `value` resolves (resolvePath) to the part it was built
 * from: each keyed-list item has a distinct primitive key, and no set-list item is undefined.
 */
function resolvesToItself(value: unknown, path: string[], kind: string | undefined): boolean {
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined && !resolvesToItself(v, [...path, k], kind)) return false;
    return true;
  }
  if (!Array.isArray(value)) return true;
  const strategy = listStrategy(kind, path);
  if (!strategy) return true;
  if (strategy.kind === 'set') return !value.includes(undefined);
  const keys = new Set<string>();
  for (const item of value) {
    if (!isObject(item)) continue;
    const key = item[strategy.key];
    if (typeof key !== 'string' && typeof key !== 'boolean' && !(typeof key === 'number' && Number.isFinite(key))) return false;
    const id = `${typeof key}:${String(key)}`;
    if (keys.has(id)) return false;
    keys.add(id);
    if (!resolvesToItself(item, path, kind)) return false;
  }
  return true;
}

function valueSet(value: unknown, path: string[], kind: string | undefined): FieldSet {
  if (isObject(value)) {
    const out: FieldSet = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[`f:${k}`] = valueSet(v, [...path, k], kind);
    return out;
  }
  if (Array.isArray(value)) {
    const strategy = listStrategy(kind, path);
    if (!strategy) return {};
    const out: FieldSet = {};
    for (const item of value) {
      if (strategy.kind === 'set') out[`v:${JSON.stringify(item)}`] = {};
      else if (isObject(item)) {
        out[`k:${JSON.stringify({ [strategy.key]: item[strategy.key] })}`] = { '.': {}, ...valueSet(item, path, kind) };
      }
    }
    return out;
  }
  return {};
}

/** Paths (token lists) present in `a` but not in `b`, at the shallowest differing level. */
export function subtractFieldSets(a: FieldSet, b: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(a)) {
    if (k === '.') continue;
    if (!(k in b)) out.push([...prefix, k]);
    else if (isObject(v) && isObject(b[k])) out.push(...subtractFieldSets(v, b[k] as FieldSet, [...prefix, k]));
  }
  return out;
}

/** Every leaf path of a set (a node with no children other than "."). */
export function leafPaths(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(set)) {
    if (k === '.') continue;
    const children = isObject(v) ? Object.keys(v).filter((c) => c !== '.') : [];
    if (children.length === 0) out.push([...prefix, k]);
    else out.push(...leafPaths(v as FieldSet, [...prefix, k]));
  }
  return out;
}

export function hasPath(set: FieldSet, path: string[]): boolean {
  let cur: unknown = set;
  for (const t of path) {
    if (!isObject(cur) || !(t in cur)) return false;
    cur = cur[t];
  }
  return true;
}

/** Removes a path from a set, pruning emptied parents. */
export function removePath(set: FieldSet, path: string[]): void {
  if (path.length === 0) return;
  const [head, ...rest] = path;
  if (rest.length === 0) {
    delete set[head];
    return;
  }
  const child = set[head];
  if (!isObject(child)) return;
  removePath(child, rest);
  if (Object.keys(child).filter((k) => k !== '.').length === 0 && !('.' in child)) delete set[head];
}

/** Resolves a field path on an object; `found` false when absent. */
export function resolvePath(object: unknown, path: string[]): { found: boolean; value?: unknown; parent?: unknown; at?: string | number } {
  let cur: unknown = object;
  let parent: unknown;
  let at: string | number | undefined;
  for (const t of path) {
    parent = cur;
    if (t.startsWith('f:')) {
      if (!isObject(cur) || !(t.slice(2) in cur)) return { found: false };
      at = t.slice(2);
      cur = cur[at];
    } else if (t.startsWith('k:')) {
      const key = JSON.parse(t.slice(2)) as JsonObject;
      if (!Array.isArray(cur)) return { found: false };
      const idx = cur.findIndex((i) => isObject(i) && Object.entries(key).every(([kk, kv]) => JSON.stringify(i[kk]) === JSON.stringify(kv)));
      if (idx < 0) return { found: false };
      at = idx;
      cur = cur[idx];
    } else if (t.startsWith('v:')) {
      const want = t.slice(2);
      if (!Array.isArray(cur)) return { found: false };
      const idx = cur.findIndex((i) => JSON.stringify(i) === want);
      if (idx < 0) return { found: false };
      at = idx;
      cur = cur[idx];
    } else return { found: false };
  }
  return { found: true, value: cur, parent, at };
}

/** Deletes the field at `path` from an object, if present. */
export function deletePath(object: unknown, path: string[]): void {
  const r = resolvePath(object, path);
  if (!r.found || r.at === undefined) return;
  if (Array.isArray(r.parent) && typeof r.at === 'number') r.parent.splice(r.at, 1);
  else if (isObject(r.parent) && typeof r.at === 'string') delete r.parent[r.at];
}

/** ".spec.containers[name="web"].image" — how kubectl prints conflicting fields. */
export function formatPath(path: string[]): string {
  return path
    .map((t) => {
      if (t.startsWith('f:')) return `.${t.slice(2)}`;
      if (t.startsWith('k:')) {
        const key = JSON.parse(t.slice(2)) as JsonObject;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      return `[=${t.slice(2)}]`;
    })
    .join('');
}

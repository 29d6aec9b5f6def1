// Strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch), the patch `kubectl apply`
// computes from last-applied-configuration. Lists merge item by item where the Kubernetes type says so
// (merge-keys.ts) and are replaced otherwise. Directives honoured:
//   $patch: replace | delete | merge   (on maps, and as a list element meaning "replace this list")
//   $retainKeys: [..]                  (drop every key not listed after merging)
//   $setElementOrder/<list>: [..]      (final order of a merged list)
//   $deleteFromPrimitiveList/<list>    (remove values from a set-merged primitive list)
import { ApiError } from '../../../shared/api/errors';
import { listStrategy, type ListStrategy } from './merge-keys';
import { clone, isObject, jsonEqual, type JsonObject } from './util';

const DELETE = Symbol('delete');
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

export interface MergeContext {
  /** Object kind (some merge keys depend on it, e.g. Service spec.ports by port). */
  kind?: string;
}

export function applyStrategicMergePatch(original: unknown, patch: unknown, ctx: MergeContext = {}): unknown {
  if (!isObject(patch)) throw ApiError.badRequest('invalid JSON document: a strategic merge patch must be a JSON object');
  const out = mergeMap(isObject(original) ? original : undefined, patch, [], ctx);
  return out === DELETE ? {} : out;
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject, path: string[], ctx: MergeContext): JsonObject | typeof DELETE {
  const directive = patch.$patch;
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return mergeMap(undefined, rest, path, ctx) as JsonObject;
  }
  if (directive !== undefined && directive !== 'merge') throw ApiError.badRequest(`Unknown patch type: ${String(directive)}`);

  const result: JsonObject = original ? clone(original) : {};
  const orders: Record<string, unknown[]> = {};
  let retainKeys: string[] | undefined;

  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (key === '$retainKeys') {
      if (!Array.isArray(value)) throw ApiError.badRequest('$retainKeys must be a list of strings');
      retainKeys = value.map(String);
      continue;
    }
    if (key.startsWith(SET_ORDER)) {
      if (!Array.isArray(value)) throw ApiError.badRequest(`${key} must be a list`);
      orders[key.slice(SET_ORDER.length)] = value;
      continue;
    }
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      if (!Array.isArray(value)) throw ApiError.badRequest(`${key} must be a list`);
      const cur = result[field];
      if (Array.isArray(cur)) result[field] = cur.filter((v) => !value.some((d) => jsonEqual(d, v)));
    }
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const childPath = [...path, key];
    if (value === null) {
      delete result[key];
    } else if (isObject(value)) {
      const merged = mergeMap(isObject(result[key]) ? (result[key] as JsonObject) : undefined, value, childPath, ctx);
      if (merged === DELETE) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(Array.isArray(result[key]) ? (result[key] as unknown[]) : [], value, childPath, ctx, orders[key]);
    } else {
      result[key] = value;
    }
  }

  // A list may be reordered without other changes (kubectl sends $setElementOrder for every merged list).
  for (const [field, order] of Object.entries(orders)) {
    if (field in patch || !Array.isArray(result[field])) continue;
    const strategy = listStrategy(ctx.kind, [...path, field]);
    if (strategy) result[field] = reorder(result[field] as unknown[], order, strategy);
  }

  if (retainKeys) {
    for (const k of Object.keys(patch)) {
      if (!k.startsWith('$') && patch[k] !== null && !retainKeys.includes(k)) {
        throw new ApiError(422, 'Invalid', `the patch has key "${k}" not present in $retainKeys`);
      }
    }
    for (const k of Object.keys(result)) if (!retainKeys.includes(k)) delete result[k];
  }
  return result;
}

function mergeList(original: unknown[], patch: unknown[], path: string[], ctx: MergeContext, order: unknown[] | undefined): unknown[] {
  const strategy = listStrategy(ctx.kind, path);
  const replaceDirective = patch.some((i) => isObject(i) && i.$patch === 'replace');
  if (!strategy || replaceDirective) {
    return patch.filter((i) => !(isObject(i) && i.$patch === 'replace' && Object.keys(i).length === 1)).map((i) => fresh(i, path, ctx));
  }
  let result: unknown[];
  if (strategy.kind === 'set') {
    result = [...original];
    for (const v of patch) if (!result.some((o) => jsonEqual(o, v))) result.push(v);
  } else {
    const key = strategy.key;
    result = [...original];
    for (const item of patch) {
      if (!isObject(item)) throw ApiError.badRequest(`unable to find api field in struct for the list ${path.join('.')}: items must be objects`);
      if (!(key in item)) throw ApiError.badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
      const idx = result.findIndex((o) => isObject(o) && jsonEqual(o[key], item[key]));
      if (item.$patch === 'delete') {
        if (idx >= 0) result.splice(idx, 1);
        continue;
      }
      const merged = mergeMap(idx >= 0 ? (result[idx] as JsonObject) : undefined, item, path, ctx);
      if (merged === DELETE) {
        if (idx >= 0) result.splice(idx, 1);
      } else if (idx >= 0) result[idx] = merged;
      else result.push(merged);
    }
  }
  return order ? reorder(result, order, strategy) : result;
}

/** A value entering the object whole: strip directives by merging into nothing. */
function fresh(value: unknown, path: string[], ctx: MergeContext): unknown {
  if (isObject(value)) {
    const m = mergeMap(undefined, value, path, ctx);
    return m === DELETE ? {} : m;
  }
  if (Array.isArray(value)) return value.map((v) => fresh(v, path, ctx));
  return value;
}

/** Items named by `order` take their given order in the slots they occupy; server-only items stay put. */
function reorder(list: unknown[], order: unknown[], strategy: ListStrategy): unknown[] {
  const indexOf = (item: unknown): number =>
    strategy.kind === 'map'
      ? order.findIndex((o) => isObject(o) && isObject(item) && jsonEqual(o[strategy.key], item[strategy.key]))
      : order.findIndex((o) => jsonEqual(o, item));
  const ordered = list.filter((i) => indexOf(i) >= 0).sort((a, b) => indexOf(a) - indexOf(b));
  let j = 0;
  return list.map((i) => (indexOf(i) >= 0 ? ordered[j++] : i));
}

// PUT (main resource and /status) and the optimistic-concurrency loop every read-modify-write shares,
// as registry Store.Update + storage GuaranteedUpdate.
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { isStoreError } from '../../store/store';
import { recordUpdate } from '../patch';
import { checkObjectFields } from '../schema/field-validation';
import { jsonEqual } from '../patch/util';
import type { ApiRequest, ResourceDef } from '../types';
import { CONFLICT_MESSAGE, clone, gr, isDryRun, requireObjectBody, storeKey, toApiError, updateManager, type RestContext } from './context';
import { create } from './create';
import { heldByFinalizers, isNamespaceDef, prepareNamespaceUpdate } from './namespace-lifecycle';
import { admitAndValidate } from './pipeline';

// A conflict means another write landed, so retrying always makes progress overall; the bound only
// guards against a misbehaving store.
const MAX_ATTEMPTS = 10_000;

/** Returned by a tryUpdate when the object needs no write. */
export const NO_CHANGE = Symbol('no-change');

export interface GuaranteedUpdateOptions {
  /** resourceVersion the caller saw: a mismatch is a Conflict and conflicts are not retried. */
  precondition?: string;
  /** Called when the object does not exist; may create it (create-on-update) or throw. */
  onMissing?: () => Promise<KubeObject>;
}

/**
 * Reads, transforms and compare-and-swaps until the write lands. tryUpdate receives a private copy;
 * it returns the new object, or NO_CHANGE to answer with the current object unwritten.
 */
export async function guaranteedUpdate(
  ctx: RestContext,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  tryUpdate: (current: KubeObject) => Promise<KubeObject | typeof NO_CHANGE>,
  opts: GuaranteedUpdateOptions = {},
): Promise<KubeObject> {
  const key = storeKey(def, namespace, name);
  for (let attempt = 1; ; attempt++) {
    // The shared stored object is only read here; tryUpdate gets the one private copy it may change.
    const current = await ctx.store.getShared(key);
    if (!current) {
      if (opts.onMissing) return opts.onMissing();
      throw ApiError.notFound(gr(def), name);
    }
    const currentVersion = current.object.metadata.resourceVersion;
    if (opts.precondition && opts.precondition !== currentVersion) {
      throw ApiError.conflict(gr(def), name, CONFLICT_MESSAGE);
    }
    const next = await tryUpdate(JSON.parse(current.json) as KubeObject);
    if (next === NO_CHANGE) return JSON.parse(current.json) as KubeObject;
    try {
      return await commit(ctx, def, key, next, currentVersion);
    } catch (e) {
      if (isStoreError(e, 'Conflict') && !opts.precondition && attempt < MAX_ATTEMPTS) continue;
      if (isStoreError(e, 'NotFound') && opts.onMissing && attempt < MAX_ATTEMPTS) continue;
      throw toApiError(e, def, name);
    }
  }
}

/** Writes an update; an object whose deletion has only been waiting for finalizers goes away now. */
async function commit(ctx: RestContext, def: ResourceDef, key: string, next: KubeObject, expected?: string): Promise<KubeObject> {
  const m = next.metadata;
  if (m.deletionTimestamp && !heldByFinalizers(def, next) && !(m.deletionGracePeriodSeconds && m.deletionGracePeriodSeconds > 0)) {
    return ctx.store.delete(key, { expectedResourceVersion: expected });
  }
  return ctx.store.update(key, next, { expectedResourceVersion: expected });
}

const SYSTEM_TOP = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/** True when anything outside metadata and status differs: what bumps metadata.generation. */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!SYSTEM_TOP.has(k) && !jsonEqual(a[k], b[k])) return true;
  return false;
}

/**
 * Merges an incoming full object onto the stored one as the strategy's PrepareForUpdate does:
 * system metadata is carried over, status is kept on main-resource updates and is the only thing
 * taken (plus labels/annotations) on /status updates.
 */
export function prepareForUpdate(def: ResourceDef, old: KubeObject, incoming: KubeObject, subresource?: string): KubeObject {
  const inMeta = incoming.metadata ?? {};
  if (inMeta.name !== undefined && inMeta.name !== old.metadata.name) {
    throw ApiError.badRequest(`the name of the object (${inMeta.name}) does not match the name on the URL (${old.metadata.name})`);
  }
  if (def.namespaced && inMeta.namespace && inMeta.namespace !== old.metadata.namespace) {
    throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  let next: KubeObject;
  if (subresource === 'finalize') return prepareNamespaceUpdate(old, incoming, subresource, clone(old));
  if (subresource === 'status') {
    next = clone(old);
    if (incoming.status === undefined) delete next.status;
    else next.status = clone(incoming.status);
    if ('labels' in inMeta) next.metadata.labels = clone(inMeta.labels);
    if ('annotations' in inMeta) next.metadata.annotations = clone(inMeta.annotations);
    return next;
  }
  next = clone(incoming);
  next.apiVersion = old.apiVersion;
  next.kind = old.kind;
  const m = (next.metadata = { ...next.metadata });
  const o = old.metadata;
  m.name = o.name;
  if (def.namespaced) m.namespace = o.namespace;
  else delete m.namespace;
  if (!m.uid) m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  if (o.generateName !== undefined) m.generateName = o.generateName;
  else delete m.generateName;
  // An update can neither set nor clear deletion; only DELETE does.
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  if (o.generation !== undefined) m.generation = o.generation;
  else delete m.generation;
  if (m.managedFields === undefined && o.managedFields) m.managedFields = o.managedFields;
  m.resourceVersion = o.resourceVersion;
  if (def.subresources?.includes('status')) {
    if (old.status === undefined) delete next.status;
    else next.status = clone(old.status);
  }
  return isNamespaceDef(def) ? prepareNamespaceUpdate(old, incoming, subresource, next) : next;
}

/** Admission + validation + generation of an update; NO_CHANGE when the result equals the stored object. */
export async function finishUpdate(
  ctx: RestContext,
  def: ResourceDef,
  req: ApiRequest,
  old: KubeObject,
  next: KubeObject,
  subresource?: string,
  opts: { apply?: boolean } = {},
): Promise<KubeObject | typeof NO_CHANGE> {
  const dryRun = isDryRun(req);
  await admitAndValidate(ctx, def, req, { operation: 'UPDATE', object: next, old, subresource, dryRun });
  if (def.tracksGeneration && subresource !== 'status' && specChanged(old, next)) {
    next.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  if (jsonEqual(old, next)) return NO_CHANGE;
  if (!opts.apply) recordUpdate(next, old, def.kind, updateManager(ctx, def, req, subresource));
  if (dryRun) throw new DryRunResult(next);
  return next;
}

/** Carries a dry-run result out of the update loop without writing. */
export class DryRunResult {
  constructor(readonly object: KubeObject) {}
}

export async function runUpdate(fn: () => Promise<KubeObject>): Promise<KubeObject> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DryRunResult) return e.object;
    throw e;
  }
}

/** PUT /…/name and PUT /…/name/status. */
export async function update(ctx: RestContext, def: ResourceDef, req: ApiRequest, subresource?: string): Promise<KubeObject> {
  const incoming = requireObjectBody(def, req.body);
  checkObjectFields(def, req, incoming, 'UpdateOptions');
  const name = req.name!;
  if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
    throw ApiError.badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (def.namespaced && req.namespace && incoming.metadata.namespace && incoming.metadata.namespace !== req.namespace) {
    throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const precondition = incoming.metadata.resourceVersion || undefined;
  return runUpdate(() =>
    guaranteedUpdate(ctx, def, req.namespace, name, async (old) => finishUpdate(ctx, def, req, old, prepareForUpdate(def, old, incoming, subresource), subresource), {
      precondition,
      onMissing: def.allowCreateOnUpdate && !subresource ? () => createOnUpdate(ctx, def, req, incoming) : undefined,
    }),
  );
}

async function createOnUpdate(ctx: RestContext, def: ResourceDef, req: ApiRequest, incoming: KubeObject): Promise<KubeObject> {
  const body = clone(incoming);
  delete body.metadata.resourceVersion;
  body.metadata.name = req.name;
  return create(ctx, def, req, body);
}

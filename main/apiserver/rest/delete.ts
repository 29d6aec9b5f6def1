// DELETE and deletecollection: registry Store.Delete semantics — preconditions, finalizers,
// propagationPolicy and graceful deletion.
//
// Pods are the one graceful kind (a pods special case here rather than a ResourceDef hook, as in
// k8s the pod strategy's CheckGracefulDelete): DELETE sets deletionTimestamp = now + grace and keeps
// the pod until its kubelet, having stopped the containers, deletes it again with gracePeriodSeconds=0.
// Unscheduled pods, finished pods and grace 0 go at once.
//
// Foreground/Orphan only add the `foregroundDeletion`/`orphan` finalizer; the garbage collector that
// deletes dependents (or orphans them) and then removes those finalizers lives in main/controllers.
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { isStoreError } from '../../store/store';
import { runMutatingAdmission, runValidatingAdmission } from '../admission';
import type { ApiRequest, ResourceDef } from '../types';
import { apiVersionFor, clone, gr, isDryRun, isObj, rfc3339, storeKey, toApiError, type RestContext } from './context';
import { listObjects } from './list';
import { heldByFinalizers, markTerminating } from './namespace-lifecycle';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

const POLICIES = ['Orphan', 'Background', 'Foreground'];
const MAX_ATTEMPTS = 10_000;

export function parseDeleteOptions(req: ApiRequest): DeleteOptions {
  const body = isObj(req.body) ? req.body : {};
  const q = req.query ?? {};
  const opts: DeleteOptions = {};
  const grace = q.gracePeriodSeconds ?? body.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && grace !== '') {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw ApiError.badRequest(`invalid gracePeriodSeconds: ${String(grace)}`);
    opts.gracePeriodSeconds = n;
  }
  let policy = q.propagationPolicy ?? body.propagationPolicy;
  if (policy === undefined && (q.orphanDependents ?? body.orphanDependents) !== undefined) {
    policy = String(q.orphanDependents ?? body.orphanDependents) === 'true' ? 'Orphan' : 'Background';
  }
  if (policy !== undefined && policy !== null && policy !== '') {
    if (!POLICIES.includes(policy)) {
      throw ApiError.invalid('', 'DeleteOptions', '', [
        { type: 'FieldValueNotSupported', field: 'propagationPolicy', value: policy, detail: 'supported values: "Foreground", "Background", "Orphan", nil' },
      ]);
    }
    opts.propagationPolicy = policy;
  }
  if (isObj(body.preconditions)) opts.preconditions = { uid: body.preconditions.uid, resourceVersion: body.preconditions.resourceVersion };
  return opts;
}

/** Grace period of a pod deletion (podStrategy.CheckGracefulDelete); undefined for non-graceful kinds. */
function gracePeriod(def: ResourceDef, obj: KubeObject, opts: DeleteOptions): number | undefined {
  if (def.group !== '' || def.resource !== 'pods') return undefined;
  const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  let grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  if (grace < 0) grace = 1;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
  return grace;
}

export async function deleteOne(ctx: RestContext, def: ResourceDef, req: ApiRequest, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KubeObject> {
  const dryRun = isDryRun(req);
  const key = storeKey(def, namespace, name);
  for (let attempt = 1; ; attempt++) {
    const current = await ctx.store.get(key);
    if (!current) throw ApiError.notFound(gr(def), name);
    const m = current.metadata;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== m.uid) {
      throw ApiError.conflict(gr(def), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid ?? ''}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
      throw ApiError.conflict(gr(def), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion ?? ''}`);
    }
    const admission = { operation: 'DELETE' as const, object: current, oldObject: current, request: req, resource: def, dryRun };
    await runMutatingAdmission(ctx.admission, admission);
    await runValidatingAdmission(ctx.admission, admission);

    const next = clone(current);
    const nm = next.metadata;
    const finalizers = [...(nm.finalizers ?? [])];
    const policyFinalizer = opts.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : opts.propagationPolicy === 'Orphan' ? 'orphan' : undefined;
    if (policyFinalizer && !finalizers.includes(policyFinalizer)) {
      finalizers.push(policyFinalizer);
      // The two policies exclude each other: the newest request wins.
      const other = policyFinalizer === 'orphan' ? 'foregroundDeletion' : 'orphan';
      if (finalizers.includes(other)) finalizers.splice(finalizers.indexOf(other), 1);
    }
    if (finalizers.length) nm.finalizers = finalizers;
    const held = heldByFinalizers(def, next);
    const grace = gracePeriod(def, current, opts);
    const nowMs = ctx.clock.nowMs();
    let keep: boolean;
    if (nm.deletionTimestamp) {
      // Already being deleted: a graceful kind may shorten its grace; finalizers still hold it.
      const remaining = nm.deletionGracePeriodSeconds ?? 0;
      if (grace !== undefined && grace < remaining) {
        nm.deletionGracePeriodSeconds = grace;
        nm.deletionTimestamp = rfc3339(nowMs + grace * 1000);
      }
      keep = held || (nm.deletionGracePeriodSeconds ?? 0) > 0;
    } else if (held || (grace ?? 0) > 0) {
      nm.deletionTimestamp = rfc3339(nowMs + (grace ?? 0) * 1000);
      nm.deletionGracePeriodSeconds = grace ?? 0;
      keep = true;
    } else keep = false;
    if (keep) markTerminating(def, next);

    if (keep) {
      if (JSON.stringify(next) === JSON.stringify(current)) return current;
      if (dryRun) return next;
      if (def.tracksGeneration && nm.deletionTimestamp !== m.deletionTimestamp) nm.generation = (m.generation ?? 0) + 1;
      try {
        return await ctx.store.update(key, next, { expectedResourceVersion: m.resourceVersion });
      } catch (e) {
        if (isStoreError(e, 'Conflict') && attempt < MAX_ATTEMPTS) continue;
        throw toApiError(e, def, name);
      }
    }
    if (dryRun) return current;
    try {
      return await ctx.store.delete(key, { expectedResourceVersion: m.resourceVersion });
    } catch (e) {
      if (isStoreError(e, 'Conflict') && attempt < MAX_ATTEMPTS) continue;
      throw toApiError(e, def, name);
    }
  }
}

export async function remove(ctx: RestContext, def: ResourceDef, req: ApiRequest): Promise<KubeObject> {
  return deleteOne(ctx, def, req, req.namespace, req.name!, parseDeleteOptions(req));
}

/** deletecollection: every object the selectors match; answers the list of what was deleted. */
export async function removeCollection(ctx: RestContext, def: ResourceDef, req: ApiRequest): Promise<unknown> {
  const opts = parseDeleteOptions(req);
  isDryRun(req);
  const listed = await listObjects(ctx, def, { ...req, query: { ...req.query, limit: undefined, continue: undefined } });
  const items: KubeObject[] = [];
  for (const obj of listed.items) {
    try {
      items.push(await deleteOne(ctx, def, req, obj.metadata.namespace, obj.metadata.name!, opts));
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  }
  return { apiVersion: apiVersionFor(def), kind: `${def.kind}List`, metadata: { resourceVersion: String(ctx.store.resourceVersion) }, items };
}

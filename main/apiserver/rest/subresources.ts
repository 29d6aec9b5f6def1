// Built-in subresources other than /status: /scale (autoscaling/v1 Scale), pods/binding and
// pods/eviction. /status is handled by update.ts and patch.ts with subresource 'status'.
import { ApiError, isConflict } from '../../../shared/api/errors';
import { labelSelectorAsSelector, type LabelSelectorObject } from '../../../shared/api/labels';
import type { KubeObject } from '../../../shared/api/meta';
import { runMutatingAdmission, runValidatingAdmission } from '../admission';
import { applyPatch } from '../patch';
import type { ApiRequest, ResourceDef } from '../types';
import { clone, gr, isDryRun, isObj, requireObjectBody, statusSuccess, type RestContext } from './context';
import { get } from './create';
import { deleteOne, type DeleteOptions } from './delete';
import { decodePatch } from './patch';
import { DryRunResult, finishUpdate, guaranteedUpdate, runUpdate } from './update';

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const p of path.replace(/^\./, '').split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function setPath(obj: Record<string, any>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]] = value;
}

function scaleDef(def: ResourceDef): NonNullable<ResourceDef['scale']> {
  return def.scale ?? { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };
}

export function toScale(def: ResourceDef, obj: KubeObject): KubeObject {
  const s = scaleDef(def);
  const sel = getPath(obj, s.labelSelectorPath);
  let selector = '';
  if (typeof sel === 'string') selector = sel;
  else if (isObj(sel)) selector = labelSelectorAsSelector(sel as LabelSelectorObject).toString();
  const m = obj.metadata;
  const metadata: KubeObject['metadata'] = { name: m.name, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  if (def.namespaced) metadata.namespace = m.namespace;
  const status: Record<string, unknown> = { replicas: Number(getPath(obj, s.statusReplicasPath) ?? 0) };
  if (selector) status.selector = selector;
  return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata, spec: { replicas: Number(getPath(obj, s.specReplicasPath) ?? 0) }, status };
}

const SCALE_DEF = { group: 'autoscaling', kind: 'Scale', version: 'v1' } as ResourceDef;

async function writeScale(ctx: RestContext, def: ResourceDef, req: ApiRequest, scale: KubeObject, precondition?: string): Promise<KubeObject> {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw ApiError.invalid('autoscaling', 'Scale', req.name!, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' },
    ]);
  }
  const updated = await runUpdate(() =>
    guaranteedUpdate(
      ctx,
      def,
      req.namespace,
      req.name!,
      async (old) => {
        const next = clone(old);
        setPath(next, scaleDef(def).specReplicasPath, replicas);
        return finishUpdate(ctx, def, req, old, next, 'scale');
      },
      { precondition },
    ),
  );
  return toScale(def, updated);
}

export async function scale(ctx: RestContext, def: ResourceDef, req: ApiRequest): Promise<KubeObject> {
  const name = req.name!;
  if (req.verb === 'get') return toScale(def, await get(ctx, def, req.namespace, name));
  if (req.verb === 'update') {
    const body = requireObjectBody(SCALE_DEF, req.body, { apiVersion: 'autoscaling/v1', kind: 'Scale' });
    if (body.metadata.name && body.metadata.name !== name) {
      throw ApiError.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    return writeScale(ctx, def, req, body, body.metadata.resourceVersion || undefined);
  }
  if (req.verb === 'patch') {
    const current = toScale(def, await get(ctx, def, req.namespace, name));
    if (req.patchType === 'application/apply-patch+yaml') throw new ApiError(415, 'UnsupportedMediaType', 'apply is not supported on the scale subresource');
    const patched = applyPatch(req.patchType!, current, decodePatch(req.patchType!, req.body), 'Scale') as KubeObject;
    const rv = patched.metadata?.resourceVersion !== current.metadata.resourceVersion ? patched.metadata?.resourceVersion : undefined;
    return writeScale(ctx, def, req, patched, rv);
  }
  throw ApiError.methodNotAllowed(`the server does not allow this method on the requested resource`);
}

/** POST pods/NAME/binding: what the scheduler does to place a pod. */
export async function binding(ctx: RestContext, def: ResourceDef, req: ApiRequest): Promise<unknown> {
  const body = requireObjectBody(def, req.body, { apiVersion: 'v1', kind: 'Binding' });
  const name = req.name!;
  if (body.metadata.name && body.metadata.name !== name) throw ApiError.badRequest(`name in URL does not match name in Binding object`);
  const target = body.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw ApiError.invalid('', 'Binding', name, [{ type: 'FieldValueRequired', field: 'target.name' }]);
  if (target.kind && target.kind !== 'Node') {
    throw ApiError.invalid('', 'Binding', name, [{ type: 'FieldValueNotSupported', field: 'target.kind', value: target.kind, detail: 'supported values: "Node"' }]);
  }
  const bindingGr = { group: '', resource: 'pods/binding' };
  // As the apiserver's BindingREST: admission sees the Binding; the pod is then changed directly in
  // storage, bypassing the pod update strategy (which forbids changing spec.nodeName).
  const dryRun = isDryRun(req);
  const admission = { operation: 'CREATE' as const, object: body, request: req, resource: def, subresource: 'binding', dryRun };
  await runMutatingAdmission(ctx.admission, admission);
  await runValidatingAdmission(ctx.admission, admission);
  await runUpdate(() =>
    guaranteedUpdate(ctx, def, req.namespace, name, async (old) => {
      const spec = (old.spec ?? {}) as { nodeName?: string };
      if (old.metadata.deletionTimestamp) throw ApiError.conflict(bindingGr, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw ApiError.conflict(bindingGr, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      // `old` is already guaranteedUpdate's private copy, used for nothing else: change it in place.
      const next = old;
      (next.spec as Record<string, unknown>).nodeName = target.name;
      const annotations = body.metadata.annotations;
      if (annotations) next.metadata.annotations = { ...next.metadata.annotations, ...annotations };
      const status = (next.status ??= {}) as { conditions?: Record<string, unknown>[] };
      const conditions = (status.conditions ??= []);
      const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date(Math.floor(ctx.clock.nowMs() / 1000) * 1000).toISOString().replace('.000Z', 'Z') };
      const idx = conditions.findIndex((c) => c.type === 'PodScheduled');
      if (idx >= 0) conditions[idx] = { ...conditions[idx], ...scheduled };
      else conditions.push(scheduled);
      if (dryRun) throw new DryRunResult(next);
      return next;
    }),
  );
  return statusSuccess(201);
}

// ---- pods/eviction (pkg/registry/core/pod/storage/eviction.go) ----

export const EVICTION_BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

/** 429 with the DisruptionBudget cause Kubernetes attaches (kubectl drain retries these every 5 s). */
export function disruptionBudgetError(causeMessage: string, retryAfterSeconds = 0): ApiError {
  const details: { causes: { reason: string; message: string }[]; retryAfterSeconds?: number } = {
    causes: [{ reason: 'DisruptionBudget', message: causeMessage }],
  };
  if (retryAfterSeconds) details.retryAfterSeconds = retryAfterSeconds;
  return new ApiError(429, 'TooManyRequests', EVICTION_BUDGET_MESSAGE, details);
}

/** createTooManyRequestsError: the budget's status is behind its spec, or the pod changed under us. */
export const budgetStillProcessing = (pdbName: string): ApiError =>
  disruptionBudgetError(`The disruption budget ${pdbName} is still being processed by the server.`, 10);

// Evictions an EvictionPolicy let through without spending a disruption (an unhealthy pod), by budget
// name: the delete then carries the pod's resourceVersion as a precondition, and a conflict means the
// pod changed (perhaps became ready) since the decision, so the client is told to retry.
const unchangedOnly = new WeakMap<KubeObject, string>();

/** For an EvictionPolicy: let this eviction go only if the pod is still the one it looked at. */
export function evictIfPodUnchanged(eviction: KubeObject, pdbName: string): void {
  unchangedOnly.set(eviction, pdbName);
}

type EvictionDeleteOptions = DeleteOptions & { dryRun?: string[] };

/** propagateDryRun: the request's dryRun and the Eviction's deleteOptions.dryRun must agree. */
function evictionDeleteOptions(body: KubeObject, req: ApiRequest): EvictionDeleteOptions {
  const fromQuery = isDryRun({ ...req, body: undefined }) ? ['All'] : [];
  const opts = (isObj(body.deleteOptions) ? clone(body.deleteOptions) : {}) as EvictionDeleteOptions;
  const fromBody = Array.isArray(opts.dryRun) ? opts.dryRun : [];
  if (fromBody.some((v) => v !== 'All')) throw ApiError.badRequest(`Invalid dryRun value: ${fromBody.join(',')}. Allowed values: All`);
  if (fromBody.length && fromQuery.length && fromBody.join() !== fromQuery.join()) {
    throw ApiError.internal(`Non-matching dry-run options in request and content: [${fromQuery.join(' ')}] and [${fromBody.join(' ')}]`);
  }
  opts.dryRun = fromBody.length ? fromBody : fromQuery;
  return opts;
}

const phaseOf = (pod: KubeObject): string | undefined => (pod.status as { phase?: string } | undefined)?.phase;
const isTerminal = (pod: KubeObject): boolean => phaseOf(pod) === 'Succeeded' || phaseOf(pod) === 'Failed';
/** canIgnorePDB: a finished, pending or already terminating pod disrupts nothing more by going. */
const canIgnoreBudgets = (pod: KubeObject): boolean => isTerminal(pod) || phaseOf(pod) === 'Pending' || !!pod.metadata.deletionTimestamp;
/** shouldEnforceResourceVersion: don't race a pod that might become ready meanwhile. */
const shouldEnforceResourceVersion = (pod: KubeObject): boolean => !isTerminal(pod) && !pod.metadata.deletionTimestamp;

// Kubernetes retries pod conflicts with EvictionsRetry (20 steps).
const EVICTION_RETRIES = 20;

/**
 * POST pods/NAME/eviction (policy/v1 Eviction; policy/v1beta1 bodies accepted): pods that can ignore
 * budgets go at once; otherwise the EvictionPolicy (PodDisruptionBudgets) decides, then the pod gets the
 * DisruptionTarget condition and a graceful delete with the Eviction's deleteOptions. 201 Status Success.
 */
export async function eviction(ctx: RestContext, def: ResourceDef, req: ApiRequest): Promise<unknown> {
  if (!isObj(req.body)) throw ApiError.badRequest('the body of the request must be a policy/v1 Eviction');
  const apiVersion = req.body.apiVersion === 'policy/v1beta1' ? 'policy/v1beta1' : 'policy/v1';
  const body = requireObjectBody(def, req.body, { apiVersion, kind: 'Eviction' });
  const name = req.name!;
  if (body.metadata.name !== name) throw ApiError.badRequest('name in URL does not match name in Eviction object');
  const original = evictionDeleteOptions(body, req);
  const dryRun = original.dryRun!.length > 0;
  const userResourceVersion = original.preconditions?.resourceVersion;
  // The policy and the delete see dryRun the same way, whichever place it came from.
  const request: ApiRequest = { ...req, query: { ...req.query, dryRun: dryRun ? 'All' : undefined } };

  let pod: KubeObject | undefined;
  for (let attempt = 1; ; attempt++) {
    pod = await get(ctx, def, req.namespace, name);
    if (!canIgnoreBudgets(pod)) break;
    const opts = shouldEnforceResourceVersion(pod) && !userResourceVersion ? withResourceVersion(original, pod) : original;
    try {
      await markAndDelete(ctx, def, request, name, opts);
      return statusSuccess(201);
    } catch (e) {
      if (!isConflict(e) || userResourceVersion || attempt >= EVICTION_RETRIES) throw e;
    }
  }

  if (ctx.evictionPolicy) await ctx.evictionPolicy(pod, body, request);
  const unhealthyBudget = unchangedOnly.get(body);
  const opts = unhealthyBudget !== undefined ? withResourceVersion(original, pod) : original;
  try {
    await markAndDelete(ctx, def, request, name, opts);
  } catch (e) {
    if (isConflict(e) && unhealthyBudget !== undefined && !userResourceVersion) throw budgetStillProcessing(unhealthyBudget);
    throw e;
  }
  return statusSuccess(201);
}

function withResourceVersion(opts: EvictionDeleteOptions, pod: KubeObject): EvictionDeleteOptions {
  return { ...opts, preconditions: { ...opts.preconditions, resourceVersion: pod.metadata.resourceVersion } };
}

/** addConditionAndDeletePod: DisruptionTarget=True (EvictionByEvictionAPI) on the pod's status, then the delete. */
async function markAndDelete(ctx: RestContext, def: ResourceDef, req: ApiRequest, name: string, opts: EvictionDeleteOptions): Promise<void> {
  let preconditions = opts.preconditions;
  if (!opts.dryRun?.length) {
    const updated = await runUpdate(() =>
      guaranteedUpdate(ctx, def, req.namespace, name, async (latest) => {
        const m = latest.metadata;
        if (preconditions?.uid && preconditions.uid !== m.uid) {
          throw ApiError.conflict({ group: '', resource: 'Pod' }, name, `the UID in the precondition (${preconditions.uid}) does not match the UID in record (${m.uid ?? ''}). The object might have been deleted and then recreated`);
        }
        if (preconditions?.resourceVersion && preconditions.resourceVersion !== m.resourceVersion) {
          throw ApiError.conflict({ group: '', resource: 'Pod' }, name, `the ResourceVersion in the precondition (${preconditions.resourceVersion}) does not match the ResourceVersion in record (${m.resourceVersion ?? ''}). The object might have been modified`);
        }
        const next = clone(latest);
        setDisruptionTarget(next, ctx.clock.nowMs());
        return finishUpdate(ctx, def, { ...req, verb: 'update', subresource: 'status' }, latest, next, 'status');
      }),
    );
    // Our own status write moved the resourceVersion the precondition names.
    if (preconditions?.resourceVersion) preconditions = { ...preconditions, resourceVersion: updated.metadata.resourceVersion };
  }
  await deleteOne(ctx, def, { ...req, verb: 'delete', subresource: undefined, body: { ...opts, dryRun: opts.dryRun } }, req.namespace, name, {
    gracePeriodSeconds: opts.gracePeriodSeconds,
    propagationPolicy: opts.propagationPolicy,
    preconditions,
  });
}

function setDisruptionTarget(pod: KubeObject, nowMs: number): void {
  const status = (pod.status ??= {}) as { conditions?: Record<string, unknown>[] };
  const conditions = (status.conditions ??= []);
  const wanted = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
  const i = conditions.findIndex((c) => c.type === 'DisruptionTarget');
  const lastTransitionTime = new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  if (i < 0) conditions.push({ ...wanted, lastProbeTime: null, lastTransitionTime });
  else conditions[i] = { ...conditions[i], ...wanted, lastTransitionTime: conditions[i].status === 'True' ? conditions[i].lastTransitionTime : lastTransitionTime };
}

export function notServed(def: ResourceDef, name: string | undefined, subresource: string): ApiError {
  return new ApiError(404, 'NotFound', `the server could not find the requested resource (${subresource} of ${gr(def).resource}${def.group ? '.' + def.group : ''}${name ? ` "${name}"` : ''} is not served)`, {
    name,
    group: def.group,
    kind: def.resource,
  });
}

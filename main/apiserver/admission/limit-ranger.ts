// LimitRanger admission (plugin/pkg/admission/limitranger). Mutating: a new pod's containers get the
// namespace's Container defaults (default → limits, defaultRequest → requests) where they set none, and
// the pod is annotated `kubernetes.io/limit-ranger` with what was set. Validating: min, max and
// maxLimitRequestRatio per Container and per Pod, and min/max storage per PersistentVolumeClaim, with
// kube-apiserver's wording (`pods "x" is forbidden: minimum cpu usage per Container is 100m, but request
// is 50m`). Pods are checked on create only (their resources are immutable); claims on create and update.
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { addQuantities, compareQuantities, formatQuantity, toQuantity, type Quantity } from '../../../shared/api/quantity';
import type { AdmissionContext, AdmissionPlugin } from '../admission';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type Obj = Record<string, any>;
export type ResourceList = Record<string, Quantity>;

export interface LimitRangerOptions {
  /** The LimitRanges of a namespace. */
  listLimitRanges(namespace: string): Promise<KubeObject[]>;
}

const toList = (raw: Record<string, unknown> | undefined): ResourceList => {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    try {
      out[k] = toQuantity(v as string);
    } catch {
      // Malformed quantities were already refused by validation.
    }
  }
  return out;
};

const sortedEntries = (raw: Record<string, unknown> | undefined): Array<[string, Quantity]> =>
  Object.entries(toList(raw)).sort(([a], [b]) => a.localeCompare(b));

function maxInto(into: ResourceList, list: ResourceList): void {
  for (const [k, v] of Object.entries(list)) if (!into[k] || compareQuantities(v, into[k]) > 0) into[k] = v;
}

function addInto(into: ResourceList, list: ResourceList): void {
  for (const [k, v] of Object.entries(list)) into[k] = into[k] ? addQuantities(into[k], v) : v;
}

/**
 * resourcehelper.PodRequests/PodLimits on the spec: the sum over containers, at least the largest init
 * container (each plus the restartable sidecars started before it); sidecars count in the sum.
 */
export function podResourceList(pod: KubeObject, which: 'requests' | 'limits'): ResourceList {
  const spec: Obj = (pod as Obj).spec ?? {};
  const total: ResourceList = {};
  for (const c of (spec.containers ?? []) as Obj[]) addInto(total, toList(c.resources?.[which]));
  const sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of (spec.initContainers ?? []) as Obj[]) {
    const list = toList(c.resources?.[which]);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, list);
      const running: ResourceList = { ...sidecars };
      maxInto(initMax, running);
    } else {
      const running: ResourceList = { ...sidecars };
      addInto(running, list);
      maxInto(initMax, running);
    }
  }
  addInto(total, sidecars);
  maxInto(total, initMax);
  if (spec.overhead) addInto(total, toList(spec.overhead));
  return total;
}

function minConstraint(limitType: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  if (!req) return `minimum ${name} usage per ${limitType} is ${formatQuantity(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) < 0) return `minimum ${name} usage per ${limitType} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  if (lim && compareQuantities(lim, enforced) < 0) return `minimum ${name} usage per ${limitType} is ${formatQuantity(enforced)}, but limit is ${formatQuantity(lim)}`;
  return undefined;
}

function maxConstraint(limitType: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  if (!lim) return `maximum ${name} usage per ${limitType} is ${formatQuantity(enforced)}.  No limit is specified`;
  if (compareQuantities(lim, enforced) > 0) return `maximum ${name} usage per ${limitType} is ${formatQuantity(enforced)}, but limit is ${formatQuantity(lim)}`;
  if (req && compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${limitType} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  return undefined;
}

/** maxRequestConstraint: claims only have requests. */
function maxRequestConstraint(limitType: string, name: string, enforced: Quantity, request: ResourceList): string | undefined {
  const req = request[name];
  if (!req) return `maximum ${name} usage per ${limitType} is ${formatQuantity(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${limitType} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  return undefined;
}

function ratioConstraint(limitType: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  const shown = formatQuantity(enforced);
  if (!req || req.nano === 0n) return `${name} max limit to request ratio per ${limitType} is ${shown}, but no request is specified or request is 0`;
  if (!lim || lim.nano === 0n) return `${name} max limit to request ratio per ${limitType} is ${shown}, but no limit is specified or limit is 0`;
  const ratio = Number(lim.nano) / Number(req.nano);
  // Compared as lim > req × max in exact units, as Kubernetes compares milli-values.
  if (lim.nano * 1_000_000_000n > req.nano * enforced.nano) return `${name} max limit to request ratio per ${limitType} is ${shown}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkResources(limitType: string, item: Obj, request: ResourceList, limit: ResourceList, errors: string[]): void {
  const push = (e: string | undefined): void => {
    if (e) errors.push(e);
  };
  for (const [k, v] of sortedEntries(item.min)) push(minConstraint(limitType, k, v, request, limit));
  for (const [k, v] of sortedEntries(item.max)) push(maxConstraint(limitType, k, v, request, limit));
  for (const [k, v] of sortedEntries(item.maxLimitRequestRatio)) push(ratioConstraint(limitType, k, v, request, limit));
}

/** PodValidateLimitFunc: every finding of one LimitRange. */
export function podLimitErrors(limitRange: KubeObject, pod: KubeObject): string[] {
  const errors: string[] = [];
  const spec: Obj = (pod as Obj).spec ?? {};
  for (const item of ((limitRange as Obj).spec?.limits ?? []) as Obj[]) {
    if (item.type === 'Container') {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Obj[]) {
        checkResources('Container', item, toList(c.resources?.requests), toList(c.resources?.limits), errors);
      }
    }
    if (item.type === 'Pod') checkResources('Pod', item, podResourceList(pod, 'requests'), podResourceList(pod, 'limits'), errors);
  }
  return errors;
}

/** PersistentVolumeClaimValidateLimitFunc. */
export function claimLimitErrors(limitRange: KubeObject, claim: KubeObject): string[] {
  const errors: string[] = [];
  const requests = toList((claim as Obj).spec?.resources?.requests);
  for (const item of ((limitRange as Obj).spec?.limits ?? []) as Obj[]) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of sortedEntries(item.min)) {
      const e = minConstraint('PersistentVolumeClaim', k, v, requests, {});
      if (e) errors.push(e);
    }
    for (const [k, v] of sortedEntries(item.max)) {
      const e = maxRequestConstraint('PersistentVolumeClaim', k, v, requests);
      if (e) errors.push(e);
    }
  }
  return errors;
}

/** PodMutateLimitFunc: fills container defaults in place; returns what it set, for the annotation. */
export function applyContainerDefaults(limitRange: KubeObject, pod: KubeObject): string[] {
  const limits: Obj = {};
  const requests: Obj = {};
  for (const item of ((limitRange as Obj).spec?.limits ?? []) as Obj[]) {
    if (item.type !== 'Container') continue;
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  const notes: string[] = [];
  const spec: Obj = (pod as Obj).spec ?? {};
  const merge = (c: Obj, prefix: string): void => {
    const resources = (c.resources ??= {});
    const setLimits: string[] = [];
    const setRequests: string[] = [];
    for (const [k, v] of Object.entries(limits)) {
      if ((resources.limits ?? {})[k] !== undefined) continue;
      (resources.limits ??= {})[k] = v;
      setLimits.push(k);
    }
    for (const [k, v] of Object.entries(requests)) {
      if ((resources.requests ?? {})[k] !== undefined) continue;
      (resources.requests ??= {})[k] = v;
      setRequests.push(k);
    }
    if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  };
  for (const c of (spec.containers ?? []) as Obj[]) merge(c, 'container');
  for (const c of (spec.initContainers ?? []) as Obj[]) merge(c, 'init container');
  return notes;
}

/** admission.NewForbidden: `<resource> "<name>" is forbidden: <err>`, several errors as Go's aggregate `[a, b]`. */
export function forbiddenFor(ctx: AdmissionContext, errors: string[]): ApiError {
  const resource = ctx.resource.group ? `${ctx.resource.resource}.${ctx.resource.group}` : ctx.resource.resource;
  const name = ctx.object?.metadata.name ?? '';
  const text = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  return ApiError.forbidden(`${resource} "${name}" is forbidden: ${text}`, { name, group: ctx.resource.group, kind: ctx.resource.resource });
}

function applies(ctx: AdmissionContext): 'pod' | 'claim' | undefined {
  if (ctx.subresource || !ctx.object || ctx.resource.group !== '') return undefined;
  if (ctx.resource.resource === 'pods' && ctx.operation === 'CREATE') return 'pod';
  if (ctx.resource.resource === 'persistentvolumeclaims' && (ctx.operation === 'CREATE' || ctx.operation === 'UPDATE')) return 'claim';
  return undefined;
}

export function createLimitRangerAdmission(options: LimitRangerOptions): AdmissionPlugin {
  const limitRanges = async (ctx: AdmissionContext): Promise<KubeObject[]> =>
    (await options.listLimitRanges(ctx.object!.metadata.namespace ?? '')).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return {
    name: 'LimitRanger',
    async admit(ctx) {
      if (applies(ctx) !== 'pod') return;
      const notes: string[] = [];
      for (const lr of await limitRanges(ctx)) notes.push(...applyContainerDefaults(lr, ctx.object!));
      if (!notes.length) return;
      const meta = ctx.object!.metadata;
      meta.annotations = { ...(meta.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
    },
    async validate(ctx) {
      const what = applies(ctx);
      if (!what) return;
      // The first LimitRange with findings decides, as runLimitFunc returns on the first error.
      for (const lr of await limitRanges(ctx)) {
        const errors = what === 'pod' ? podLimitErrors(lr, ctx.object!) : claimLimitErrors(lr, ctx.object!);
        if (errors.length) throw forbiddenFor(ctx, errors);
      }
    },
  };
}

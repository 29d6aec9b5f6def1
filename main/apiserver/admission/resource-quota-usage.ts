// What an object costs against a ResourceQuota (k8s pkg/quota/v1/evaluator/core and generic): usage
// per resource name, which quotas an object falls under (scopes), and the "must specify" constraint on
// pods. Shared by the ResourceQuota admission plugin (one object's delta) and the resourcequota
// controller (a namespace's total).
import type { KubeObject } from '../../../shared/api/meta';
import { addQuantities, compareQuantities, formatQuantity, quantityFromValue, subtractQuantities, toQuantity, type Quantity } from '../../../shared/api/quantity';
import { podResourceList, type ResourceList } from './limit-ranger';

type Obj = Record<string, any>;

/** Where a resource lives, enough to name its `count/…` quota. */
export interface QuotaResource {
  group: string;
  resource: string;
}

export const countName = (r: QuotaResource): string => (r.group ? `count/${r.resource}.${r.group}` : `count/${r.resource}`);

const one = (): Quantity => quantityFromValue(1);
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

// Resource names the dedicated evaluators own (besides count/…), as their MatchingResources.
const POD_RESOURCES = new Set(['pods', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'ephemeral-storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage']);
const OBJECT_COUNT_RESOURCES: Record<string, string> = { configmaps: 'configmaps', secrets: 'secrets', replicationcontrollers: 'replicationcontrollers', resourcequotas: 'resourcequotas' };
/** The compute resources a pod must name explicitly when a quota tracks them (podEvaluator.Constraints). */
const POD_VALIDATION_SET = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/** QuotaV1Pod: terminal pods, and pods past their deletion grace period, no longer use compute quota. */
export function podCountsForQuota(pod: KubeObject, nowMs: number): boolean {
  const phase = (pod as Obj).status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const deletion = pod.metadata.deletionTimestamp;
  if (deletion && pod.metadata.deletionGracePeriodSeconds !== undefined) {
    if (nowMs > Date.parse(deletion) + pod.metadata.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

/** podComputeUsageHelper: the pod (or one container) as quota resource names. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: one() };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) {
      out[r] = requests[r];
      out[`requests.${r}`] = requests[r];
    }
    if (limits[r]) out[`limits.${r}`] = limits[r];
  }
  for (const [name, q] of Object.entries(requests)) {
    if (name.startsWith('hugepages-')) {
      out[name] = q;
      out[`requests.${name}`] = q;
    } else if (name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.')) {
      out[`requests.${name}`] = q; // extended resources are quota'd as requests.<name> only
    }
  }
  return out;
}

function podUsage(pod: KubeObject, nowMs: number): ResourceList {
  // count/pods tracks every stored pod; "pods" and compute only the live ones.
  const out: ResourceList = { 'count/pods': one() };
  if (!podCountsForQuota(pod, nowMs)) return out;
  return { ...out, ...computeUsage(podResourceList(pod, 'requests'), podResourceList(pod, 'limits')) };
}

function serviceUsage(svc: KubeObject): ResourceList {
  const spec: Obj = (svc as Obj).spec ?? {};
  const out: ResourceList = { services: one(), 'count/services': one() };
  const ports = quantityFromValue((spec.ports ?? []).length);
  if (spec.type === 'NodePort') out['services.nodeports'] = ports;
  if (spec.type === 'LoadBalancer') {
    out['services.loadbalancers'] = one();
    if (spec.allocateLoadBalancerNodePorts !== false) out['services.nodeports'] = ports;
  }
  return out;
}

function claimUsage(claim: KubeObject): ResourceList {
  const spec: Obj = (claim as Obj).spec ?? {};
  const out: ResourceList = { persistentvolumeclaims: one(), 'count/persistentvolumeclaims': one() };
  const className: string | undefined = spec.storageClassName || undefined;
  if (className) out[`${className}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = one();
  const storage = spec.resources?.requests?.storage;
  if (storage !== undefined) {
    try {
      const q = toQuantity(storage);
      out['requests.storage'] = q;
      if (className) out[`${className}${STORAGE_CLASS_SUFFIX}requests.storage`] = q;
    } catch {
      // refused by validation already
    }
  }
  return out;
}

/** Usage of one object of `r`. Objects of other kinds count only as `count/<resource>.<group>`. */
export function objectUsage(r: QuotaResource, object: KubeObject, nowMs: number): ResourceList {
  if (r.group === '') {
    if (r.resource === 'pods') return podUsage(object, nowMs);
    if (r.resource === 'services') return serviceUsage(object);
    if (r.resource === 'persistentvolumeclaims') return claimUsage(object);
    const plain = OBJECT_COUNT_RESOURCES[r.resource];
    if (plain) return { [plain]: one(), [countName(r)]: one() };
  }
  return { [countName(r)]: one() };
}

/** Whether a hard resource name is one `r`'s evaluator accounts for (MatchingResources). */
export function evaluatorMatches(r: QuotaResource, name: string): boolean {
  if (name === countName(r)) return true;
  if (r.group !== '') return false;
  switch (r.resource) {
    case 'pods':
      return POD_RESOURCES.has(name) || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-') || (name.startsWith('requests.') && name.includes('/'));
    case 'services':
      return name === 'services' || name === 'services.nodeports' || name === 'services.loadbalancers';
    case 'persistentvolumeclaims':
      return name === 'persistentvolumeclaims' || name === 'requests.storage' || (name.includes(STORAGE_CLASS_SUFFIX) && /(persistentvolumeclaims|requests\.storage)$/.test(name));
    default:
      return OBJECT_COUNT_RESOURCES[r.resource] === name;
  }
}

/** The resource names of `r` that `names` (a quota's hard) restricts. */
export const matchingResources = (r: QuotaResource, names: string[]): string[] => names.filter((n) => evaluatorMatches(r, n));

function isBestEffort(pod: KubeObject): boolean {
  const spec: Obj = (pod as Obj).spec ?? {};
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].every((c: Obj) =>
    !Object.keys(c.resources?.requests ?? {}).some((k) => k === 'cpu' || k === 'memory') && !Object.keys(c.resources?.limits ?? {}).some((k) => k === 'cpu' || k === 'memory'));
}

function podMatchesScope(pod: KubeObject, scope: string, operator = 'Exists', values: string[] = []): boolean {
  const spec: Obj = (pod as Obj).spec ?? {};
  switch (scope) {
    case 'Terminating':
      return spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating':
      return spec.activeDeadlineSeconds === undefined || spec.activeDeadlineSeconds === null;
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass': {
      const cls: string | undefined = spec.priorityClassName || undefined;
      if (operator === 'Exists') return !!cls;
      if (operator === 'DoesNotExist') return !cls;
      if (operator === 'In') return !!cls && values.includes(cls);
      if (operator === 'NotIn') return !cls || !values.includes(cls);
      return false;
    }
    case 'CrossNamespacePodAffinity': {
      const terms = [...(spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])];
      return terms.some((t: Obj) => (t.namespaces ?? []).length > 0 || t.namespaceSelector !== undefined);
    }
    default:
      return false;
  }
}

/** generic.Matches with the pod scope function: every scope (and scopeSelector expression) must hold. */
export function quotaAppliesTo(quota: KubeObject, r: QuotaResource, object: KubeObject): boolean {
  const spec: Obj = (quota as Obj).spec ?? {};
  const scopes: Array<{ scope: string; operator?: string; values?: string[] }> = [
    ...((spec.scopes ?? []) as string[]).map((scope) => ({ scope })),
    ...((spec.scopeSelector?.matchExpressions ?? []) as Obj[]).map((e) => ({ scope: e.scopeName, operator: e.operator, values: e.values })),
  ];
  if (!scopes.length) return true;
  if (r.group !== '' || r.resource !== 'pods') return false; // only pods have scopes
  // Only PriorityClass takes In/NotIn/DoesNotExist; validation allows just Exists for the other scopes.
  return scopes.every((s) => podMatchesScope(object, s.scope, s.operator ?? 'Exists', s.values));
}

/** podEvaluator.Constraints: `must specify limits.cpu for: app; requests.memory for: app,sidecar`. */
export function podConstraintError(pod: KubeObject, restricted: string[]): string | undefined {
  const required = POD_VALIDATION_SET.filter((n) => restricted.includes(n));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const spec: Obj = (pod as Obj).spec ?? {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Obj[]) {
    const usage = computeUsage(toList(c.resources?.requests), toList(c.resources?.limits));
    for (const n of required) if (!usage[n]) missing.set(n, (missing.get(n) ?? new Set()).add(c.name));
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((n) => `${n} for: ${[...missing.get(n)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

function toList(raw: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    try {
      out[k] = toQuantity(v as string);
    } catch {
      // malformed: validation refuses the object
    }
  }
  return out;
}

// ResourceList arithmetic of pkg/quota/v1/resources.go.
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  // Quantity.Add: a zero takes the other side's format, so 0 + 300Mi stays binary (300Mi, not 314572800).
  for (const [k, v] of Object.entries(b)) out[k] = out[k] && out[k].nano !== 0n ? addQuantities(out[k], v) : { nano: (out[k]?.nano ?? 0n) + v.nano, format: v.format };
  return out;
}

/** SubtractWithNonNegativeResult. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) {
    const d = b[k] ? subtractQuantities(v, b[k]) : v;
    out[k] = d.nano < 0n ? { nano: 0n, format: d.format } : d;
  }
  return out;
}

export function maskList(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (list[n]) out[n] = list[n];
  return out;
}

export const removeZeros = (list: ResourceList): ResourceList => Object.fromEntries(Object.entries(list).filter(([, v]) => v.nano !== 0n));

/** Names in `used` above `hard` (LessThanOrEqual's exceeded list); names absent from hard are unlimited. */
export function exceeded(used: ResourceList, hard: ResourceList): string[] {
  return Object.keys(used).filter((k) => hard[k] && compareQuantities(used[k], hard[k]) > 0).sort();
}

/** prettyPrint: `pods=1,requests.cpu=500m`, sorted by name. */
export const prettyPrint = (list: ResourceList): string =>
  Object.keys(list).sort().map((k) => `${k}=${formatQuantity(list[k])}`).join(',');

/** A status/spec ResourceList as Quantities (unparsable entries skipped). */
export const parseList = (raw: Record<string, unknown> | undefined): ResourceList => toList(raw);

/** A ResourceList as the API stores it (canonical strings). */
export function formatList(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(list).sort()) out[k] = formatQuantity(list[k]);
  return out;
}

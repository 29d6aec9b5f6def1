// Validation of the chaos.bosun.dev fault kinds: Kubernetes-style field errors (422 Invalid with causes),
// so `kubectl apply` of a bad fault says which field is wrong and why before anything is touched.
import type { FieldError } from '../../../shared/api/errors';
import { parseGoDuration, PROTECTED_NAMESPACES, type FaultMode } from '../../../shared/api/chaos';
import { quantityError } from '../../../shared/api/quantity';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../shared/api/validation';
import type { Obj } from './common';
import { forbidden, invalid, notSupported, required } from './common';
import { validateWorkloadSelector } from './pod-validation';

export const NODE_FAULT_ACTIONS = ['crash', 'kubeletStop', 'freeze', 'partition'] as const;
export const POD_FAULT_ACTIONS = ['kill', 'delete', 'failLiveness', 'failReadiness', 'cpuStress', 'memoryStress', 'imagePullFailure'] as const;
export const FAULT_MODES: readonly FaultMode[] = ['one', 'all', 'fixed', 'fixed-percent'];

const protectedDetail = (ns: string): string =>
  `namespace "${ns}" is protected: it runs the lab's own machinery (protected: ${PROTECTED_NAMESPACES.join(', ')}); target a namespace of your workloads`;

/** A Go duration that must be > 0 (or >= 0 with allowZero). */
export function validateDuration(value: unknown, field: string, allowZero = false): FieldError[] {
  if (value === undefined || value === null) return [];
  const ms = typeof value === 'string' ? parseGoDuration(value) : undefined;
  if (ms === undefined) return [invalid(field, value, 'must be a duration such as "30s", "2m" or "1h30m" (Go time.ParseDuration)')];
  if (ms < 0 || (!allowZero && ms === 0)) return [invalid(field, value, allowZero ? 'must not be negative' : 'must be greater than 0')];
  return [];
}

function validatePercent(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) return [invalid(field, value, 'must be an integer between 0 and 100, inclusive')];
  return [];
}

/** mode/value as Chaos Mesh has them: fixed wants a positive count, fixed-percent 1–100. */
export function validateModeValue(spec: Obj): FieldError[] {
  const mode = spec.mode;
  if (mode === undefined) return [];
  if (!FAULT_MODES.includes(mode)) return [notSupported('spec.mode', mode, FAULT_MODES)];
  const value = spec.value;
  if (mode === 'one' || mode === 'all') {
    return value === undefined || value === '' ? [] : [forbidden('spec.value', `may only be set when mode is "fixed" or "fixed-percent"`)];
  }
  if (value === undefined || value === '') return [required('spec.value', `mode "${mode}" needs a value`)];
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (mode === 'fixed' && !(n >= 1)) return [invalid('spec.value', value, 'must be a positive whole number of targets, e.g. "2"')];
  if (mode === 'fixed-percent' && !(n >= 1 && n <= 100)) return [invalid('spec.value', value, 'must be a whole percentage between 1 and 100, e.g. "50"')];
  return [];
}

function validateAction(spec: Obj, allowed: readonly string[]): FieldError[] {
  if (spec.action === undefined || spec.action === '') return [required('spec.action')];
  return allowed.includes(spec.action) ? [] : [notSupported('spec.action', spec.action, allowed)];
}

function validateNames(names: unknown, field: string, check: (v: string) => string[]): FieldError[] {
  if (names === undefined) return [];
  if (!Array.isArray(names)) return [invalid(field, names, 'must be a list of names')];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (typeof n !== 'string') out.push(invalid(`${field}[${i}]`, n, 'must be a string'));
    else if (seen.has(n)) out.push({ type: 'FieldValueDuplicate', field: `${field}[${i}]`, value: n });
    else out.push(...check(n).map((m) => invalid(`${field}[${i}]`, n, m)));
    if (typeof n === 'string') seen.add(n);
  });
  return out;
}

export function validateNodeFaultSpec(spec: Obj | undefined): FieldError[] {
  if (!spec) return [required('spec')];
  const out = validateAction(spec, NODE_FAULT_ACTIONS);
  const sel = spec.selector as Obj | undefined;
  const hasNames = Array.isArray(sel?.nodeNames) && sel!.nodeNames.length > 0;
  if (!sel || (!hasNames && !sel.labelSelector)) {
    out.push(required('spec.selector', 'nodeNames or labelSelector must name at least one node'));
  } else {
    out.push(...validateNames(sel.nodeNames, 'spec.selector.nodeNames', isDNS1123Subdomain));
    if (sel.labelSelector) out.push(...validateWorkloadSelector(sel.labelSelector, 'spec.selector.labelSelector', 'NodeFault'));
  }
  out.push(...validateModeValue(spec), ...validateDuration(spec.duration, 'spec.duration'));
  return out;
}

/** `ns/name` or `name` (then in `defaultNs`): the namespace and name a pod reference means. */
export function splitPodReference(ref: string, defaultNs: string): { namespace: string; name: string } {
  const slash = ref.indexOf('/');
  return slash < 0 ? { namespace: defaultNs, name: ref } : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

export function validatePodFaultSpec(spec: Obj | undefined, namespace: string | undefined): FieldError[] {
  if (!spec) return [required('spec')];
  const out = validateAction(spec, POD_FAULT_ACTIONS);
  const sel = spec.selector as Obj | undefined;
  const hasPods = Array.isArray(sel?.pods) && sel!.pods.length > 0;
  if (!sel || (!hasPods && !sel.labelSelector)) {
    out.push(required('spec.selector', 'labelSelector or pods must select at least one pod'));
  } else {
    const ns = sel.namespace || namespace || 'default';
    if (sel.namespace !== undefined) out.push(...isDNS1123Label(String(sel.namespace)).map((m) => invalid('spec.selector.namespace', sel.namespace, m)));
    if (PROTECTED_NAMESPACES.includes(ns)) out.push(forbidden(sel.namespace ? 'spec.selector.namespace' : 'metadata.namespace', protectedDetail(ns)));
    if (sel.labelSelector) out.push(...validateWorkloadSelector(sel.labelSelector, 'spec.selector.labelSelector', 'PodFault'));
    out.push(
      ...validateNames(sel.pods, 'spec.selector.pods', (ref) => {
        const r = splitPodReference(ref, ns);
        if (PROTECTED_NAMESPACES.includes(r.namespace)) return [protectedDetail(r.namespace)];
        return [...isDNS1123Label(r.namespace), ...isDNS1123Subdomain(r.name)];
      }),
    );
  }
  out.push(...validateModeValue(spec), ...validateDuration(spec.duration, 'spec.duration'));
  out.push(...validateNames(spec.containerNames, 'spec.containerNames', isDNS1123Label));
  if (spec.cpuWorkers !== undefined && !(Number.isInteger(spec.cpuWorkers) && spec.cpuWorkers >= 1 && spec.cpuWorkers <= 64)) {
    out.push(invalid('spec.cpuWorkers', spec.cpuWorkers, 'must be a whole number between 1 and 64'));
  }
  if (spec.action === 'memoryStress' && (spec.memory === undefined || spec.memory === '')) out.push(required('spec.memory', 'memoryStress needs how much to allocate, e.g. "64Mi"'));
  if (spec.memory !== undefined) {
    const err = quantityError(spec.memory);
    if (err) out.push(invalid('spec.memory', spec.memory, err));
  }
  return out;
}

export function validateServiceFaultSpec(spec: Obj | undefined, namespace: string | undefined): FieldError[] {
  if (!spec) return [required('spec')];
  const out: FieldError[] = [];
  const svc = spec.service as Obj | undefined;
  if (!svc?.name) out.push(required('spec.service.name'));
  else out.push(...isDNS1123Label(String(svc.name)).map((m) => invalid('spec.service.name', svc.name, m)));
  const ns = svc?.namespace || namespace || 'default';
  if (PROTECTED_NAMESPACES.includes(ns)) out.push(forbidden(svc?.namespace ? 'spec.service.namespace' : 'metadata.namespace', protectedDetail(ns)));
  out.push(...validateDuration(spec.latency, 'spec.latency', true), ...validateDuration(spec.jitter, 'spec.jitter', true));
  out.push(...validatePercent(spec.errorPercent, 'spec.errorPercent'), ...validatePercent(spec.dropPercent, 'spec.dropPercent'));
  const some = [spec.latency, spec.jitter, spec.errorPercent, spec.dropPercent].some((v) => v !== undefined && v !== null && v !== 0 && v !== '0s' && v !== '0');
  if (!some) out.push(required('spec', 'at least one of latency, jitter, errorPercent or dropPercent must be set'));
  out.push(...validateDuration(spec.duration, 'spec.duration'));
  return out;
}

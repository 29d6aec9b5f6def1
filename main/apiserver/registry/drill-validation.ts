// Field validation of chaos.bosun.dev/v1alpha1 Drill specs: 422 field errors named like Kubernetes prints
// them (`spec.steps[1].duration: Invalid value: "5x": must be a Go duration such as "30s" or "1m30s"`).
import type { FieldError } from '../../../shared/api/errors';
import { parseGoDuration } from '../../../shared/api/chaos';
import { isDNS1123Label } from '../../../shared/api/validation';
import type { Obj } from './common';
import { forbidden, invalid, notSupported, required } from './common';

const CHECK_KINDS = ['deploymentReady', 'endpoints', 'http'] as const;
const STEP_ACTIONS = ['nodeFault', 'podFault', 'serviceFault', 'rollout', 'drain'] as const;
const NODE_ACTIONS = ['crash', 'kubeletStop', 'freeze', 'partition'];
const POD_ACTIONS = ['kill', 'delete', 'failLiveness', 'failReadiness', 'cpuStress', 'memoryStress', 'imagePullFailure'];
/** Drill HTTP checks only ever target the lab's own loopback listeners. */
const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1(:\d{1,5})?(\/.*)?$/;

const DURATION_HINT = 'must be a Go duration such as "30s" or "1m30s"';

export function durationErrors(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  const ms = typeof value === 'string' ? parseGoDuration(value) : undefined;
  if (ms === undefined) return [invalid(field, value, DURATION_HINT)];
  return ms < 0 ? [invalid(field, value, 'must not be negative')] : [];
}

function intErrors(field: string, value: unknown, min: number, max?: number): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value)) return [invalid(field, value, 'must be an integer')];
  if (value < min) return [invalid(field, value, `must be greater than or equal to ${min}`)];
  if (max !== undefined && value > max) return [invalid(field, value, `must be less than or equal to ${max}`)];
  return [];
}

function oneOf(field: string, o: Obj, keys: readonly string[], noun: string, allowNone: boolean): { errors: FieldError[]; key?: string } {
  const set = keys.filter((k) => o[k] !== undefined && o[k] !== null);
  if (set.length === 1) return { errors: [], key: set[0] };
  if (set.length === 0) return { errors: allowNone ? [] : [required(field, `must specify one ${noun}: ${keys.join(', ')}`)] };
  return { errors: [forbidden(`${field}.${set[1]}`, `may not specify more than one ${noun} (${set.join(', ')} are set)`)] };
}

function checkErrors(check: Obj, field: string): FieldError[] {
  const out: FieldError[] = [];
  if (!check.name) out.push(required(`${field}.name`));
  const { errors, key } = oneOf(field, check, CHECK_KINDS, 'check kind', false);
  out.push(...errors);
  if (key === 'deploymentReady') {
    const d: Obj = check.deploymentReady;
    if (!d.name) out.push(required(`${field}.deploymentReady.name`));
    if (d.minReady === undefined) out.push(required(`${field}.deploymentReady.minReady`));
    out.push(...intErrors(`${field}.deploymentReady.minReady`, d.minReady, 0));
  } else if (key === 'endpoints') {
    const e: Obj = check.endpoints;
    if (!e.service) out.push(required(`${field}.endpoints.service`));
    if (e.minReady === undefined) out.push(required(`${field}.endpoints.minReady`));
    out.push(...intErrors(`${field}.endpoints.minReady`, e.minReady, 0));
  } else if (key === 'http') {
    const h: Obj = check.http;
    const f = `${field}.http`;
    if (h.url !== undefined && h.service !== undefined) out.push(forbidden(`${f}.service`, 'may not be set together with url'));
    if (h.url === undefined && h.service === undefined) out.push(required(f, 'must specify url (http://127.0.0.1:<port>/…) or service and port'));
    if (h.url !== undefined && (typeof h.url !== 'string' || !LOOPBACK_URL.test(h.url))) {
      out.push(invalid(`${f}.url`, h.url, 'must be an http://127.0.0.1 URL (the lab publishes NodePorts on 127.0.0.1 only)'));
    }
    if (h.path !== undefined && (typeof h.path !== 'string' || !h.path.startsWith('/'))) out.push(invalid(`${f}.path`, h.path, 'must start with "/"'));
    out.push(...intErrors(`${f}.port`, h.port, 1, 65535));
    out.push(...intErrors(`${f}.ratePerSecond`, h.ratePerSecond, 1, 100));
    out.push(...intErrors(`${f}.successPercent`, h.successPercent, 0, 100));
    out.push(...durationErrors(`${f}.timeout`, h.timeout));
    if (h.timeout !== undefined && parseGoDuration(String(h.timeout)) === 0) out.push(invalid(`${f}.timeout`, h.timeout, 'must be greater than 0'));
  }
  return out;
}

function checksErrors(checks: unknown, field: string, needOne: boolean): FieldError[] {
  if (checks === undefined || checks === null) return needOne ? [required(field, 'a drill needs at least one steady-state check to verify')] : [];
  if (!Array.isArray(checks)) return [invalid(field, checks, 'must be a list of checks')];
  if (needOne && checks.length === 0) return [required(field, 'a drill needs at least one steady-state check to verify')];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  checks.forEach((c: Obj, i) => {
    out.push(...checkErrors(c ?? {}, `${field}[${i}]`));
    if (c?.name && seen.has(c.name)) out.push({ type: 'FieldValueDuplicate', field: `${field}[${i}].name`, value: c.name });
    if (c?.name) seen.add(c.name);
  });
  return out;
}

function faultTemplateErrors(step: Obj, key: string, field: string): FieldError[] {
  const t: Obj = step[key];
  const out: FieldError[] = [];
  if (key === 'nodeFault' || key === 'podFault') {
    const actions = key === 'nodeFault' ? NODE_ACTIONS : POD_ACTIONS;
    if (!t.action) out.push(required(`${field}.action`));
    else if (!actions.includes(t.action)) out.push(notSupported(`${field}.action`, t.action, actions));
    if (!t.selector) out.push(required(`${field}.selector`));
  } else if (!t.service?.name) out.push(required(`${field}.service.name`));
  out.push(...durationErrors(`${field}.duration`, t.duration));
  if (step.duration === undefined && t.duration === undefined) {
    out.push(required(`${field.replace(/\.[a-zA-Z]+$/, '')}.duration`, 'a fault step needs a duration (how long the fault stays)'));
  }
  return out;
}

function stepErrors(step: Obj, field: string): FieldError[] {
  const out: FieldError[] = [];
  if (!step.name) out.push(required(`${field}.name`));
  else for (const msg of isDNS1123Label(step.name)) out.push(invalid(`${field}.name`, step.name, msg));
  out.push(...durationErrors(`${field}.duration`, step.duration));
  const { errors, key } = oneOf(field, step, STEP_ACTIONS, 'action', true);
  out.push(...errors);
  if (!key && errors.length === 0 && step.duration === undefined) {
    out.push(required(`${field}.duration`, 'a step without an action is a pause and needs a duration'));
  }
  if (key === 'nodeFault' || key === 'podFault' || key === 'serviceFault') out.push(...faultTemplateErrors(step, key, `${field}.${key}`));
  if (key === 'rollout') {
    const r: Obj = step.rollout;
    if (!r.deployment) out.push(required(`${field}.rollout.deployment`));
    if (!r.image && !r.restart) out.push(required(`${field}.rollout`, 'must set image (like kubectl set image) or restart: true (like kubectl rollout restart)'));
    if (r.image && r.restart) out.push(forbidden(`${field}.rollout.restart`, 'may not be set together with image'));
  }
  if (key === 'drain') {
    if (!step.drain.node) out.push(required(`${field}.drain.node`));
    out.push(...durationErrors(`${field}.drain.timeout`, step.drain.timeout));
  }
  return out;
}

export function validateDrillSpec(spec: Obj | undefined): FieldError[] {
  if (!spec) return [required('spec')];
  const out: FieldError[] = [...checksErrors(spec.steadyState, 'spec.steadyState', true), ...checksErrors(spec.abortWhen, 'spec.abortWhen', false)];
  if (!Array.isArray(spec.steps) || spec.steps.length === 0) out.push(required('spec.steps', 'a drill needs at least one step'));
  else {
    const seen = new Set<string>();
    spec.steps.forEach((s: Obj, i: number) => {
      out.push(...stepErrors(s ?? {}, `spec.steps[${i}]`));
      if (s?.name && seen.has(s.name)) out.push({ type: 'FieldValueDuplicate', field: `spec.steps[${i}].name`, value: s.name });
      if (s?.name) seen.add(s.name);
    });
  }
  for (const f of ['abortAfter', 'recoveryTimeout', 'steadyStateTimeout']) out.push(...durationErrors(`spec.${f}`, spec[f]));
  return out;
}

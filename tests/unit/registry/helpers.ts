// Small helpers for registry tests: run a ResourceDef like the apiserver does and read messages.
import { fieldErrorMessage, type FieldError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import type { ResourceDef } from '../../../main/apiserver/types';

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** defaults → prepareForCreate, as on create; returns the stored shape. */
export function created(def: ResourceDef, object: Record<string, unknown>): KubeObject {
  const o = clone(object) as KubeObject;
  def.defaults?.(o);
  def.prepareForCreate?.(o);
  return o;
}

export const messages = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${fieldErrorMessage(e)}`);

/** Field errors of a create after defaulting. */
export function createErrors(def: ResourceDef, object: Record<string, unknown>): string[] {
  return messages(def.validate?.(created(def, object)) ?? []);
}

/** Field errors of an update from `old` to `next` after defaulting both (validate + validateUpdate). */
export function updateErrors(def: ResourceDef, old: KubeObject, next: KubeObject): string[] {
  const n = clone(next);
  def.defaults?.(n);
  def.prepareForUpdate?.(n, old);
  return messages([...(def.validate?.(n) ?? []), ...(def.validateUpdate?.(n, old) ?? [])]);
}

export function cells(def: ResourceDef, object: unknown, now: Date, wide = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of def.columns ?? []) if (wide || c.priority === 0) out[c.name] = c.cell(object as KubeObject, now);
  return out;
}

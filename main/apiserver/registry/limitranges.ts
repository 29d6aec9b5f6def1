// core/v1 limitranges (applied to pods by the LimitRanger admission plugin).
import type { FieldError } from '../../../shared/api/errors';
import { compareQuantities, formatQuantity } from '../../../shared/api/quantity';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { col, ensure, invalid, metaErrors, notSupported, required } from './common';
import { validateResourceList, validQuantity } from './resource-lists';

const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];

/** SetDefaults_LimitRangeItem: container defaults fall back to max, default requests to defaults or min. */
export function defaultLimitRangeItem(item: Obj): void {
  if (item.type !== 'Container') return;
  const def = ensure(item, 'default');
  const defReq = ensure(item, 'defaultRequest');
  for (const [k, v] of Object.entries((item.max ?? {}) as Obj)) if (def[k] === undefined) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (defReq[k] === undefined) defReq[k] = v;
  for (const [k, v] of Object.entries((item.min ?? {}) as Obj)) if (defReq[k] === undefined) defReq[k] = v;
}

function validateItem(item: Obj, f: string): FieldError[] {
  const out: FieldError[] = [];
  if (!item.type) out.push(required(`${f}.type`));
  else if (!LIMIT_TYPES.includes(item.type)) out.push(notSupported(`${f}.type`, item.type, LIMIT_TYPES));
  for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) out.push(...validateResourceList(item[k], `${f}.${k}`));
  if (item.type === 'Pod' && (item.default || item.defaultRequest)) {
    if (Object.keys(item.default ?? {}).length > 0) out.push({ type: 'FieldValueForbidden', field: `${f}.default`, detail: 'may not be specified when `type` is \'Pod\'' });
    if (Object.keys(item.defaultRequest ?? {}).length > 0) out.push({ type: 'FieldValueForbidden', field: `${f}.defaultRequest`, detail: 'may not be specified when `type` is \'Pod\'' });
  }
  const q = (list: string, name: string): string | undefined => {
    const v = item[list]?.[name];
    return validQuantity(v) ? String(v) : undefined;
  };
  const names = new Set([...Object.keys(item.max ?? {}), ...Object.keys(item.min ?? {}), ...Object.keys(item.default ?? {}), ...Object.keys(item.defaultRequest ?? {})]);
  for (const name of names) {
    const [max, min, def, defReq] = [q('max', name), q('min', name), q('default', name), q('defaultRequest', name)];
    const show = (v: string): string => formatQuantity(v);
    if (min && max && compareQuantities(min, max) > 0) out.push(invalid(`${f}.min[${name}]`, show(min), `min value ${show(min)} is greater than max value ${show(max)}`));
    if (defReq && min && compareQuantities(min, defReq) > 0) out.push(invalid(`${f}.defaultRequest[${name}]`, show(defReq), `min value ${show(min)} is greater than default request value ${show(defReq)}`));
    if (defReq && max && compareQuantities(defReq, max) > 0) out.push(invalid(`${f}.defaultRequest[${name}]`, show(defReq), `default request value ${show(defReq)} is greater than max value ${show(max)}`));
    if (defReq && def && compareQuantities(defReq, def) > 0) out.push(invalid(`${f}.defaultRequest[${name}]`, show(defReq), `default request value ${show(defReq)} is greater than default limit value ${show(def)}`));
    if (def && min && compareQuantities(min, def) > 0) out.push(invalid(`${f}.default[${name}]`, show(def), `min value ${show(min)} is greater than default value ${show(def)}`));
    if (def && max && compareQuantities(def, max) > 0) out.push(invalid(`${f}.default[${name}]`, show(def), `default value ${show(def)} is greater than max value ${show(max)}`));
  }
  return out;
}

export const limitranges: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'limitranges',
  kind: 'LimitRange',
  singular: 'limitrange',
  namespaced: true,
  shortNames: ['limits'],
  defaults: (o) => {
    for (const item of ((o as Obj).spec?.limits ?? []) as Obj[]) defaultLimitRangeItem(item);
  },
  validate: (o) => {
    const errs = metaErrors(o, true, nameIsDNSSubdomain);
    ((o as Obj).spec?.limits ?? []).forEach((item: Obj, i: number) => errs.push(...validateItem(item, `spec.limits[${i}]`)));
    return errs;
  },
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  // kubectl prints this one as an absolute RFC 3339 time, not an age.
  columns: [
    col('Created At', 'string', (o) => {
      const t = Date.parse(o.metadata?.creationTimestamp ?? '');
      return Number.isNaN(t) ? '' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }, 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ],
};

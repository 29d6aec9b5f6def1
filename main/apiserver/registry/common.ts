// Helpers shared by the per-kind strategies: column builders, immutable-field checks, selector printing.
import type { FieldError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { validateObjectMeta, type NameValidator } from '../../../shared/api/validation';
import type { TableColumn } from '../types';

export type Obj = Record<string, any>;

/** Reads a dotted path (`spec.template.spec`) from an object, undefined when any step is missing. */
export function getPath(object: unknown, path: string): any {
  let cur: any = object;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Returns obj[key], creating `{}` there first when absent (defaulting helpers fill nested structs). */
export function ensure(obj: Obj, key: string): Obj {
  if (obj[key] === undefined || obj[key] === null || typeof obj[key] !== 'object') obj[key] = {};
  return obj[key];
}

export function setDefault(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a as Obj).filter((k) => (a as Obj)[k] !== undefined);
  const kb = Object.keys(b as Obj).filter((k) => (b as Obj)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}

/** ValidateImmutableField: `<field>: Invalid value: <new>: field is immutable`. */
export function immutable(field: string, value: unknown, old: unknown): FieldError[] {
  return deepEqual(value, old) ? [] : [{ type: 'FieldValueInvalid', field, value, detail: 'field is immutable' }];
}

export function metaErrors(object: KubeObject, namespaced: boolean, nameValidator: NameValidator): FieldError[] {
  return validateObjectMeta(object.metadata, { namespaced, nameValidator });
}

export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });
export const required = (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const notSupported = (field: string, value: unknown, allowed: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: `supported values: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
});

/** ValidateNonnegativeField. */
export function nonNegative(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  return typeof value === 'number' && value >= 0 ? [] : [invalid(field, value, 'must be greater than or equal to 0')];
}

export function positive(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  return typeof value === 'number' && value > 0 ? [] : [invalid(field, value, 'must be greater than 0')];
}

/** labels.FormatLabels / a map selector printed as kubectl does. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

type Cell = (object: Obj, now: Date) => unknown;

export function col(name: string, type: TableColumn['type'], cell: Cell, priority: 0 | 1 = 0, description?: string): TableColumn {
  const column: TableColumn = { name, type, priority, cell: (o, now) => cell(o as Obj, now) };
  if (description) column.description = description;
  return column;
}

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'date',
  priority: 0,
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o) => o.metadata.creationTimestamp ?? '',
};

/** Container names and images, comma joined, as the wide CONTAINERS / IMAGES columns. */
export function containerNames(template: Obj | undefined): string {
  return ((template?.spec?.containers ?? []) as Obj[]).map((c) => c.name).join(',');
}

export function containerImages(template: Obj | undefined): string {
  return ((template?.spec?.containers ?? []) as Obj[]).map((c) => c.image).join(',');
}

export const orNone = (value: unknown): unknown => (value === undefined || value === null || value === '' ? '<none>' : value);

/** Go's %#v for a map[string]string, as Kubernetes prints map values in field errors. */
export function goMapString(map: Record<string, string> | undefined | null): string {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
}

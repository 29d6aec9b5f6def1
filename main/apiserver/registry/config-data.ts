// Shared rules of ConfigMap and Secret data: keys, size, base64 and `immutable: true`.
import type { FieldError } from '../../../shared/api/errors';
import { isConfigMapKey } from '../../../shared/api/validation';
import type { Obj } from './common';
import { deepEqual, forbidden, invalid } from './common';

/** Both ConfigMaps and Secrets are capped at 1 MiB (corev1.MaxSecretSize). */
export const MAX_CONFIG_SIZE = 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function validateKeys(data: Obj | undefined, field: string): FieldError[] {
  const out: FieldError[] = [];
  for (const key of Object.keys(data ?? {})) {
    for (const m of isConfigMapKey(key)) out.push(invalid(`${field}[${key}]`, key, m));
  }
  return out;
}

/** Go's base64.StdEncoding error: `illegal base64 data at input byte N`, or undefined when valid. */
export function base64Error(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a base64-encoded string';
  const s = value.replace(/[\r\n]/g, '');
  if (BASE64.test(s)) return undefined;
  let i = 0;
  while (i < s.length && /[A-Za-z0-9+/]/.test(s[i])) i++;
  // Bad padding is reported at the start of the last (incomplete) quantum.
  if (i === s.length || s[i] === '=') i = Math.max(0, Math.floor(Math.min(i, s.length) / 4) * 4);
  return `illegal base64 data at input byte ${i}`;
}

export const byteLength = (s: string): number => new TextEncoder().encode(s).length;
export const base64ByteLength = (s: string): number => {
  const clean = s.replace(/[\r\n]/g, '');
  return Math.floor((clean.length * 3) / 4) - (clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0);
};

/** ConfigMaps and Secrets with `immutable: true` refuse data changes and cannot be made mutable again. */
export function validateImmutableData(o: Obj, old: Obj, dataFields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const out: FieldError[] = [];
  if (o.immutable !== true) out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of dataFields) {
    if (!deepEqual(o[f] ?? {}, old[f] ?? {})) out.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return out;
}

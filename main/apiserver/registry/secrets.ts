// core/v1 secrets: stringData folded into base64 data on write, per-type required keys.
import type { FieldError } from '../../../shared/api/errors';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, immutable, invalid, metaErrors, required, setDefault } from './common';
import { base64ByteLength, base64Error, byteLength, MAX_CONFIG_SIZE, validateImmutableData, validateKeys } from './config-data';

const REDACTED = '<secret contents redacted>';

const encodeBase64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const decodeBase64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** Defaults type Opaque and folds stringData into data (stringData wins), as the apiserver does on write. */
export function defaultSecret(o: Obj): void {
  setDefault(o, 'type', 'Opaque');
  if (o.stringData && typeof o.stringData === 'object') {
    const data: Obj = o.data && typeof o.data === 'object' ? o.data : {};
    for (const [k, v] of Object.entries(o.stringData as Obj)) data[k] = encodeBase64(String(v));
    o.data = data;
    delete o.stringData;
  }
}

function requireKey(data: Obj, key: string): FieldError[] {
  return data[key] === undefined || data[key] === '' ? [required(`data[${key}]`)] : [];
}

function validateJsonKey(data: Obj, key: string): FieldError[] {
  if (data[key] === undefined || base64Error(data[key])) return [];
  try {
    JSON.parse(decodeBase64(data[key]));
    return [];
  } catch (e) {
    return [invalid(`data[${key}]`, REDACTED, (e as Error).message)];
  }
}

function validateSecret(o: Obj): FieldError[] {
  const data: Obj = o.data ?? {};
  const out: FieldError[] = validateKeys(data, 'data');
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    const err = base64Error(v);
    if (err) out.push(invalid(`data[${k}]`, REDACTED, err));
    else size += byteLength(k) + base64ByteLength(v);
  }
  if (size > MAX_CONFIG_SIZE) out.push({ type: 'FieldValueTooLong', field: 'data', detail: `must have at most ${MAX_CONFIG_SIZE} bytes` });
  switch (o.type) {
    case 'kubernetes.io/service-account-token':
      if (!o.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
      out.push(...requireKey(data, '.dockercfg'), ...validateJsonKey(data, '.dockercfg'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      out.push(...requireKey(data, '.dockerconfigjson'), ...validateJsonKey(data, '.dockerconfigjson'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!data.username && !data.password) out.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      out.push(...requireKey(data, 'ssh-privatekey'));
      break;
    case 'kubernetes.io/tls':
      out.push(...requireKey(data, 'tls.crt'), ...requireKey(data, 'tls.key'));
      break;
    default:
      break;
  }
  return out;
}

export const secrets: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  singular: 'secret',
  namespaced: true,
  selectableFields: ['type'],
  defaults: (o) => defaultSecret(o as Obj),
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validateSecret(o as Obj)],
  validateUpdate: (o, old) => [
    ...validateObjectMetaUpdate(o.metadata, old.metadata),
    ...immutable('type', (o as Obj).type, (old as Obj).type),
    ...validateImmutableData(o as Obj, old as Obj, ['data']),
  ],
  columns: [
    col('Type', 'string', (o) => o.type ?? ''),
    col('Data', 'integer', (o) => Object.keys(o.data ?? {}).length),
    ageColumn,
  ],
};

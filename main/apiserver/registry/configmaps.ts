// core/v1 configmaps.
import type { FieldError } from '../../../shared/api/errors';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, invalid, metaErrors } from './common';
import { base64ByteLength, base64Error, byteLength, MAX_CONFIG_SIZE, validateImmutableData, validateKeys } from './config-data';

function validateConfigMap(o: Obj): FieldError[] {
  const out: FieldError[] = [...validateKeys(o.data, 'data'), ...validateKeys(o.binaryData, 'binaryData')];
  let size = 0;
  for (const [k, v] of Object.entries((o.data ?? {}) as Obj)) {
    if (typeof v !== 'string') out.push(invalid(`data[${k}]`, v, 'must be a string'));
    else size += byteLength(k) + byteLength(v);
  }
  for (const [k, v] of Object.entries((o.binaryData ?? {}) as Obj)) {
    if (o.data?.[k] !== undefined) out.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    const err = base64Error(v);
    if (err) out.push(invalid(`binaryData[${k}]`, '<binary data>', err));
    else size += byteLength(k) + base64ByteLength(v as string);
  }
  if (size > MAX_CONFIG_SIZE) out.push({ type: 'FieldValueTooLong', field: '', detail: `must have at most ${MAX_CONFIG_SIZE} bytes` });
  return out;
}

export const configmaps: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validateConfigMap(o as Obj)],
  validateUpdate: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...validateImmutableData(o as Obj, old as Obj, ['data', 'binaryData'])],
  columns: [
    col('Data', 'integer', (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, 0, 'Number of data entries.'),
    ageColumn,
  ],
};

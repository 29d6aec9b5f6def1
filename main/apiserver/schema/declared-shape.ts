// Shapes of kinds that have no built-in protobuf definition (chaos.bosun.dev) but declare an OpenAPI v3
// schema on their ResourceDef, as a CRD does: strict field validation then reports and prunes their unknown
// fields exactly as for built-in kinds (an apiserver prunes a CRD's unknown fields the same way).
import { messageType } from '../protobuf/schema';
import type { ResourceDef } from '../types';
import { objectShape, type ObjectShape, type ValueShape } from './shape';

type Schema = Record<string, any>;

const FREE: ValueShape = { t: 'free' };
const SCALAR: ValueShape = { t: 'scalar' };
const cache = new WeakMap<ResourceDef, ObjectShape>();

function valueShape(schema: Schema | undefined, goType: string): ValueShape {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields'] === true) return FREE;
  if (schema['x-kubernetes-int-or-string'] === true) return SCALAR;
  switch (schema.type) {
    case 'object':
      if (schema.properties) return { t: 'object', shape: declaredObject(schema, goType) };
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        return { t: 'map', value: valueShape(schema.additionalProperties, goType) };
      }
      return FREE;
    case 'array':
      return { t: 'list', item: valueShape(schema.items, goType) };
    default:
      return SCALAR;
  }
}

function declaredObject(schema: Schema, goType: string): ObjectShape {
  const fields = new Map<string, ValueShape>();
  for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    fields.set(name, valueShape(sub, `${goType}.${name}`));
  }
  return { goType, fields };
}

/** The shape of `def` from its declared schema, with ObjectMeta's real shape under `metadata`. */
export function declaredShape(def: ResourceDef): ObjectShape | undefined {
  if (!def.schema) return undefined;
  const cached = cache.get(def);
  if (cached) return cached;
  const shape = declaredObject(def.schema, `${def.version}.${def.kind}`);
  const fields = shape.fields as Map<string, ValueShape>;
  fields.set('apiVersion', SCALAR);
  fields.set('kind', SCALAR);
  fields.set('metadata', { t: 'object', shape: objectShape(messageType('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta')) });
  cache.set(def, shape);
  return shape;
}

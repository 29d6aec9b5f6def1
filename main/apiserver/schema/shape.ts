// The JSON shape of every built-in kind, derived from the one schema Bosun has: the protobuf messages of
// ../protobuf (Kubernetes 1.32 generated.proto). Protobuf decoding and field validation read the same
// definitions, so a field added for one is known to the other.
import * as protobuf from 'protobufjs';
import { isInline } from '../protobuf/json-shape';
import { goTypeName, isKindMessage, messageForKind, WELL_KNOWN } from '../protobuf/schema';

/** What a JSON value at some position may be. */
export type ValueShape =
  /** Anything goes: RawExtension, FieldsV1 (Go keeps the raw JSON and never looks inside). */
  | { readonly t: 'free' }
  /** A string/number/bool, or a well-known type whose JSON is one (Time, Quantity, IntOrString, Duration). */
  | { readonly t: 'scalar' }
  | { readonly t: 'object'; readonly shape: ObjectShape }
  | { readonly t: 'list'; readonly item: ValueShape }
  /** map<string, V>: any key, values of one shape. */
  | { readonly t: 'map'; readonly value: ValueShape };

export interface ObjectShape {
  /** Go's name of the type (`v1.PodSpec`), for messages that name it. */
  readonly goType: string;
  /** JSON field name → shape, with `json:",inline"` structs lifted into their parent. */
  readonly fields: ReadonlyMap<string, ValueShape>;
}

const FREE: ValueShape = { t: 'free' };
const SCALAR: ValueShape = { t: 'scalar' };
const FREE_TYPES = new Set<string>([WELL_KNOWN.rawExtension, WELL_KNOWN.fieldsV1]);
const SCALAR_TYPES = new Set<string>([WELL_KNOWN.time, WELL_KNOWN.microTime, WELL_KNOWN.duration, WELL_KNOWN.intOrString, WELL_KNOWN.quantity]);

const shapes = new Map<string, ObjectShape>();

function messageValue(type: protobuf.Type): ValueShape {
  const name = type.fullName.slice(1);
  if (FREE_TYPES.has(name)) return FREE;
  if (SCALAR_TYPES.has(name)) return SCALAR;
  return { t: 'object', shape: objectShape(type) };
}

function fieldValue(field: protobuf.Field): ValueShape {
  const resolved = field.resolvedType;
  const single = resolved instanceof protobuf.Type ? messageValue(resolved) : SCALAR;
  if (field instanceof protobuf.MapField) return { t: 'map', value: single };
  // []byte is a base64 string in JSON, not a list, and protobuf has it as one `bytes` field.
  return field.repeated ? { t: 'list', item: single } : single;
}

/** Fills `into` with the JSON fields of `type`, descending into inline (embedded) structs. */
function collect(type: protobuf.Type, into: Map<string, ValueShape>): void {
  for (const field of type.fieldsArray) {
    const resolved = field.resolvedType;
    if (isInline(type, field.name) && resolved instanceof protobuf.Type) collect(resolved, into);
    else into.set(field.name, fieldValue(field));
  }
}

/** The object shape of a message; kinds (types with TypeMeta in Go) also accept apiVersion and kind. */
export function objectShape(type: protobuf.Type): ObjectShape {
  const key = type.fullName;
  const cached = shapes.get(key);
  if (cached) return cached;
  const fields = new Map<string, ValueShape>();
  const shape: ObjectShape = { goType: goTypeName(type), fields };
  // Registered before its fields are filled, so a message reaching itself finds this very object.
  shapes.set(key, shape);
  if (isKindMessage(type)) {
    fields.set('apiVersion', SCALAR);
    fields.set('kind', SCALAR);
  }
  collect(type, fields);
  return shape;
}

/** The shape of a kind, or undefined for kinds without a built-in schema (custom and virtual resources). */
export function shapeForKind(apiVersion: string, kind: string): ObjectShape | undefined {
  const type = messageForKind(apiVersion, kind);
  return type ? objectShape(type) : undefined;
}

/**
 * Builds every kind's shape now (parsing the schema takes a noticeable fraction of a second once), so the
 * lab can do it right after the API is ready instead of during a user's first request.
 */
export function warmSchemas(kinds: ReadonlyArray<{ group: string; version: string; kind: string }>): void {
  for (const k of kinds) shapeForKind(k.group ? `${k.group}/${k.version}` : k.version, k.kind);
}

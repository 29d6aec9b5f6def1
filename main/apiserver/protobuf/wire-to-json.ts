// Walks the protobuf wire format alongside our schema and builds the Kubernetes JSON form directly.
// Walking (instead of protobufjs' decode) is what lets us refuse bodies with fields we do not know:
// protobufjs would skip them silently, and the lab must never lose a field a user sent.
import * as protobuf from 'protobufjs';
import { ApiError } from '../../../shared/api/errors';
import { isInline, nullWhenAbsent, omitsZero } from './json-shape';
import { goTypeName, WELL_KNOWN } from './schema';
import { durationToJson, intOrStringToJson, microTimeToJson, rawJsonToJson, timeToJson, type Timestamp } from './well-known';

type Json = Record<string, unknown>;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

const VARINT_TYPES = new Set(['bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'enum']);

export class MalformedProtobuf extends Error {}

export function unknownField(type: protobuf.Type, field: number, path: string): ApiError {
  const where = path ? ` (at ${path})` : '';
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `Bosun cannot decode field ${field} of protobuf ${goTypeName(type)}${where} yet; send JSON (for example kubectl apply -f) instead`,
  );
}

function toNumber(value: number | protobuf.Long): number {
  return typeof value === 'number' ? value : Number(value.toString());
}

function expectedWireType(fieldType: string): number {
  if (VARINT_TYPES.has(fieldType)) return WIRE_VARINT;
  if (fieldType === 'double' || fieldType === 'fixed64' || fieldType === 'sfixed64') return WIRE_FIXED64;
  if (fieldType === 'float' || fieldType === 'fixed32' || fieldType === 'sfixed32') return WIRE_FIXED32;
  return WIRE_BYTES;
}

function readScalar(reader: protobuf.Reader, fieldType: string): unknown {
  switch (fieldType) {
    case 'bool':
      return reader.bool();
    case 'int32':
      return reader.int32();
    case 'uint32':
      return reader.uint32();
    case 'sint32':
      return reader.sint32();
    case 'int64':
      return toNumber(reader.int64());
    case 'uint64':
      return toNumber(reader.uint64());
    case 'sint64':
      return toNumber(reader.sint64());
    case 'double':
      return reader.double();
    case 'float':
      return reader.float();
    case 'string':
      return reader.string();
    case 'bytes':
      // JSON carries []byte as base64 (Secret.data, ConfigMap.binaryData).
      return Buffer.from(reader.bytes()).toString('base64');
    default:
      throw new MalformedProtobuf(`unsupported scalar type ${fieldType}`);
  }
}

/** Reads one length-delimited sub-message and returns a reader positioned at its start plus its end. */
function subMessage(reader: protobuf.Reader): { end: number; length: number } {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw new MalformedProtobuf(`message length ${length} runs past the end of the body`);
  return { end, length };
}

function wellKnown(type: protobuf.Type, reader: protobuf.Reader, end: number, length: number, path: string): unknown {
  const name = type.fullName.slice(1);
  const fields = (): Json => decodeFields(type, reader, end, path, false);
  switch (name) {
    case WELL_KNOWN.time:
      return timeToJson(length > 0, timestampOf(fields()));
    case WELL_KNOWN.microTime:
      return microTimeToJson(length > 0, timestampOf(fields()));
    case WELL_KNOWN.duration:
      return durationToJson(Number(fields().duration ?? 0));
    case WELL_KNOWN.intOrString:
      return intOrStringToJson(fields() as { type?: number; intVal?: number; strVal?: string });
    case WELL_KNOWN.quantity:
      return (fields().string as string | undefined) ?? '0';
    case WELL_KNOWN.rawExtension:
      return rawJsonToJson(rawBytes(fields().raw), 'runtime.RawExtension');
    case WELL_KNOWN.fieldsV1:
      return rawJsonToJson(rawBytes(fields().Raw), 'metav1.FieldsV1');
    default:
      return undefined;
  }
}

const WELL_KNOWN_NAMES = new Set<string>(Object.values(WELL_KNOWN));

function timestampOf(fields: Json): Timestamp {
  return { seconds: Number(fields.seconds ?? 0), nanos: Number(fields.nanos ?? 0) };
}

function rawBytes(base64: unknown): Uint8Array | undefined {
  return typeof base64 === 'string' ? Buffer.from(base64, 'base64') : undefined;
}

function messageValue(type: protobuf.Type, reader: protobuf.Reader, path: string): unknown {
  const { end, length } = subMessage(reader);
  if (WELL_KNOWN_NAMES.has(type.fullName.slice(1))) return wellKnown(type, reader, end, length, path);
  return decodeFields(type, reader, end, path, true);
}

function fieldValue(field: protobuf.Field, reader: protobuf.Reader, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageValue(resolved, reader, path);
  if (resolved) throw new MalformedProtobuf(`enum field ${field.name} is not supported`);
  return readScalar(reader, field.type);
}

function mapEntry(field: protobuf.MapField, reader: protobuf.Reader, path: string): [string, unknown] {
  const { end } = subMessage(reader);
  let key: unknown = '';
  let value: unknown;
  const valueType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wire = tag & 7;
    if (number === 1 && wire === expectedWireType(field.keyType)) key = readScalar(reader, field.keyType);
    else if (number === 2 && valueType && wire === WIRE_BYTES) value = messageValue(valueType, reader, `${path}[${String(key)}]`);
    else if (number === 2 && !valueType && wire === expectedWireType(field.type)) value = readScalar(reader, field.type);
    else throw new MalformedProtobuf(`bad map entry field ${number} (wire type ${wire}) in ${field.name}`);
  }
  if (reader.pos !== end) throw new MalformedProtobuf(`map entry of ${field.name} overruns its length`);
  // An absent value is the value type's zero (proto semantics): "" for strings, "0" for a Quantity.
  if (value === undefined) value = valueType ? messageValueOfEmpty(valueType) : '';
  return [String(key), value];
}

function messageValueOfEmpty(type: protobuf.Type): unknown {
  const reader = protobuf.Reader.create(new Uint8Array([0]));
  return messageValue(type, reader, '');
}

/**
 * Decodes the fields of one message up to `end`. `applyOmissions` drops the zero values Go's JSON
 * encoder would omit (omitempty on non-pointer fields, which gogo protobuf always writes).
 */
export function decodeFields(type: protobuf.Type, reader: protobuf.Reader, end: number, path: string, applyOmissions: boolean): Json {
  const out: Json = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wire = tag & 7;
    if (number === 0) throw new MalformedProtobuf('field number 0');
    const field = type.fieldsById[number];
    if (!field) {
      if (wire > WIRE_FIXED32 || wire === 3 || wire === 4) throw new MalformedProtobuf(`invalid wire type ${wire}`);
      throw unknownField(type, number, path);
    }
    const at = path ? `${path}.${field.name}` : field.name;
    if (field instanceof protobuf.MapField) {
      if (wire !== WIRE_BYTES) throw new MalformedProtobuf(`map field ${field.name} has wire type ${wire}`);
      const map = (out[field.name] ??= {}) as Json;
      const [key, value] = mapEntry(field, reader, at);
      map[key] = value;
      continue;
    }
    const expected = expectedWireType(field.type);
    const isMessage = field.resolvedType instanceof protobuf.Type;
    if (field.repeated) {
      const list = (out[field.name] ??= []) as unknown[];
      if (wire === WIRE_BYTES && expected !== WIRE_BYTES) {
        // Packed repeated scalars.
        const { end: packedEnd } = subMessage(reader);
        while (reader.pos < packedEnd) list.push(readScalar(reader, field.type));
        if (reader.pos !== packedEnd) throw new MalformedProtobuf(`packed field ${field.name} overruns its length`);
        continue;
      }
      if (wire !== expected) throw new MalformedProtobuf(`field ${field.name} has wire type ${wire}, want ${expected}`);
      list.push(fieldValue(field, reader, `${at}[${list.length}]`));
      continue;
    }
    if (wire !== expected) throw new MalformedProtobuf(`field ${field.name} has wire type ${wire}, want ${expected}`);
    // A non-repeated message field seen twice is merged by proto rules; kubectl never does that, so last wins
    // for scalars and we refuse a repeated singular message rather than guess.
    if (isMessage && field.name in out) throw new MalformedProtobuf(`message field ${field.name} appears twice`);
    if (isInline(type, field.name)) {
      // Lifted into the parent at the path the JSON form has, so the position of later errors reads right.
      Object.assign(out, fieldValue(field, reader, path));
      continue;
    }
    out[field.name] = fieldValue(field, reader, at);
  }
  if (reader.pos !== end) throw new MalformedProtobuf(`${goTypeName(type)} overruns its length`);
  if (applyOmissions) {
    for (const [name, value] of Object.entries(out)) {
      if ((value === '' || value === 0 || value === false) && omitsZero(type, name)) delete out[name];
    }
    for (const name of nullWhenAbsent(type) ?? []) if (!(name in out)) out[name] = null;
  }
  return out;
}

// `/openapi/v2` in the protobuf form (gnostic openapi_v2.Document) that kubectl <= 1.28 downloads to
// learn whether the server validates fields itself (the `fieldValidation` parameter on each kind's
// PATCH operation), to compute strategic merge patches (`kubectl apply` reads the patch extensions of
// the definitions) and for `kubectl explain --output=plaintext-openapiv2`. Paths, operations, query and
// path parameters, responses, the GVK extensions and every definition are encoded.
import type { ExtraSubresources } from '../discovery/group-versions';
import { servedGroups } from '../discovery/group-versions';
import type { ResourceDef } from '../types';
import { openApiV2 } from './openapi';
import { groupVersionPaths, type Operation } from './operations';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** The other spelling the apiserver also accepts. */
export const OPENAPI_V2_PROTOBUF_ALT = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field (strings and embedded messages). */
function field(num: number, content: Buffer | string): Buffer {
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return Buffer.concat([varint((num << 3) | 2), varint(body.length), body]);
}

function boolField(num: number, value: boolean): Buffer {
  return value ? Buffer.concat([varint(num << 3), Buffer.from([1])]) : Buffer.alloc(0);
}

/** A varint field written even when zero/false (members of a oneof must be present to count). */
function varintField(num: number, value: number): Buffer {
  return Buffer.concat([varint(num << 3), varint(value)]);
}

function doubleField(num: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([varint((num << 3) | 1), b]);
}

// Field numbers below follow gnostic's OpenAPIv2.proto.
/** YAML text of a value: JSON is YAML, and writing it costs a fraction of a YAML emitter's time. */
const stringify = (value: unknown): string => `${JSON.stringify(value)}\n`;

/** NamedAny{name=1, value=Any{yaml=2}}: how gnostic carries vendor extensions. */
const namedAnyYaml = (name: string, value: unknown): Buffer => Buffer.concat([field(1, name), field(2, field(2, stringify(value)))]);

type JsonSchema = Record<string, unknown>;

/** gnostic Schema: the subset of JSON Schema Kubernetes' definitions use, vendor extensions as YAML. */
function schemaMessage(s: JsonSchema): Buffer {
  const parts: Buffer[] = [];
  const text = (num: number, key: string) => typeof s[key] === 'string' && parts.push(field(num, s[key] as string));
  const int = (num: number, key: string) => typeof s[key] === 'number' && parts.push(varintField(num, s[key] as number));
  text(1, '$ref');
  text(2, 'format');
  text(3, 'title');
  text(4, 'description');
  if (s.default !== undefined) parts.push(field(5, field(2, stringify(s.default))));
  if (typeof s.maximum === 'number') parts.push(doubleField(7, s.maximum));
  if (typeof s.minimum === 'number') parts.push(doubleField(9, s.minimum));
  int(11, 'maxLength');
  int(12, 'minLength');
  text(13, 'pattern');
  int(14, 'maxItems');
  int(15, 'minItems');
  for (const r of (s.required as string[] | undefined) ?? []) parts.push(field(19, r));
  for (const e of (s.enum as unknown[] | undefined) ?? []) parts.push(field(20, field(2, stringify(e))));
  const additional = s.additionalProperties;
  if (typeof additional === 'boolean') parts.push(field(21, varintField(2, additional ? 1 : 0)));
  else if (additional && typeof additional === 'object') parts.push(field(21, field(1, schemaMessage(additional as JsonSchema))));
  if (typeof s.type === 'string') parts.push(field(22, field(1, s.type)));
  if (s.items && typeof s.items === 'object') parts.push(field(23, field(1, schemaMessage(s.items as JsonSchema))));
  for (const sub of (s.allOf as JsonSchema[] | undefined) ?? []) parts.push(field(24, schemaMessage(sub)));
  const properties = Object.entries((s.properties as Record<string, JsonSchema> | undefined) ?? {});
  if (properties.length) parts.push(field(25, Buffer.concat(properties.map(([name, sub]) => field(1, Buffer.concat([field(1, name), field(2, schemaMessage(sub))]))))));
  for (const [key, value] of Object.entries(s)) if (key.startsWith('x-')) parts.push(field(31, namedAnyYaml(key, value)));
  return Buffer.concat(parts);
}

function queryParameter(name: string, type: string, description: string): Buffer {
  // QueryParameterSubSchema{in=2, description=3, name=4, type=6} in NonBodyParameter(3) in Parameter(2) in ParametersItem(1).
  const sub = Buffer.concat([field(2, 'query'), field(3, description), field(4, name), field(6, type), boolField(20, true)]);
  return field(1, field(2, field(3, sub)));
}

function pathParameter(name: string): Buffer {
  // PathParameterSubSchema{required=1, in=2, description=3, name=4, type=5} in NonBodyParameter(4).
  const sub = Buffer.concat([boolField(1, true), field(2, 'path'), field(3, `${name} of the resource`), field(4, name), field(5, 'string'), boolField(19, true)]);
  return field(1, field(2, field(4, sub)));
}

function operation(op: Operation): Buffer {
  const parts: Buffer[] = [field(1, op.gvk.group || 'core'), field(3, op.description), field(5, op.operationId)];
  for (const t of ['application/json', 'application/yaml']) parts.push(field(6, t));
  for (const t of op.body?.mediaTypes ?? ['*/*']) parts.push(field(7, t));
  for (const p of op.query) parts.push(field(8, queryParameter(p.name, p.type, p.description)));
  const response = (code: string, description: string) => field(1, Buffer.concat([field(1, code), field(2, field(1, field(1, description)))]));
  const codes = [response('200', 'OK'), ...(op.created ? [response('201', 'Created')] : []), response('401', 'Unauthorized')];
  parts.push(field(9, Buffer.concat(codes)));
  parts.push(field(10, 'https'));
  parts.push(field(13, namedAnyYaml('x-kubernetes-action', op.action)));
  parts.push(field(13, namedAnyYaml('x-kubernetes-group-version-kind', { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version })));
  return Buffer.concat(parts);
}

const METHOD_FIELD: Record<Operation['method'], number> = { get: 2, put: 3, post: 4, delete: 5, patch: 8 };

export function openApiV2Protobuf(resources: ResourceDef[], title: string, version: string, extra?: ExtraSubresources): Buffer {
  return openApiV2ProtobufFrom(resources, openApiV2(resources, title, version, extra), title, version, extra);
}

/** The same, with the definitions taken from an already generated JSON document. */
export function openApiV2ProtobufFrom(resources: ResourceDef[], v2: { definitions?: unknown }, title: string, version: string, extra?: ExtraSubresources): Buffer {
  const paths: Buffer[] = [];
  for (const group of servedGroups(resources)) {
    for (const gv of group.versions) {
      for (const item of groupVersionPaths(gv, extra)) {
        const pathItem: Buffer[] = [];
        for (const op of item.operations) pathItem.push(field(METHOD_FIELD[op.method], operation(op)));
        for (const p of item.pathParams) pathItem.push(field(9, pathParameter(p)));
        paths.push(field(2, Buffer.concat([field(1, item.path), field(2, Buffer.concat(pathItem))])));
      }
    }
  }
  const definitions = Object.entries((v2.definitions ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => field(1, Buffer.concat([field(1, name), field(2, schemaMessage(schema))])));
  return Buffer.concat([field(1, '2.0'), field(2, Buffer.concat([field(1, title), field(2, version)])), field(8, Buffer.concat(paths)), field(9, Buffer.concat(definitions))]);
}

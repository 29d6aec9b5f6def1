// Component schemas generated from the protobuf messages of ../protobuf (Kubernetes 1.32 generated.proto),
// mapped the way kube-openapi publishes the Go types: one definition per message, named as Kubernetes
// names it (io.k8s.api.apps.v1.DeploymentSpec), $refs between them, `json:",inline"` structs lifted into
// their parent, and the well-known apimachinery types (Time, Quantity, IntOrString, RawExtension...) as
// the JSON they really are. Patch extensions come from ../patch/merge-keys.ts, the same table the
// server's strategic merge and apply use, so a client computing a patch from this document and the
// server applying it agree on every list.
import * as protobuf from 'protobufjs';
import { listStrategy, type ListStrategy } from '../patch/merge-keys';
import { isInline } from '../protobuf/json-shape';
import { isKindMessage, k8sRoot, WELL_KNOWN } from '../protobuf/schema';

export type Flavor = 'v2' | 'v3';
export type Schema = Record<string, unknown>;

/** Where definitions live in each document format. */
export function refTo(flavor: Flavor, name: string): string {
  return flavor === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** `.k8s.io.api.apps.v1.DeploymentSpec` → `io.k8s.api.apps.v1.DeploymentSpec` (kube-openapi's names). */
export function protoDefinitionName(type: protobuf.Type): string {
  return type.fullName.replace(/^\.k8s\.io\./, 'io.k8s.');
}

const DATE_TIME: Schema = { type: 'string', format: 'date-time' };

/** Definitions of the apimachinery types whose JSON is not their protobuf message. */
function wellKnownSchema(protoName: string, flavor: Flavor): Schema | undefined {
  switch (protoName) {
    case WELL_KNOWN.time:
    case WELL_KNOWN.microTime:
      return { ...DATE_TIME };
    case WELL_KNOWN.duration:
      return { type: 'string' };
    case WELL_KNOWN.intOrString:
      // kube-openapi: v2 has string/int-or-string, v3 a oneOf; the extension is what CRD-style tools read.
      return flavor === 'v2'
        ? { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true }
        : { oneOf: [{ type: 'integer' }, { type: 'string' }], format: 'int-or-string', 'x-kubernetes-int-or-string': true };
    case WELL_KNOWN.quantity:
      return flavor === 'v2' ? { type: 'string' } : { oneOf: [{ type: 'string' }, { type: 'number' }] };
    case WELL_KNOWN.rawExtension:
      return flavor === 'v2' ? { type: 'object' } : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case WELL_KNOWN.fieldsV1:
      return { type: 'object' };
    default:
      return undefined;
  }
}

function scalarSchema(protoType: string): Schema {
  switch (protoType) {
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'bytes':
      return { type: 'string', format: 'byte' };
    case 'double':
      return { type: 'number', format: 'double' };
    case 'float':
      return { type: 'number', format: 'float' };
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return { type: 'integer', format: 'int64' };
    default:
      return { type: 'integer', format: 'int32' };
  }
}

/** Struct tags with patchStrategy retainKeys (merge-keys.ts covers lists only). */
const RETAIN_KEYS: Record<string, Record<string, string>> = {
  'k8s.io.api.apps.v1.DeploymentSpec': { strategy: 'retainKeys' },
  'k8s.io.api.core.v1.PodSpec': { volumes: 'retainKeys' },
};

/** Where the lists of each message sit below the kinds (message full name → field → strategy). */
type ListStrategies = Map<string, Map<string, ListStrategy>>;
const strategies: ListStrategies = new Map();
const walkedRoots = new Set<string>();

/** JSON fields of a message, inline structs lifted: [json name, field]. */
function jsonFields(type: protobuf.Type): [string, protobuf.Field][] {
  const out: [string, protobuf.Field][] = [];
  for (const field of type.fieldsArray) {
    const resolved = field.resolvedType;
    if (isInline(type, field.name) && resolved instanceof protobuf.Type) out.push(...jsonFields(resolved));
    else out.push([field.name, field]);
  }
  return out;
}

/** The message that owns a JSON field once inline structs are lifted (for per-message tables). */
function ownerOf(type: protobuf.Type, name: string): protobuf.Type {
  for (const field of type.fieldsArray) {
    const resolved = field.resolvedType;
    if (isInline(type, field.name) && resolved instanceof protobuf.Type) {
      if (jsonFields(resolved).some(([n]) => n === name)) return ownerOf(resolved, name);
    } else if (field.name === name) return type;
  }
  return type;
}

/**
 * Walks a kind from its root with real field paths, recording how each list merges: merge-keys.ts
 * matches by path (and kind), while a definition is shared by every path reaching it.
 */
function walkStrategies(kind: string, type: protobuf.Type, path: string[], stack: Set<string>): void {
  if (stack.has(type.fullName)) return;
  stack.add(type.fullName);
  for (const [name, field] of jsonFields(type)) {
    const resolved = field.resolvedType;
    const fieldPath = [...path, name];
    if (field.repeated && !(field instanceof protobuf.MapField)) {
      const s = listStrategy(kind, fieldPath);
      if (s) {
        const owner = ownerOf(type, name).fullName;
        const table = strategies.get(owner) ?? new Map<string, ListStrategy>();
        if (!table.has(name)) table.set(name, s);
        strategies.set(owner, table);
      }
    }
    if (resolved instanceof protobuf.Type && !wellKnownSchema(resolved.fullName.slice(1), 'v3')) walkStrategies(kind, resolved, fieldPath, stack);
  }
  stack.delete(type.fullName);
}

/** Makes sure list strategies are known for everything below `type` as the root of `kind` (or at `path`). */
export function learnStrategies(kind: string, type: protobuf.Type, path: string[] = []): void {
  const key = `${kind}|${type.fullName}|${path.join('.')}`;
  if (walkedRoots.has(key)) return;
  walkedRoots.add(key);
  walkStrategies(kind, type, path, new Set());
}

function patchExtensions(owner: protobuf.Type, name: string): Schema {
  const out: Schema = {};
  const list = strategies.get(owner.fullName)?.get(name);
  const retain = RETAIN_KEYS[owner.fullName.slice(1)]?.[name];
  if (list?.kind === 'map') {
    out['x-kubernetes-list-map-keys'] = [list.key];
    out['x-kubernetes-list-type'] = 'map';
    out['x-kubernetes-patch-merge-key'] = list.key;
    out['x-kubernetes-patch-strategy'] = retain ? `merge,${retain}` : 'merge';
  } else if (list?.kind === 'set') {
    out['x-kubernetes-list-type'] = 'set';
    out['x-kubernetes-patch-strategy'] = 'merge';
  } else if (retain) {
    out['x-kubernetes-patch-strategy'] = retain;
  }
  return out;
}

/** API group and version of a proto package that holds kinds (`k8s.io.api.apps.v1` → apps/v1). */
export function groupVersionOfPackage(pkg: string): { group: string; version: string } | undefined {
  const m = /^k8s\.io\.api\.([a-z0-9]+)\.(v[0-9a-z]+)$/.exec(pkg);
  if (!m) return undefined;
  const plain = new Set(['core', 'apps', 'batch', 'policy', 'autoscaling']);
  const group = m[1] === 'core' ? '' : plain.has(m[1]) ? m[1] : `${m[1]}.k8s.io`;
  return { group, version: m[2] };
}

function gvkOf(type: protobuf.Type): { group: string; kind: string; version: string } | undefined {
  const name = type.fullName.slice(1);
  if (!isKindMessage(type)) return undefined;
  if (name === `k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions`) return { group: '', kind: 'DeleteOptions', version: 'v1' };
  const gv = groupVersionOfPackage(name.slice(0, name.lastIndexOf('.')));
  return gv && { group: gv.group, kind: type.name, version: gv.version };
}

interface Generated {
  schema: Schema;
  /** Proto full names of the messages this definition refers to. */
  refs: string[];
}

const generated: Record<Flavor, Map<string, Generated>> = { v2: new Map(), v3: new Map() };

function messageSchema(type: protobuf.Type, flavor: Flavor): Generated {
  const refs: string[] = [];
  const valueOf = (field: protobuf.Field): Schema => {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      refs.push(resolved.fullName);
      return { $ref: refTo(flavor, protoDefinitionName(resolved)) };
    }
    return scalarSchema(field.type);
  };
  const properties: Record<string, Schema> = {};
  if (isKindMessage(type)) {
    properties.apiVersion = { type: 'string' };
    properties.kind = { type: 'string' };
  }
  for (const [name, field] of jsonFields(type)) {
    const value = valueOf(field);
    let schema: Schema;
    if (field instanceof protobuf.MapField) schema = { type: 'object', additionalProperties: value };
    else if (field.repeated) schema = { type: 'array', items: value, ...patchExtensions(ownerOf(type, name), name) };
    else schema = { ...value, ...patchExtensions(ownerOf(type, name), name) };
    properties[name] = schema;
  }
  const schema: Schema = { type: 'object', properties };
  const gvk = gvkOf(type);
  if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
  return { schema, refs };
}

function definitionOf(protoName: string, flavor: Flavor): Generated {
  const cache = generated[flavor];
  let g = cache.get(protoName);
  if (!g) {
    const known = wellKnownSchema(protoName.slice(1), flavor);
    g = known ? { schema: known, refs: [] } : messageSchema(k8sRoot().lookupType(protoName), flavor);
    cache.set(protoName, g);
  }
  return g;
}

/**
 * Adds the definition of `type` and of every message it reaches to `into`. Patch extensions must be
 * learned (learnStrategies) for the roots before their definitions are first generated.
 */
export function addMessageClosure(type: protobuf.Type, flavor: Flavor, into: Record<string, Schema>): string {
  const rootName = protoDefinitionName(type);
  const queue = [type.fullName];
  const seen = new Set<string>();
  while (queue.length) {
    const protoName = queue.pop()!;
    if (seen.has(protoName)) continue;
    seen.add(protoName);
    const g = definitionOf(protoName, flavor);
    const name = protoName.replace(/^\.k8s\.io\./, 'io.k8s.');
    if (!into[name]) into[name] = g.schema;
    queue.push(...g.refs);
  }
  return rootName;
}

export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;

/** The protobuf message of a meta type by its definition name. */
export function metaMessage(definition: string): protobuf.Type {
  return k8sRoot().lookupType(definition.replace(/^io\.k8s\./, 'k8s.io.'));
}

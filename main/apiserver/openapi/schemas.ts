// Component schemas for the OpenAPI documents. Built-in kinds get their full schema, generated from the
// protobuf messages (proto-schemas.ts) or, for the two kinds without one, written out (extra-kinds.ts).
// Kinds that declare a schema on their ResourceDef (chaos.bosun.dev, like CRDs) publish it as declared;
// anything else stays a loose object that keeps unknown fields.
import { messageForKind } from '../protobuf/schema';
import type { ResourceDef } from '../types';
import { extraKindSchema } from './extra-kinds';
import { addMessageClosure, type Flavor, LIST_META, learnStrategies, metaMessage, OBJECT_META, refTo, type Schema } from './proto-schemas';

export type { Flavor, Schema } from './proto-schemas';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Definition name as Kubernetes spells it: io.k8s.api.apps.v1.Deployment; reversed domain for other groups. */
export function definitionName(group: string, version: string, kind: string): string {
  if (group === '') return `io.k8s.api.core.${version}.${kind}`;
  if (group.endsWith('.k8s.io') || !group.includes('.')) return `io.k8s.api.${group.split('.')[0]}.${version}.${kind}`;
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

export const META_SCHEMAS = {
  objectMeta: OBJECT_META,
  listMeta: LIST_META,
  status: `${META}.Status`,
  deleteOptions: `${META}.DeleteOptions`,
  patch: `${META}.Patch`,
};

const gvkExt = (group: string, version: string, kind: string): Schema => ({
  'x-kubernetes-group-version-kind': [{ group, kind, version }],
});

/** A schema that says only "an object": v2 has no preserve-unknown-fields, so it is left out there. */
export function looseObject(flavor: Flavor): Schema {
  return flavor === 'v3' ? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } : { type: 'object' };
}

/** The message a kind is served with, when the protobuf schema has it. */
export function kindMessage(group: string, version: string, kind: string) {
  return messageForKind(group ? `${group}/${version}` : version, kind);
}

/** Schemas shared by every group-version document. */
export function metaSchemas(flavor: Flavor): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  // ObjectMeta's lists merge the same under every kind (ownerReferences by uid, finalizers as a set).
  learnStrategies('', metaMessage(OBJECT_META), ['metadata']);
  for (const name of [OBJECT_META, LIST_META, META_SCHEMAS.deleteOptions]) addMessageClosure(metaMessage(name), flavor, out);
  out[META_SCHEMAS.status] = { ...looseObject(flavor), description: 'Status is a return value for calls that do not return other objects.', ...gvkExt('', 'v1', 'Status') };
  out[META_SCHEMAS.patch] = { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' };
  return out;
}

/** Whether a kind is published with its full schema (and so with strategic merge patch advertised). */
export function hasBuiltinSchema(def: Pick<ResourceDef, 'group' | 'version' | 'kind' | 'schema'>): boolean {
  return !def.schema && (kindMessage(def.group, def.version, def.kind) !== undefined || extraKindSchema(def.group, def.version, def.kind, 'v3', {}) !== undefined);
}

function kindSchema(def: ResourceDef, flavor: Flavor, into: Record<string, Schema>): Schema {
  const typeFields = { apiVersion: { type: 'string' }, kind: { type: 'string' } };
  const metadata = { $ref: refTo(flavor, OBJECT_META) };
  // A declared schema (kinds without a built-in definition) is published as it is, so `kubectl explain`
  // can walk it.
  const declared = def.schema as { description?: string; properties?: Record<string, unknown>; required?: string[] } | undefined;
  if (declared) {
    return {
      description: declared.description ?? `${def.kind} (${def.resource}) as served by Bosun.`,
      type: 'object',
      properties: { ...typeFields, metadata, ...(declared.properties ?? {}) },
      ...(declared.required ? { required: declared.required } : {}),
      ...gvkExt(def.group, def.version, def.kind),
    };
  }
  const message = kindMessage(def.group, def.version, def.kind);
  if (message) {
    learnStrategies(def.kind, message);
    return into[addMessageClosure(message, flavor, into)];
  }
  const extra = extraKindSchema(def.group, def.version, def.kind, flavor, into);
  if (extra) return { ...extra, ...gvkExt(def.group, def.version, def.kind) };
  return {
    description: `${def.kind} (${def.resource}) as served by Bosun.`,
    ...looseObject(flavor),
    properties: { ...typeFields, metadata },
    ...gvkExt(def.group, def.version, def.kind),
  };
}

/** The kind's schema, its list's, and every definition they reach. */
export function kindSchemas(def: ResourceDef, flavor: Flavor): Record<string, Schema> {
  const name = definitionName(def.group, def.version, def.kind);
  const out: Record<string, Schema> = {};
  out[name] = kindSchema(def, flavor, out);
  out[`${name}List`] = {
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      items: { type: 'array', items: { $ref: refTo(flavor, name) } },
      kind: { type: 'string' },
      metadata: { $ref: refTo(flavor, LIST_META) },
    },
    ...gvkExt(def.group, def.version, `${def.kind}List`),
  };
  return out;
}

/** Schema of a kind that only appears in subresource operations (Scale, Eviction, Binding). */
export function foreignKindSchemas(gvk: { group: string; version: string; kind: string }, flavor: Flavor): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const message = kindMessage(gvk.group, gvk.version, gvk.kind);
  if (message) {
    learnStrategies(gvk.kind, message);
    addMessageClosure(message, flavor, out);
  } else {
    out[definitionName(gvk.group, gvk.version, gvk.kind)] = { ...looseObject(flavor), 'x-kubernetes-group-version-kind': [gvk] };
  }
  return out;
}

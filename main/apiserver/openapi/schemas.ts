// Component schemas for OpenAPI documents. They are deliberately loose (objects that keep unknown
// fields): validation happens server-side (kubectl sends fieldValidation=Strict once it sees the
// parameter), so what clients need from the schema is the name, the GVK extension and the shape of
// apiVersion/kind/metadata.
import type { ResourceDef } from '../types';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Definition name as Kubernetes spells it: io.k8s.api.apps.v1.Deployment; reversed domain for other groups. */
export function definitionName(group: string, version: string, kind: string): string {
  if (group === '') return `io.k8s.api.core.${version}.${kind}`;
  if (group.endsWith('.k8s.io') || !group.includes('.')) return `io.k8s.api.${group.split('.')[0]}.${version}.${kind}`;
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

export const META_SCHEMAS = {
  objectMeta: `${META}.ObjectMeta`,
  listMeta: `${META}.ListMeta`,
  status: `${META}.Status`,
  deleteOptions: `${META}.DeleteOptions`,
  patch: `${META}.Patch`,
};

type Schema = Record<string, unknown>;

const gvkExt = (group: string, version: string, kind: string): Schema => ({
  'x-kubernetes-group-version-kind': [{ group, kind, version }],
});

/** Schemas shared by every group-version document. */
export function metaSchemas(): Record<string, Schema> {
  const loose: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    [META_SCHEMAS.objectMeta]: {
      description: 'ObjectMeta is metadata that all persisted resources must have.',
      type: 'object',
      properties: {
        name: { type: 'string' },
        generateName: { type: 'string' },
        namespace: { type: 'string' },
        uid: { type: 'string' },
        resourceVersion: { type: 'string' },
        generation: { type: 'integer', format: 'int64' },
        creationTimestamp: { type: 'string', format: 'date-time' },
        deletionTimestamp: { type: 'string', format: 'date-time' },
        deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
        ownerReferences: { type: 'array', items: loose },
        finalizers: { type: 'array', items: { type: 'string' } },
        managedFields: { type: 'array', items: loose },
      },
    },
    [META_SCHEMAS.listMeta]: {
      type: 'object',
      properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' }, remainingItemCount: { type: 'integer', format: 'int64' } },
    },
    [META_SCHEMAS.status]: { ...loose, description: 'Status is a return value for calls that do not return other objects.', ...gvkExt('', 'v1', 'Status') },
    [META_SCHEMAS.deleteOptions]: { ...loose, description: 'DeleteOptions may be provided when deleting an API object.', ...gvkExt('', 'v1', 'DeleteOptions') },
    [META_SCHEMAS.patch]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
  };
}

export function kindSchemas(def: ResourceDef, ref: (name: string) => string): Record<string, Schema> {
  const name = definitionName(def.group, def.version, def.kind);
  const typeFields = { apiVersion: { type: 'string' }, kind: { type: 'string' } };
  // A declared schema (kinds without a built-in definition) is published as it is, so `kubectl explain`
  // can walk it; the others stay loose (see the header).
  const declared = def.schema as { description?: string; properties?: Record<string, unknown>; required?: string[] } | undefined;
  const kind: Schema = declared
    ? {
        description: declared.description ?? `${def.kind} (${def.resource}) as served by Bosun.`,
        type: 'object',
        properties: { ...typeFields, metadata: { $ref: ref(META_SCHEMAS.objectMeta) }, ...(declared.properties ?? {}) },
        ...(declared.required ? { required: declared.required } : {}),
      }
    : {
        description: `${def.kind} (${def.resource}) as served by Bosun.`,
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        properties: { ...typeFields, metadata: { $ref: ref(META_SCHEMAS.objectMeta) } },
      };
  return {
    [name]: { ...kind, ...gvkExt(def.group, def.version, def.kind) },
    [`${name}List`]: {
      type: 'object',
      required: ['items'],
      properties: { ...typeFields, items: { type: 'array', items: { $ref: ref(name) } }, metadata: { $ref: ref(META_SCHEMAS.listMeta) } },
      ...gvkExt(def.group, def.version, `${def.kind}List`),
    },
  };
}

// The operations a group-version serves, described once and rendered as OpenAPI v3 or v2. Names and
// extensions follow the real apiserver (operationId like `patchCoreV1NamespacedPod`,
// `x-kubernetes-action`, `x-kubernetes-group-version-kind`) because kubectl looks operations up by them:
// it sends `fieldValidation=Strict` only when the PATCH operation of a kind lists that parameter.
import { subresourcesOf, type ExtraSubresources, type ServedGroupVersion } from '../discovery/group-versions';
import { subresourceShape } from '../discovery/subresources';
import type { ResourceDef } from '../types';
import { definitionName, hasBuiltinSchema, META_SCHEMAS } from './schemas';

export type Action = 'get' | 'list' | 'watch' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'connect';
export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

export interface QueryParam {
  name: string;
  type: 'string' | 'integer' | 'boolean';
  description: string;
}

export interface Operation {
  method: HttpMethod;
  action: Action;
  operationId: string;
  description: string;
  gvk: { group: string; version: string; kind: string };
  query: QueryParam[];
  /** Request body schema name, with the media types it may come in. */
  body?: { schema: string; mediaTypes: string[] };
  /** Response schema name (definition); 201 is added for create-like operations. */
  response: string;
  created?: boolean;
}

export interface PathItem {
  path: string;
  pathParams: string[];
  operations: Operation[];
}

const q = (name: string, type: QueryParam['type'], description: string): QueryParam => ({ name, type, description });

const WRITE_PARAMS = [
  q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid value: All.'),
  q('fieldManager', 'string', 'A name associated with the actor or entity that is making these changes.'),
  q('fieldValidation', 'string', 'How the server treats unknown or duplicate fields: Ignore, Warn or Strict.'),
];
const LIST_PARAMS = [
  q('allowWatchBookmarks', 'boolean', 'Requests watch events with type "BOOKMARK".'),
  q('continue', 'string', 'The continue option from a previous paginated list.'),
  q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'),
  q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  q('limit', 'integer', 'Maximum number of responses to return for a list call.'),
  q('resourceVersion', 'string', 'Constraint on the resource version to serve from.'),
  q('resourceVersionMatch', 'string', 'How resourceVersion is applied to list calls.'),
  q('sendInitialEvents', 'boolean', 'Start a watch with synthetic events for the current state.'),
  q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  q('watch', 'boolean', 'Watch for changes to the described resources.'),
];
const DELETE_PARAMS = [
  q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid value: All.'),
  q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  q('propagationPolicy', 'string', 'Whether and how garbage collection will be performed: Orphan, Background or Foreground.'),
];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const STRATEGIC_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/**
 * Media types a PATCH accepts as advertised. Strategic merge patch is advertised, as by kube-apiserver,
 * for the built-in kinds, whose schemas carry the patch extensions (kubectl >= 1.27 then computes its
 * patch from the OpenAPI v3 document); kinds with a declared schema are like CRDs, which have none.
 */
export function advertisedPatchTypes(def: Pick<ResourceDef, 'group' | 'version' | 'kind' | 'schema'>): string[] {
  return hasBuiltinSchema(def) ? STRATEGIC_PATCH_TYPES : PATCH_TYPES;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `CoreV1`, `AppsV1`, `NetworkingV1`: the group-version part of operation ids. */
function gvToken(group: string, version: string): string {
  const g = group === '' ? 'core' : group.split('.')[0];
  return upperFirst(g.replace(/[^a-zA-Z0-9]/g, '')) + upperFirst(version);
}

function basePath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

function resourceItems(def: ResourceDef, extra?: ExtraSubresources): PathItem[] {
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const schema = definitionName(def.group, def.version, def.kind);
  const listSchema = `${schema}List`;
  const scope = def.namespaced ? 'Namespaced' : '';
  const token = gvToken(def.group, def.version);
  const id = (verb: string, suffix = ''): string => `${verb}${token}${scope}${def.kind}${suffix}`;
  const collection = def.namespaced
    ? `${basePath(def.group, def.version)}/namespaces/{namespace}/${def.resource}`
    : `${basePath(def.group, def.version)}/${def.resource}`;
  const nsParams = def.namespaced ? ['namespace'] : [];
  const bodyTypes = ['application/json', 'application/yaml'];
  const patchTypes = advertisedPatchTypes(def);
  const items: PathItem[] = [
    {
      path: collection,
      pathParams: nsParams,
      operations: [
        { method: 'get', action: 'list', operationId: id('list'), description: `list or watch objects of kind ${def.kind}`, gvk, query: LIST_PARAMS, response: listSchema },
        { method: 'post', action: 'post', operationId: id('create'), description: `create a ${def.kind}`, gvk, query: WRITE_PARAMS, body: { schema, mediaTypes: bodyTypes }, response: schema, created: true },
        { method: 'delete', action: 'deletecollection', operationId: id('deleteCollection'), description: `delete collection of ${def.kind}`, gvk, query: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')], body: { schema: META_SCHEMAS.deleteOptions, mediaTypes: ['application/json'] }, response: META_SCHEMAS.status },
      ],
    },
    {
      path: `${collection}/{name}`,
      pathParams: [...nsParams, 'name'],
      operations: [
        { method: 'get', action: 'get', operationId: id('read'), description: `read the specified ${def.kind}`, gvk, query: [], response: schema },
        { method: 'put', action: 'put', operationId: id('replace'), description: `replace the specified ${def.kind}`, gvk, query: WRITE_PARAMS, body: { schema, mediaTypes: bodyTypes }, response: schema, created: true },
        { method: 'patch', action: 'patch', operationId: id('patch'), description: `partially update the specified ${def.kind}`, gvk, query: [...WRITE_PARAMS, q('force', 'boolean', 'Force is going to "force" Apply requests.')], body: { schema: META_SCHEMAS.patch, mediaTypes: patchTypes }, response: schema, created: true },
        { method: 'delete', action: 'delete', operationId: id('delete'), description: `delete a ${def.kind}`, gvk, query: DELETE_PARAMS, body: { schema: META_SCHEMAS.deleteOptions, mediaTypes: ['application/json'] }, response: META_SCHEMAS.status },
      ],
    },
  ];
  if (def.namespaced) {
    items.push({
      path: `${basePath(def.group, def.version)}/${def.resource}`,
      pathParams: [],
      operations: [{ method: 'get', action: 'list', operationId: `list${token}${def.kind}ForAllNamespaces`, description: `list or watch objects of kind ${def.kind}`, gvk, query: LIST_PARAMS, response: listSchema }],
    });
  }
  for (const sub of subresourcesOf(def, extra)) {
    const shape = subresourceShape(sub, def.group, def.version, def.kind);
    const subGvk = { group: shape.group, version: shape.version, kind: shape.kind };
    const subSchema = definitionName(shape.group, shape.version, shape.kind);
    const suffix = upperFirst(sub);
    const ops: Operation[] = [];
    for (const verb of shape.verbs) {
      if (verb === 'get') ops.push({ method: 'get', action: sub === 'log' ? 'connect' : 'get', operationId: id('read', suffix), description: `read ${sub} of the specified ${def.kind}`, gvk: subGvk, query: [], response: subSchema });
      if (verb === 'update') ops.push({ method: 'put', action: 'put', operationId: id('replace', suffix), description: `replace ${sub} of the specified ${def.kind}`, gvk: subGvk, query: WRITE_PARAMS, body: { schema: subSchema, mediaTypes: bodyTypes }, response: subSchema, created: true });
      if (verb === 'patch') ops.push({ method: 'patch', action: 'patch', operationId: id('patch', suffix), description: `partially update ${sub} of the specified ${def.kind}`, gvk: subGvk, query: [...WRITE_PARAMS, q('force', 'boolean', 'Force is going to "force" Apply requests.')], body: { schema: META_SCHEMAS.patch, mediaTypes: patchTypes }, response: subSchema, created: true });
      if (verb === 'create') ops.push({ method: 'post', action: 'post', operationId: id('create', suffix), description: `create ${sub} of a ${def.kind}`, gvk: subGvk, query: WRITE_PARAMS, body: { schema: subSchema, mediaTypes: bodyTypes }, response: subSchema, created: true });
    }
    items.push({ path: `${collection}/{name}/${sub}`, pathParams: [...nsParams, 'name'], operations: ops });
  }
  return items;
}

export function groupVersionPaths(gv: ServedGroupVersion, extra?: ExtraSubresources): PathItem[] {
  return gv.resources.flatMap((def) => resourceItems(def, extra));
}

/** Schemas referenced by subresource operations whose kinds are not ResourceDefs (Scale, Eviction...). */
export function foreignKinds(items: PathItem[]): { group: string; version: string; kind: string }[] {
  const seen = new Map<string, { group: string; version: string; kind: string }>();
  for (const item of items) for (const op of item.operations) seen.set(definitionName(op.gvk.group, op.gvk.version, op.gvk.kind), op.gvk);
  return [...seen.values()];
}

// OpenAPI documents generated from the ResourceDefs: `/openapi/v3` (index of group-versions with
// content hashes), `/openapi/v3/api/v1` and `/openapi/v3/apis/{g}/{v}`, and a JSON `/openapi/v2`.
import { createHash } from 'node:crypto';
import { type ExtraSubresources, findGroupVersion, servedGroups, type ServedGroupVersion } from '../discovery/group-versions';
import type { ResourceDef } from '../types';
import { foreignKinds, groupVersionPaths, type Operation, type PathItem } from './operations';
import { type Flavor, foreignKindSchemas, kindSchemas, metaSchemas, type Schema } from './schemas';

type Doc = Record<string, unknown>;

export function gvKey(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** Every definition a group-version's paths reach, sorted by name as kube-openapi writes them. */
function schemasFor(gv: ServedGroupVersion, items: PathItem[], flavor: Flavor): Record<string, Schema> {
  const schemas: Record<string, Schema> = { ...metaSchemas(flavor) };
  for (const def of gv.resources) Object.assign(schemas, kindSchemas(def, flavor));
  for (const k of foreignKinds(items)) {
    for (const [name, schema] of Object.entries(foreignKindSchemas(k, flavor))) schemas[name] ??= schema;
  }
  return Object.fromEntries(Object.keys(schemas).sort().map((name) => [name, schemas[name]]));
}

const ref3 = (name: string): string => `#/components/schemas/${name}`;

function operationV3(op: Operation): Doc {
  const content = (schema: string, types: string[]): Doc => Object.fromEntries(types.map((t) => [t, { schema: { $ref: ref3(schema) } }]));
  const ok = { description: 'OK', content: content(op.response, ['application/json', 'application/yaml']) };
  const responses: Doc = { '200': ok, '401': { description: 'Unauthorized' } };
  if (op.created) responses['201'] = { description: 'Created', content: content(op.response, ['application/json', 'application/yaml']) };
  const out: Doc = {
    tags: [op.gvk.group || 'core'],
    description: op.description,
    operationId: op.operationId,
    parameters: op.query.map((p) => ({ name: p.name, in: 'query', description: p.description, schema: { type: p.type, uniqueItems: true } })),
    responses,
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
  if (op.body) out.requestBody = { content: content(op.body.schema, op.body.mediaTypes), required: op.method !== 'delete' };
  return out;
}

/** One group-version's OpenAPI v3 document; undefined when nothing is served there. */
export function openApiV3GroupVersion(resources: ResourceDef[], group: string, version: string, title: string, extra?: ExtraSubresources): Doc | undefined {
  const gv = findGroupVersion(resources, group, version);
  if (!gv) return undefined;
  const items = groupVersionPaths(gv, extra);
  const paths: Doc = {};
  for (const item of items) {
    const entry: Doc = {};
    for (const op of item.operations) entry[op.method] = operationV3(op);
    entry.parameters = [
      ...item.pathParams.map((p) => ({ name: p, in: 'path', required: true, description: `${p} of the resource`, schema: { type: 'string', uniqueItems: true } })),
      { name: 'pretty', in: 'query', description: "If 'true', then the output is pretty printed.", schema: { type: 'string', uniqueItems: true } },
    ];
    paths[item.path] = entry;
  }
  return { openapi: '3.0.0', info: { title, version }, paths, components: { schemas: schemasFor(gv, items, 'v3') } };
}

export function documentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/** `/openapi/v3`: where each group-version document lives, with a hash clients use as a cache key. */
export function openApiV3Index(resources: ResourceDef[], title: string, extra?: ExtraSubresources): Doc {
  const paths: Doc = {};
  for (const group of servedGroups(resources)) {
    for (const gv of group.versions) {
      const doc = openApiV3GroupVersion(resources, gv.group, gv.version, title, extra);
      const key = gvKey(gv.group, gv.version);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${documentHash(doc)}` };
    }
  }
  return { paths };
}

const ref2 = (name: string): string => `#/definitions/${name}`;

function operationV2(op: Operation): Doc {
  const parameters: Doc[] = op.query.map((p) => ({ name: p.name, in: 'query', description: p.description, type: p.type, uniqueItems: true }));
  if (op.body) parameters.unshift({ name: 'body', in: 'body', required: op.method !== 'delete', schema: { $ref: ref2(op.body.schema) } });
  const responses: Doc = { '200': { description: 'OK', schema: { $ref: ref2(op.response) } }, '401': { description: 'Unauthorized' } };
  if (op.created) responses['201'] = { description: 'Created', schema: { $ref: ref2(op.response) } };
  const out: Doc = {
    description: op.description,
    operationId: op.operationId,
    consumes: op.body ? op.body.mediaTypes : ['*/*'],
    produces: ['application/json', 'application/yaml'],
    schemes: ['https'],
    tags: [op.gvk.group || 'core'],
    parameters,
    responses,
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
  return out;
}

/** Swagger 2.0 of everything served (JSON only; the protobuf form kubectl prefers is not offered). */
export function openApiV2(resources: ResourceDef[], title: string, version: string, extra?: ExtraSubresources): Doc {
  const paths: Doc = {};
  const definitions: Doc = {};
  for (const group of servedGroups(resources)) {
    for (const gv of group.versions) {
      const items = groupVersionPaths(gv, extra);
      Object.assign(definitions, schemasFor(gv, items, 'v2'));
      for (const item of items) {
        const entry: Doc = {};
        for (const op of item.operations) entry[op.method] = operationV2(op);
        entry.parameters = item.pathParams.map((p) => ({ name: p, in: 'path', required: true, type: 'string', uniqueItems: true, description: `${p} of the resource` }));
        paths[item.path] = entry;
      }
    }
  }
  return {
    swagger: '2.0',
    info: { title, version },
    paths,
    definitions: Object.fromEntries(Object.keys(definitions).sort().map((name) => [name, definitions[name]])),
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer token' } },
    security: [{ BearerToken: [] }],
  };
}

// Discovery documents: the legacy forms (/api APIVersions, /apis APIGroupList, /apis/{g} APIGroup,
// APIResourceList per group-version) and the aggregated apidiscovery.k8s.io form kubectl >= 1.26 asks
// for first, which saves it one request per group-version.
import { apiVersionOf } from '../../../shared/api/meta';
import type { ResourceDef } from '../types';
import { type ExtraSubresources, type ServedGroup, type ServedGroupVersion, servedGroups, subresourcesOf } from './group-versions';
import { RESOURCE_VERBS, subresourceShape } from './subresources';

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: ServedGroup): Record<string, unknown> {
  const versions = group.versions.map((v) => ({ groupVersion: apiVersionOf(group.name, v.version), version: v.version }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(resources: ResourceDef[]): Record<string, unknown> {
  const groups = servedGroups(resources).filter((g) => g.name !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) };
}

export function apiGroup(resources: ResourceDef[], name: string): Record<string, unknown> | undefined {
  const group = servedGroups(resources).find((g) => g.name === name && name !== '');
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) } : undefined;
}

export function apiResourceList(gv: ServedGroupVersion, extra?: ExtraSubresources): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const def of gv.resources) {
    const entry: Record<string, unknown> = {
      name: def.resource,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: def.verbs ?? RESOURCE_VERBS,
    };
    if (def.shortNames?.length) entry.shortNames = def.shortNames;
    if (def.categories?.length) entry.categories = def.categories;
    resources.push(entry);
    for (const sub of subresourcesOf(def, extra)) {
      const shape = subresourceShape(sub, def.group, def.version, def.kind);
      const subEntry: Record<string, unknown> = { name: `${def.resource}/${sub}`, singularName: '', namespaced: def.namespaced, kind: shape.kind, verbs: shape.verbs };
      if (shape.group !== def.group || shape.version !== def.version) {
        subEntry.group = shape.group;
        subEntry.version = shape.version;
      }
      resources.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(gv.group, gv.version), resources };
}

export const AGGREGATED_CONTENT_TYPE = (v: 'v2' | 'v2beta1'): string => `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;

function aggregatedResource(def: ResourceDef, extra?: ExtraSubresources): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: def.resource,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: def.verbs ?? RESOURCE_VERBS,
  };
  if (def.shortNames?.length) entry.shortNames = def.shortNames;
  if (def.categories?.length) entry.categories = def.categories;
  const subs = subresourcesOf(def, extra).map((sub) => {
    const shape = subresourceShape(sub, def.group, def.version, def.kind);
    return { subresource: sub, responseKind: { group: shape.group, version: shape.version, kind: shape.kind }, verbs: shape.verbs };
  });
  if (subs.length) entry.subresources = subs;
  return entry;
}

/** APIGroupDiscoveryList for `/api` (legacy: only the core group) or `/apis` (every named group). */
export function aggregatedDiscovery(resources: ResourceDef[], legacy: boolean, v: 'v2' | 'v2beta1', extra?: ExtraSubresources): Record<string, unknown> {
  const groups = servedGroups(resources).filter((g) => (legacy ? g.name === '' : g.name !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${v}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name },
      versions: g.versions.map((gv) => ({
        version: gv.version,
        resources: gv.resources.map((def) => aggregatedResource(def, extra)),
        freshness: 'Current',
      })),
    })),
  };
}

// The OpenAPI documents as served: generated on the first request that needs them (never on the start-up
// path), then kept serialized, so a kubectl that downloads them on every invocation costs a copy, not a
// generation. The cache follows what the documents depend on: the resource list, the subresources
// registered at runtime, the title and the version.
import { createHash } from 'node:crypto';
import { type ExtraSubresources, servedGroups, subresourcesOf } from '../discovery/group-versions';
import { SerializedJson } from '../rest/serialized';
import type { ResourceDef } from '../types';
import { gvKey, openApiV2, openApiV3GroupVersion } from './openapi';
import { openApiV2ProtobufFrom } from './openapi-v2-protobuf';

export interface OpenApiDocuments {
  v2Json(): SerializedJson;
  v2Protobuf(): Buffer;
  v3Index(): SerializedJson;
  /** undefined when the group-version is not served. */
  v3(group: string, version: string): SerializedJson | undefined;
}

const cache = new WeakMap<ResourceDef[], Map<string, OpenApiDocuments>>();

function lazy<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

function build(resources: ResourceDef[], title: string, version: string, extra?: ExtraSubresources): OpenApiDocuments {
  const v2 = lazy(() => openApiV2(resources, title, version, extra));
  const v3Docs = new Map<string, SerializedJson | undefined>();
  const v3 = (group: string, gvVersion: string): SerializedJson | undefined => {
    const key = gvKey(group, gvVersion);
    if (!v3Docs.has(key)) {
      const doc = openApiV3GroupVersion(resources, group, gvVersion, title, extra);
      v3Docs.set(key, doc && new SerializedJson(JSON.stringify(doc)));
    }
    return v3Docs.get(key);
  };
  return {
    v2Json: lazy(() => new SerializedJson(JSON.stringify(v2()))),
    v2Protobuf: lazy(() => openApiV2ProtobufFrom(resources, v2(), title, version, extra)),
    v3Index: lazy(() => {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const group of servedGroups(resources)) {
        for (const gv of group.versions) {
          const key = gvKey(gv.group, gv.version);
          const hash = createHash('sha512').update(v3(gv.group, gv.version)!.json).digest('hex').toUpperCase();
          paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
        }
      }
      return new SerializedJson(JSON.stringify({ paths }));
    }),
    v3,
  };
}

export function openApiDocuments(resources: ResourceDef[], title: string, version: string, extra?: ExtraSubresources): OpenApiDocuments {
  let byKey = cache.get(resources);
  if (!byKey) cache.set(resources, (byKey = new Map()));
  const subresources = resources.map((def) => subresourcesOf(def, extra).join(',')).join(';');
  const key = `${title}\n${version}\n${resources.length}\n${subresources}`;
  let docs = byKey.get(key);
  if (!docs) {
    // Only the newest set is kept: a change of subresources makes the older documents stale.
    byKey.clear();
    byKey.set(key, (docs = build(resources, title, version, extra)));
  }
  return docs;
}

// The OpenAPI component schemas generated from the protobuf messages: types, $refs, the well-known
// apimachinery types, patch/list extensions, GVKs, and that they say exactly what strict field
// validation (main/apiserver/schema/shape.ts, from the same messages) knows.
import { describe, expect, it } from 'vitest';
import { servedGroups } from '../../../main/apiserver/discovery/group-versions';
import { openApiV2, openApiV3GroupVersion } from '../../../main/apiserver/openapi/openapi';
import { kindMessage } from '../../../main/apiserver/openapi/schemas';
import { openApiDocuments } from '../../../main/apiserver/openapi/served-documents';
import { builtinResources } from '../../../main/apiserver/registry';
import { objectShape, type ValueShape } from '../../../main/apiserver/schema/shape';
import { nodeMetricsResource, podMetricsResource } from '../../../main/kubelet/resource-metrics';

type Schema = Record<string, any>;

const v3 = (group: string, version: string): Schema => openApiV3GroupVersion(builtinResources, group, version, 'Kubernetes')!;
const apps = v3('apps', 'v1');
const core = v3('', 'v1');
const v2 = openApiV2(builtinResources, 'Kubernetes', 'v1.32.0-bosun') as Schema;
const s3 = (doc: Schema, name: string): Schema => doc.components.schemas[name];
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Every $ref below a schema. */
function refs(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  if (Array.isArray(schema)) return schema.flatMap(refs);
  const own = typeof (schema as Schema).$ref === 'string' ? [(schema as Schema).$ref as string] : [];
  return [...own, ...Object.values(schema as Schema).flatMap(refs)];
}

describe('OpenAPI component schemas from the protobuf messages', () => {
  it('maps scalar types as kube-openapi does', () => {
    const spec = s3(apps, 'io.k8s.api.apps.v1.DeploymentSpec').properties;
    expect(spec.replicas).toEqual({ type: 'integer', format: 'int32' });
    expect(spec.paused).toEqual({ type: 'boolean' });
    expect(spec.selector).toEqual({ $ref: `#/components/schemas/${META}.LabelSelector` });
    expect(spec.template).toEqual({ $ref: `#/components/schemas/${CORE}.PodTemplateSpec` });
    expect(s3(core, `${META}.ObjectMeta`).properties.generation).toEqual({ type: 'integer', format: 'int64' });
    expect(s3(core, `${META}.ObjectMeta`).properties.labels).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    // []byte values: base64 strings.
    expect(s3(core, `${CORE}.Secret`).properties.data).toEqual({ type: 'object', additionalProperties: { type: 'string', format: 'byte' } });
    expect(s3(core, `${CORE}.Container`).properties.args).toEqual({ type: 'array', items: { type: 'string' } });
  });

  it('publishes Time, IntOrString, Quantity and RawExtension as the JSON they are', () => {
    expect(s3(core, `${META}.ObjectMeta`).properties.creationTimestamp).toEqual({ $ref: `#/components/schemas/${META}.Time` });
    expect(s3(core, `${META}.Time`)).toEqual({ type: 'string', format: 'date-time' });
    expect(s3(apps, 'io.k8s.api.apps.v1.RollingUpdateDeployment').properties.maxSurge).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' });
    expect(s3(apps, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString')).toMatchObject({ 'x-kubernetes-int-or-string': true, oneOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(v2.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true });
    expect(s3(core, 'io.k8s.apimachinery.pkg.api.resource.Quantity')).toEqual({ oneOf: [{ type: 'string' }, { type: 'number' }] });
    expect(v2.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity']).toEqual({ type: 'string' });
    expect(s3(core, `${CORE}.ResourceRequirements`).properties.limits).toEqual({ type: 'object', additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' } });
    expect(s3(apps, 'io.k8s.api.apps.v1.ControllerRevision').properties.data).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension' });
    expect(s3(apps, 'io.k8s.apimachinery.pkg.runtime.RawExtension')).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  });

  it('writes out the kinds the protobuf schema lacks (ControllerRevision, StorageClass, metrics.k8s.io)', () => {
    const storage = v3('storage.k8s.io', 'v1');
    expect(s3(storage, 'io.k8s.api.storage.v1.StorageClass').properties.allowedTopologies.items).toEqual({ $ref: `#/components/schemas/${CORE}.TopologySelectorTerm` });
    expect(s3(storage, `${CORE}.TopologySelectorTerm`).properties.matchLabelExpressions.items.$ref).toBe(`#/components/schemas/${CORE}.TopologySelectorLabelRequirement`);
    const metrics = openApiV3GroupVersion([...builtinResources, podMetricsResource, nodeMetricsResource], 'metrics.k8s.io', 'v1beta1', 'Kubernetes') as Schema;
    const pod = s3(metrics, 'io.k8s.api.metrics.v1beta1.PodMetrics');
    expect(pod['x-kubernetes-group-version-kind']).toEqual([{ group: 'metrics.k8s.io', kind: 'PodMetrics', version: 'v1beta1' }]);
    expect(pod.properties.window).toEqual({ $ref: `#/components/schemas/${META}.Duration` });
    expect(s3(metrics, 'io.k8s.api.metrics.v1beta1.ContainerMetrics').properties.usage.additionalProperties).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
    expect(s3(metrics, 'io.k8s.api.metrics.v1beta1.NodeMetrics').properties.timestamp).toEqual({ $ref: `#/components/schemas/${META}.Time` });
    for (const ref of refs(metrics)) expect(s3(metrics, ref.replace('#/components/schemas/', '')), ref).toBeDefined();
  });

  it('lifts inline structs into their parent, as Go\'s JSON does', () => {
    const volume = s3(core, `${CORE}.Volume`).properties;
    expect(Object.keys(volume)).toEqual(expect.arrayContaining(['name', 'configMap', 'emptyDir', 'persistentVolumeClaim']));
    expect(volume.volumeSource).toBeUndefined();
    const probe = s3(core, `${CORE}.Probe`).properties;
    expect(Object.keys(probe)).toEqual(expect.arrayContaining(['httpGet', 'exec', 'tcpSocket', 'periodSeconds']));
    expect(probe.handler).toBeUndefined();
  });

  it('carries the patch and list-type extensions of the merge-key table', () => {
    const podSpec = s3(core, `${CORE}.PodSpec`).properties;
    expect(podSpec.containers).toEqual({
      type: 'array',
      items: { $ref: `#/components/schemas/${CORE}.Container` },
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(podSpec.volumes['x-kubernetes-patch-strategy']).toBe('merge,retainKeys');
    // Atomic in Kubernetes too: no extension, the list is replaced whole.
    expect(podSpec.tolerations['x-kubernetes-patch-strategy']).toBeUndefined();
    const container = s3(core, `${CORE}.Container`).properties;
    expect(container.ports['x-kubernetes-patch-merge-key']).toBe('containerPort');
    expect(container.env['x-kubernetes-patch-merge-key']).toBe('name');
    expect(container.volumeMounts['x-kubernetes-patch-merge-key']).toBe('mountPath');
    expect(s3(core, `${CORE}.ServiceSpec`).properties.ports['x-kubernetes-patch-merge-key']).toBe('port');
    expect(s3(core, `${CORE}.NodeStatus`).properties.addresses['x-kubernetes-patch-merge-key']).toBe('type');
    expect(s3(core, `${META}.ObjectMeta`).properties.finalizers).toMatchObject({ 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' });
    expect(s3(apps, 'io.k8s.api.apps.v1.DeploymentSpec').properties.strategy['x-kubernetes-patch-strategy']).toBe('retainKeys');
    expect(s3(apps, 'io.k8s.api.apps.v1.DeploymentStatus').properties.conditions['x-kubernetes-patch-merge-key']).toBe('type');
  });

  it('every built-in kind has a GVK and its real fields; declared kinds keep their declared schema', () => {
    for (const group of servedGroups(builtinResources)) {
      for (const gv of group.versions) {
        const doc = v3(gv.group, gv.version);
        for (const def of gv.resources) {
          const name = Object.keys(doc.components.schemas).find((n) =>
            (doc.components.schemas[n]['x-kubernetes-group-version-kind'] ?? []).some((g: Schema) => g.group === def.group && g.version === def.version && g.kind === def.kind),
          );
          expect(name, `${def.kind} ${def.group}/${def.version}`).toBeDefined();
          const props = Object.keys(doc.components.schemas[name!].properties ?? {});
          const own = props.filter((p) => !['apiVersion', 'kind', 'metadata'].includes(p));
          expect(own.length, `${def.kind} has fields besides apiVersion/kind/metadata`).toBeGreaterThan(0);
          expect(doc.components.schemas[name!]['x-kubernetes-preserve-unknown-fields'], def.kind).toBeUndefined();
          if (def.schema) expect(props).toEqual(expect.arrayContaining(Object.keys((def.schema as Schema).properties)));
        }
      }
    }
  });

  it('every $ref resolves inside its own document (v3 per group-version, v2 as a whole)', () => {
    for (const group of servedGroups(builtinResources)) {
      for (const gv of group.versions) {
        const doc = v3(gv.group, gv.version);
        for (const ref of refs(doc)) expect(doc.components.schemas[ref.replace('#/components/schemas/', '')], `${ref} in ${gv.group}/${gv.version}`).toBeDefined();
      }
    }
    const all = refs(v2);
    expect(all.length).toBeGreaterThan(200);
    for (const ref of all) expect(v2.definitions[ref.replace('#/definitions/', '')], ref).toBeDefined();
  });

  it('says exactly what strict field validation knows (same messages, same inline rules)', () => {
    const compare = (schema: Schema, shape: ValueShape, doc: Schema, path: string, seen: Set<string>): void => {
      const resolve = (s: Schema): Schema => (s.$ref ? s3(doc, s.$ref.replace('#/components/schemas/', '')) : s);
      const s = resolve(schema);
      if (shape.t === 'list') return compare(s.items, shape.item, doc, `${path}[]`, seen);
      if (shape.t === 'map') return compare(s.additionalProperties, shape.value, doc, `${path}{}`, seen);
      if (shape.t !== 'object') return;
      if (seen.has(shape.shape.goType)) return;
      seen.add(shape.shape.goType);
      expect(Object.keys(s.properties ?? {}).sort(), path).toEqual([...shape.shape.fields.keys()].sort());
      for (const [name, child] of shape.shape.fields) compare(s.properties[name], child, doc, `${path}.${name}`, seen);
    };
    let kinds = 0;
    for (const def of builtinResources) {
      const message = kindMessage(def.group, def.version, def.kind);
      if (!message || def.schema) continue;
      const doc = v3(def.group, def.version);
      const name = Object.keys(doc.components.schemas).find((n) => n.endsWith(`.${def.version}.${def.kind}`) && doc.components.schemas[n]['x-kubernetes-group-version-kind']);
      compare(doc.components.schemas[name!], { t: 'object', shape: objectShape(message) }, doc, def.kind, new Set());
      kinds++;
    }
    expect(kinds).toBeGreaterThanOrEqual(24);
  });

  it('advertises strategic merge patch for built-in kinds only (declared kinds are like CRDs)', () => {
    const patchTypes = (doc: Schema, path: string): string[] => Object.keys(doc.paths[path].patch.requestBody.content);
    expect(patchTypes(apps, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')).toContain('application/strategic-merge-patch+json');
    expect(patchTypes(apps, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status')).toContain('application/strategic-merge-patch+json');
    const chaos = builtinResources.find((d) => d.schema)!;
    const doc = v3(chaos.group, chaos.version);
    const path = Object.keys(doc.paths).find((p) => p.endsWith(`/${chaos.resource}/{name}`))!;
    expect(patchTypes(doc, path)).not.toContain('application/strategic-merge-patch+json');
    expect(patchTypes(doc, path)).toContain('application/merge-patch+json');
  });

  it('serves v2 and v3 as JSON that parses, generated once and kept serialized', () => {
    const docs = openApiDocuments(builtinResources, 'Kubernetes', 'v1.32.0-bosun');
    expect(openApiDocuments(builtinResources, 'Kubernetes', 'v1.32.0-bosun')).toBe(docs);
    const index = JSON.parse(docs.v3Index().json);
    for (const [key, entry] of Object.entries<{ serverRelativeURL: string }>(index.paths)) {
      const [, g, v] = /^(?:api|apis\/([^/]+))\/([^/]+)$/.exec(key)!;
      const served = docs.v3(g ?? '', v)!;
      expect(docs.v3(g ?? '', v)).toBe(served);
      const parsed = JSON.parse(served.json);
      expect(parsed.openapi).toBe('3.0.0');
      expect(entry.serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${key}\\?hash=[0-9A-F]{128}$`));
    }
    const parsedV2 = JSON.parse(docs.v2Json().json);
    expect(parsedV2.swagger).toBe('2.0');
    expect(parsedV2.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(docs.v2Protobuf()).toBe(docs.v2Protobuf());
    expect(docs.v3('nope', 'v1')).toBeUndefined();
  });
});

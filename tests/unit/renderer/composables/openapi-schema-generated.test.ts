// The dashboard's YAML editor against the lab's generated OpenAPI v3 documents: it must now know every
// field of a built-in kind (not just metadata), the way it would against a real cluster.
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { openApiV3GroupVersion } from '../../../../main/apiserver/openapi/openapi';
import { builtinResources } from '../../../../main/apiserver/registry';
import { SchemaIndex, type OpenApiDocument } from '../../../../renderer/composables/openapi-schema';

const docs = new Map<string, OpenApiDocument>([
  ['apis/apps/v1', openApiV3GroupVersion(builtinResources, 'apps', 'v1', 'Kubernetes') as OpenApiDocument],
  ['api/v1', openApiV3GroupVersion(builtinResources, '', 'v1', 'Kubernetes') as OpenApiDocument],
]);
const index = new SchemaIndex(docs);

describe('renderer openapi-schema over the generated documents', () => {
  it('resolves spec.template.spec.containers[].image of a Deployment', () => {
    expect(index.at('apps/v1', 'Deployment', ['spec', 'template', 'spec', 'containers', 'image'])).toEqual({ type: 'string' });
    const containerFields = index.fields('apps/v1', 'Deployment', ['spec', 'template', 'spec', 'containers']).map((f) => f.name);
    expect(containerFields).toEqual(expect.arrayContaining(['name', 'image', 'ports', 'env', 'resources', 'livenessProbe']));
    expect(index.fields('apps/v1', 'Deployment', ['spec']).find((f) => f.name === 'replicas')).toMatchObject({ type: 'integer' });
    // Maps step into their values: resources.limits.cpu is a Quantity.
    expect(index.at('v1', 'Pod', ['spec', 'containers', 'resources', 'limits', 'cpu'])).toMatchObject({ oneOf: [{ type: 'string' }, { type: 'number' }] });
  });

  it('warns about unknown fields of built-in kinds, and only those', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web, labels: {anything: goes}}',
      'spec:',
      '  replica: 2',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: nginx',
      '        imagePullPolcy: Always',
      '        resources: {limits: {cpu: 500m}}',
      '',
    ].join('\n');
    const found = index.unknownFields(parseDocument(text), text, 'apps/v1', 'Deployment').map((d) => d.message);
    expect(found).toEqual(['unknown field "spec.replica"', 'unknown field "spec.template.spec.containers[0].imagePullPolcy"']);
  });
});

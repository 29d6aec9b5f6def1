import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/api/errors';
import { diagnosticsForError, fieldFindings } from '../../../../renderer/composables/apply-diagnostics';
import { enumOf, SchemaIndex, type OpenApiDocument } from '../../../../renderer/composables/openapi-schema';
import { cursorContext } from '../../../../renderer/composables/yaml-cursor';
import { parseFieldPath, parseYamlText } from '../../../../renderer/composables/yaml-documents';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replica: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: c
          image: busybox
          portz: []
`;

describe('YAML documents', () => {
  it('splits multi-document text and reports syntax errors with their line', () => {
    const parsed = parseYamlText('kind: A\n---\nkind: B\n---\n# only a comment\n');
    expect(parsed.documents.map((d) => d.object?.kind)).toEqual(['A', 'B']);
    const broken = parseYamlText('a: 1\nb: [1, 2\nc: 3\n');
    expect(broken.syntaxErrors.length).toBeGreaterThan(0);
    expect(broken.syntaxErrors[0].line).toBeGreaterThanOrEqual(2);
  });

  it('parses API field paths with indexes, selectors and bracketed map keys', () => {
    expect(parseFieldPath('.spec.containers[name="c"].portz')).toEqual([{ key: 'spec' }, { key: 'containers' }, { match: { key: 'name', value: 'c' } }, { key: 'portz' }]);
    expect(parseFieldPath('spec.template.spec.containers[0].image')).toEqual([{ key: 'spec' }, { key: 'template' }, { key: 'spec' }, { key: 'containers' }, { index: 0 }, { key: 'image' }]);
    expect(parseFieldPath('metadata.labels[app.kubernetes.io/name]')).toEqual([{ key: 'metadata' }, { key: 'labels' }, { key: 'app.kubernetes.io/name' }]);
  });
});

describe('API errors as line diagnostics', () => {
  const doc = () => parseYamlText(DEPLOYMENT).documents[0];

  it('puts strict decoding errors (400) on the keys they name', () => {
    const error = new ApiError(400, 'BadRequest', 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].portz"');
    const diags = diagnosticsForError(DEPLOYMENT, doc(), error);
    expect(diags.map((d) => [d.line, d.message])).toEqual([
      [6, 'unknown field "spec.replica"'],
      [18, 'unknown field "spec.template.spec.containers[0].portz"'],
    ]);
    expect(DEPLOYMENT.slice(diags[0].from, diags[0].to)).toBe('replica');
  });

  it('reads server-side apply schema errors and 422 causes', () => {
    const ssa = new ApiError(500, '', 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n  .spec.replica: field not declared in schema\n  .spec.template.spec.containers[name="c"].portz: field not declared in schema');
    expect(fieldFindings(ssa).map((f) => f.field)).toEqual(['.spec.replica', '.spec.template.spec.containers[name="c"].portz']);
    expect(fieldFindings(ssa)[0].message).toBe('.spec.replica: field not declared in schema');
    expect(diagnosticsForError(DEPLOYMENT, doc(), ssa).map((d) => d.line)).toEqual([6, 18]);
    const invalid = new ApiError(422, 'Invalid', 'Deployment.apps "web" is invalid', {
      causes: [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].resources' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: "web"', field: 'metadata.name' },
      ],
    });
    // A missing field points at its deepest existing ancestor (the container item, line 16).
    expect(diagnosticsForError(DEPLOYMENT, doc(), invalid).map((d) => [d.line, d.message])).toEqual([
      [16, 'spec.template.spec.containers[0].resources: Required value'],
      [4, 'metadata.name: Invalid value: "web"'],
    ]);
  });

  it('puts an error that names no field on the first line of its document', () => {
    const text = `kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: a\n---\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: b\n`;
    const second = parseYamlText(text).documents[1];
    const diags = diagnosticsForError(text, second, new ApiError(409, 'AlreadyExists', 'configmaps "b" already exists'));
    expect(diags).toHaveLength(1);
    expect(diags[0].line).toBe(6);
    expect(diags[0].message).toBe('configmaps "b" already exists');
  });
});

describe('cursor context', () => {
  it('finds the key path through nested maps and sequence items', () => {
    const text = DEPLOYMENT.replace('          portz: []\n', '          ima');
    const ctx = cursorContext(text, text.length);
    expect(ctx).toMatchObject({ path: ['spec', 'template', 'spec', 'containers'], prefix: 'ima', apiVersion: 'apps/v1', kind: 'Deployment' });
    const inMeta = 'apiVersion: v1\nkind: Pod\nmetadata:\n  na';
    expect(cursorContext(inMeta, inMeta.length)).toMatchObject({ path: ['metadata'], prefix: 'na', kind: 'Pod' });
    const value = 'apiVersion: v1\nkind: Service\nspec:\n  type: Node';
    expect(cursorContext(value, value.length)).toMatchObject({ path: ['spec'], valueKey: 'type', prefix: 'Node' });
  });

  it('reads the kind of the document the cursor is in', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: batch/v1\nkind: Job\nspec:\n  ';
    expect(cursorContext(text, text.length)).toMatchObject({ path: ['spec'], kind: 'Job', apiVersion: 'batch/v1' });
  });
});

describe('OpenAPI schema index', () => {
  const doc: OpenApiDocument = {
    components: {
      schemas: {
        'io.k8s.api.core.v1.Service': {
          type: 'object',
          properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, spec: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.ServiceSpec' }], description: 'Spec of the service.' } },
          'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Service' }],
        },
        'io.k8s.api.core.v1.ServiceSpec': {
          type: 'object',
          properties: {
            type: { type: 'string', description: 'type determines how the Service is exposed.\n\nPossible enum values:\n - `"ClusterIP"` internal\n - `"NodePort"` on nodes', enum: undefined },
            ports: { type: 'array', items: { $ref: '#/components/schemas/io.k8s.api.core.v1.ServicePort' } },
          },
        },
        'io.k8s.api.core.v1.ServicePort': { type: 'object', properties: { port: { type: 'integer', description: 'The port.' }, protocol: { type: 'string', enum: ['TCP', 'UDP'] } } },
      },
    },
  };
  const index = new SchemaIndex(new Map([['api/v1', doc]]));

  it('resolves fields with descriptions and enums through $ref, allOf and arrays', () => {
    expect(index.fields('v1', 'Service', ['spec']).map((f) => f.name)).toEqual(['type', 'ports']);
    expect(index.fields('v1', 'Service', ['spec', 'ports'])).toEqual([
      { name: 'port', description: 'The port.', type: 'integer', enum: undefined },
      { name: 'protocol', description: undefined, type: 'string', enum: ['TCP', 'UDP'] },
    ]);
    expect(enumOf(index.at('v1', 'Service', ['spec', 'type']))).toEqual(['ClusterIP', 'NodePort']);
    expect(index.at('v1', 'Service', ['spec'])?.description).toBe('Spec of the service.');
  });

  it('warns about keys a closed schema does not declare', () => {
    const text = 'apiVersion: v1\nkind: Service\nspec:\n  typo: x\n  ports:\n    - port: 80\n      protcol: TCP\n';
    const parsed = parseYamlText(text).documents[0];
    expect(index.unknownFields(parsed.doc, text, 'v1', 'Service').map((d) => [d.line, d.message])).toEqual([
      [4, 'unknown field "spec.typo"'],
      [7, 'unknown field "spec.ports[0].protcol"'],
    ]);
  });
});

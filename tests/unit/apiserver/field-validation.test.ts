// fieldValidation end to end through the HTTP layer and the real REST handler and registry: each mode,
// the exact Kubernetes texts (create/update 400, patch 422, apply YAML duplicates) and Warning headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHttpServer, startApiHttpServer } from '../../../main/apiserver/http/server';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { MemoryStore } from '../../../main/store/memory-store';
import { send, TOKEN, type RawResponse } from './http/helpers';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

/** The integration body of Kubernetes' own field_validation_test.go (typos, repeats, nested). */
const invalidJson = (name: string): string => `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "dupename", "name": "${name}", "labels": {"app": "nginx"}, "unknownMeta": "metaVal"},
  "spec": {
    "unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{
      "name": "nginx", "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}
  }
}`;

const invalidYaml = (name: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dupename
  name: ${name}
  unknownMeta: metaVal
  labels:
    app: nginx
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never`;

const validJson = (name: string): string =>
  JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: 'nginx' } }, spec: { selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:latest' }] } } } });

const JSON_FINDINGS = [
  'duplicate field "metadata.name"',
  'unknown field "metadata.unknownMeta"',
  'unknown field "spec.unknown1"',
  'unknown field "spec.unknownDupe"',
  'duplicate field "spec.paused"',
  'unknown field "spec.template.spec.containers[0].unknownNested"',
  'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
];

/** Warning texts as a client (client-go, kubectl) parses `299 - "<text>"` headers. */
function warnings(res: RawResponse): string[] {
  const raw = res.headers.warning;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : raw.split(/,\s*(?=299 )/);
  return values.map((v) => {
    const m = /^299 - "((?:[^"\\]|\\.)*)"$/.exec(v);
    if (!m) throw new Error(`malformed Warning header ${v}`);
    return m[1].replace(/\\(.)/g, '$1');
  });
}

describe('fieldValidation (Strict, Warn, Ignore, absent) over HTTP', () => {
  let server: ApiHttpServer;
  const post = (path: string, body: string, contentType = 'application/json'): Promise<RawResponse> =>
    send(server.port, path, { method: 'POST', headers: { 'content-type': contentType }, body });
  const call = (method: string, path: string, body: string, contentType = 'application/json'): Promise<RawResponse> =>
    send(server.port, path, { method, headers: { 'content-type': contentType }, body });
  const get = (name: string): Promise<RawResponse> => send(server.port, `${DEPLOYMENTS}/${name}`);

  beforeAll(async () => {
    const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
    await handler.handle({ verb: 'create', group: '', version: 'v1', resource: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } });
    server = await startApiHttpServer({ handler, resources: builtinResources, token: TOKEN, port: 0, logger: { error: () => undefined } });
  });
  afterAll(() => server.close());

  it('Strict POST: 400 with every finding in document order and nothing stored', async () => {
    const res = await post(`${DEPLOYMENTS}?fieldValidation=Strict`, invalidJson('strict'));
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      code: 400,
      message: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ${JSON_FINDINGS.join(', ')}`,
    });
    expect((await get('strict')).status).toBe(404);
  });

  it('Warn and absent POST: stored (last duplicate wins) with one Warning header per finding; Ignore: silent', async () => {
    const warn = await post(`${DEPLOYMENTS}?fieldValidation=Warn`, invalidJson('warn'));
    expect(warn.status).toBe(201);
    expect(warnings(warn)).toEqual(JSON_FINDINGS);
    expect(warn.json().spec.paused).toBe(false);
    expect(warn.json().spec.template.spec.containers[0].imagePullPolicy).toBe('Never');
    const absent = await post(DEPLOYMENTS, invalidJson('absent'));
    expect(absent.status).toBe(201);
    expect(warnings(absent)).toEqual(JSON_FINDINGS);
    const ignore = await post(`${DEPLOYMENTS}?fieldValidation=Ignore`, invalidJson('ignore'));
    expect(ignore.status).toBe(201);
    expect(ignore.headers.warning).toBeUndefined();
  });

  it('a correct body draws no warning at all', async () => {
    const res = await post(`${DEPLOYMENTS}?fieldValidation=Strict`, validJson('clean'));
    expect(res.status).toBe(201);
    expect(res.headers.warning).toBeUndefined();
  });

  it('YAML bodies: go-yaml duplicate lines first (one error under Strict), then unknown fields in sorted order', async () => {
    const strict = await post(`${DEPLOYMENTS}?fieldValidation=Strict`, invalidYaml('yaml-strict'), 'application/yaml');
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: yaml: unmarshal errors:\n' +
        '  line 5: key "name" already set in map\n  line 12: key "unknownDupe" already set in map\n  line 14: key "paused" already set in map\n' +
        '  line 28: key "imagePullPolicy" already set in map, unknown field "metadata.unknownMeta", ' +
        'unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"',
    );
    const warn = await post(`${DEPLOYMENTS}?fieldValidation=Warn`, invalidYaml('yaml-warn'), 'application/yaml');
    expect(warn.status).toBe(201);
    expect(warnings(warn)).toEqual([
      'line 5: key "name" already set in map',
      'line 12: key "unknownDupe" already set in map',
      'line 14: key "paused" already set in map',
      'line 28: key "imagePullPolicy" already set in map',
      'unknown field "metadata.unknownMeta"',
      'unknown field "spec.template.spec.containers[0].unknownNested"',
      'unknown field "spec.unknown1"',
      'unknown field "spec.unknownDupe"',
    ]);
    const ignore = await post(`${DEPLOYMENTS}?fieldValidation=Ignore`, invalidYaml('yaml-ignore'), 'application/yaml');
    expect([ignore.status, ignore.headers.warning]).toEqual([201, undefined]);
  });

  it('PUT behaves as POST (UpdateOptions)', async () => {
    await post(DEPLOYMENTS, validJson('put'));
    const strict = await call('PUT', `${DEPLOYMENTS}/put?fieldValidation=Strict`, invalidJson('put'));
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe(`Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ${JSON_FINDINGS.join(', ')}`);
    const warn = await call('PUT', `${DEPLOYMENTS}/put?fieldValidation=Warn`, invalidJson('put'));
    expect(warn.status).toBe(200);
    expect(warnings(warn)).toEqual(JSON_FINDINGS);
  });

  it('merge and strategic merge patches: patch duplicates, then the patched object\'s unknown fields (sorted); Strict is 422 on "patch"', async () => {
    await post(DEPLOYMENTS, validJson('patched'));
    const patch = '{"spec": {"unknown1": "v", "unknownDupe": "a", "unknownDupe": "b", "paused": true, "paused": false, "template": {"spec": {"containers": [{"name": "nginx", "unknownNested": "v", "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}}}';
    const expected = [
      'duplicate field "spec.unknownDupe"',
      'duplicate field "spec.paused"',
      'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
      'unknown field "spec.template.spec.containers[0].unknownNested"',
      'unknown field "spec.unknown1"',
      'unknown field "spec.unknownDupe"',
    ];
    const smp = await call('PATCH', `${DEPLOYMENTS}/patched?fieldValidation=Strict`, patch, 'application/strategic-merge-patch+json');
    expect(smp.status).toBe(422);
    const status = smp.json();
    expect(status).toMatchObject({ reason: 'Invalid', details: { name: '', group: '', kind: '', causes: [{ reason: 'FieldValueInvalid', field: 'patch' }] } });
    expect(status.message).toBe(
      ` "" is invalid: patch: Invalid value: "map[spec:map[paused:false template:map[spec:map[containers:[map[imagePullPolicy:Never name:nginx unknownNested:v]]]] unknown1:v unknownDupe:b]]": strict decoding error: ${expected.join(', ')}`,
    );
    const merge = await call('PATCH', `${DEPLOYMENTS}/patched?fieldValidation=Warn`, '{"spec": {"paused": true, "paused": false, "replica": 3}}', 'application/merge-patch+json');
    expect(merge.status).toBe(200);
    expect(warnings(merge)).toEqual(['duplicate field "spec.paused"', 'unknown field "spec.replica"']);
    expect((await get('patched')).json().spec.replica).toBeUndefined();
    const mergeStrict = await call('PATCH', `${DEPLOYMENTS}/patched?fieldValidation=Strict`, '{"spec": {"replica": 3}}', 'application/merge-patch+json');
    expect(mergeStrict.status).toBe(422);
    expect(mergeStrict.json().message).toMatch(/^ "" is invalid: patch: Invalid value: "\{\\"apiVersion\\":\\"apps\/v1\\",.*\}": strict decoding error: unknown field "spec.replica"$/);
  });

  it('JSON patch: unknown and repeated operation fields are "json patch" findings', async () => {
    await post(DEPLOYMENTS, validJson('jsonpatch'));
    const ops = '[{"op": "add", "path": "/spec/unknown1", "value": "v", "foo": "bar"}, {"op": "add", "path": "/spec/unknown2", "path": "/spec/unknown3", "value": 1}]';
    const res = await call('PATCH', `${DEPLOYMENTS}/jsonpatch?fieldValidation=Warn`, ops, 'application/json-patch+json');
    expect(res.status).toBe(200);
    expect(warnings(res)).toEqual(['json patch unknown field "[0].foo"', 'json patch duplicate field "[1].path"', 'unknown field "spec.unknown1"', 'unknown field "spec.unknown3"']);
  });

  it('server-side apply: repeated keys are YAML findings (unknown fields are apply\'s own business)', async () => {
    const body = validJson('applied').replace('"name":"nginx"', '"name":"nginx","imagePullPolicy":"Never","imagePullPolicy":"Always"');
    const strict = await call('PATCH', `${DEPLOYMENTS}/applied?fieldManager=mgr&fieldValidation=Strict`, body, 'application/apply-patch+yaml');
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe('error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 1: key "imagePullPolicy" already set in map');
    expect((await get('applied')).status).toBe(404);
    const warn = await call('PATCH', `${DEPLOYMENTS}/applied?fieldManager=mgr`, body, 'application/apply-patch+yaml');
    expect((await get('applied')).json().spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
    expect(warnings(warn)).toEqual(['line 1: key "imagePullPolicy" already set in map']);
    const typo = validJson('applied').replace('"name":"nginx"', '"name":"nginx","imagePullPolcy":"Always"');
    const unknown = await call('PATCH', `${DEPLOYMENTS}/applied?fieldManager=mgr&fieldValidation=Ignore`, typo, 'application/apply-patch+yaml');
    expect(unknown.status).toBe(500);
    expect(unknown.json().message).toBe(
      'failed to create typed patch object (default/applied; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="nginx"].imagePullPolcy: field not declared in schema',
    );
  });

  it('Warn and Ignore store the object without its unknown fields, as decoding into the Go type drops them', async () => {
    const body = validJson('pruned').replace('"selector"', '"replica":3,"selector"');
    const ignore = await post(`${DEPLOYMENTS}?fieldValidation=Ignore`, body);
    expect(ignore.status).toBe(201);
    expect(ignore.json().spec.replica).toBeUndefined();
    expect((await get('pruned')).json().spec.replica).toBeUndefined();
  });

  it('an unsupported directive is the 422 of metav1 options validation; custom kinds are never checked', async () => {
    const bad = await post(`${DEPLOYMENTS}?fieldValidation=Loud`, validJson('loud'));
    expect(bad.status).toBe(422);
    expect(bad.json().message).toBe('CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../../../shared/api/errors';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { send, StubHandler, testResources, TOKEN } from './helpers';

describe('resource requests over HTTP', () => {
  let server: ApiHttpServer;
  let handler: StubHandler;
  const errors: unknown[] = [];

  beforeAll(async () => {
    handler = new StubHandler();
    server = await startApiHttpServer({ handler, resources: testResources, token: TOKEN, port: 0, logger: { error: (_m, e) => errors.push(e) } });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    handler.requests.length = 0;
    handler.failWith = undefined;
  });

  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });

  it('creates with 201, reads with 200, passes query parameters through', async () => {
    const created = await send(server.port, '/api/v1/namespaces/default/configmaps?fieldValidation=Strict&fieldManager=kubectl&dryRun=All', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(cm('one')),
    });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    expect(created.json().metadata).toMatchObject({ name: 'one', namespace: 'default' });
    expect(handler.requests[0]).toMatchObject({
      verb: 'create',
      group: '',
      version: 'v1',
      resource: 'configmaps',
      namespace: 'default',
      query: { fieldValidation: 'Strict', fieldManager: 'kubectl', dryRun: 'All' },
      body: cm('one'),
      user: 'admin',
    });
    const got = await send(server.port, '/api/v1/namespaces/default/configmaps/one');
    expect(got.status).toBe(200);
    expect(got.json().data).toEqual({ a: '1' });
  });

  it('accepts YAML bodies and answers YAML when asked', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\ndata:\n  b: "2"\n';
    const res = await send(server.port, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', accept: 'application/yaml' },
      body: yaml,
    });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/yaml');
    expect(parseYaml(res.body).data).toEqual({ b: '2' });
  });

  it('passes PATCH bodies with their patch type; 415 for unknown patch types', async () => {
    const res = await send(server.port, '/api/v1/namespaces/default/configmaps/one', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{"data":{"a":"9"}}',
    });
    expect(res.status).toBe(200);
    expect(handler.requests.at(-1)).toMatchObject({ verb: 'patch', name: 'one', patchType: 'application/merge-patch+json', body: { data: { a: '9' } } });
    const apply = await send(server.port, '/api/v1/namespaces/default/configmaps/one?fieldManager=me&force=true', {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n',
    });
    expect(apply.status).toBe(200);
    expect(handler.requests.at(-1)).toMatchObject({ patchType: 'application/apply-patch+yaml', body: { kind: 'ConfigMap' }, query: { force: 'true' } });
    const bad = await send(server.port, '/api/v1/namespaces/default/configmaps/one', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(415);
    expect(bad.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
  });

  it('answers 415 for protobuf bodies of kinds it cannot decode and 406 for unacceptable Accept', async () => {
    const proto = await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: 'k8s\0' });
    expect(proto.status).toBe(415);
    expect(proto.json()).toMatchObject({ reason: 'UnsupportedMediaType', message: expect.stringContaining('<no kind>') });
    const na = await send(server.port, '/api/v1/namespaces/default/configmaps', { headers: { accept: 'application/vnd.kubernetes.protobuf' } });
    expect(na.status).toBe(406);
    expect(na.json()).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
    const kubectl = await send(server.port, '/api/v1/namespaces/default/configmaps', { headers: { accept: 'application/vnd.kubernetes.protobuf, */*' } });
    expect(kubectl.status).toBe(200);
    expect(handler.requests.filter((r) => r.verb === 'list')).toHaveLength(1);
  });

  it('names line and column of malformed bodies in a 400 Status', async () => {
    const res = await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{\n  "kind": "ConfigMap",\n    oops\n}' });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message: 'error decoding JSON: invalid character "o" at line 3, column 5' });
    const yaml = await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: 'kind: ConfigMap\nmetadata:\n  name: [x\n' });
    expect(yaml.status).toBe(400);
    expect(yaml.json().message).toMatch(/^error decoding YAML: .* at line \d+, column \d+$/);
    expect(handler.requests).toHaveLength(0);
  });

  it('refuses bodies over 3 MiB with 413, from Content-Length and while streaming', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 10, 0x20);
    const res = await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ reason: 'RequestEntityTooLarge', code: 413 });
    const chunked = await send(server.port, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: big,
    }).catch((e: NodeJS.ErrnoException) => ({ status: e.code }));
    // Either the client saw the 413 or the server cut the connection before reading everything.
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(chunked.status);
    expect(handler.requests).toHaveLength(0);
  });

  it('relays ApiErrors as their Status and hides unexpected exceptions behind a 500 Status', async () => {
    const missing = await send(server.port, '/api/v1/namespaces/default/configmaps/nope');
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "nope" not found', reason: 'NotFound', details: { name: 'nope', group: '', kind: 'configmaps' }, code: 404 });
    handler.failWith = ApiError.invalid('', 'ConfigMap', 'x', [{ type: 'FieldValueRequired', field: 'metadata.name' }]);
    const invalid = await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', body: '{}' });
    expect(invalid.status).toBe(422);
    expect(invalid.json().details.causes[0]).toEqual({ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.name' });
    const boom = new TypeError('cannot read properties of undefined');
    handler.failWith = boom;
    const crash = await send(server.port, '/api/v1/namespaces/default/configmaps');
    expect(crash.status).toBe(500);
    expect(crash.json()).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500, message: 'Internal error occurred: cannot read properties of undefined' });
    expect(crash.body).not.toContain('at ');
    expect(errors).toContain(boom);
    handler.failWith = undefined;
    expect((await send(server.port, '/healthz')).status).toBe(200);
  });

  it('answers 404 like Kubernetes for unknown groups, versions, resources and top-level paths', async () => {
    for (const path of ['/apis/nope/v1/things', '/api/v2/pods', '/api/v1/widgets', '/apis/apps/v1beta1/deployments', '/apis/nope', '/apis/nope/v1', '/foo', '/api/v1/namespaces/default/pods/a/b/c']) {
      const res = await send(server.port, path);
      expect(res.status, path).toBe(404);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
    }
    expect(handler.requests).toHaveLength(0);
  });

  it('answers 405 for methods a path does not take', async () => {
    for (const [method, path] of [
      ['PUT', '/api/v1/namespaces/default/configmaps'],
      ['PATCH', '/api/v1/namespaces/default/configmaps'],
      ['POST', '/api/v1/namespaces/default/configmaps/one'],
      ['POST', '/api/v1'],
      ['DELETE', '/healthz'],
    ]) {
      const res = await send(server.port, path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.json()).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
    }
  });

  it('routes deletes, deletecollection and subresources', async () => {
    await send(server.port, '/api/v1/namespaces/default/pods', { method: 'DELETE', body: '{"propagationPolicy":"Background"}' });
    expect(handler.requests.at(-1)).toMatchObject({ verb: 'deletecollection', resource: 'pods', body: { propagationPolicy: 'Background' } });
    const del = await send(server.port, '/api/v1/namespaces/default/configmaps/two?gracePeriodSeconds=0', { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(handler.requests.at(-1)).toMatchObject({ verb: 'delete', name: 'two', query: { gracePeriodSeconds: '0' } });
    const evict = await send(server.port, '/api/v1/namespaces/default/pods/web/eviction', { method: 'POST', body: '{"apiVersion":"policy/v1","kind":"Eviction"}' });
    expect(evict.status).toBe(201);
    expect(handler.requests.at(-1)).toMatchObject({ verb: 'create', name: 'web', subresource: 'eviction' });
    await send(server.port, '/api/v1/namespaces/team-a/finalize', { method: 'PUT', body: '{}' });
    expect(handler.requests.at(-1)).toMatchObject({ verb: 'update', resource: 'namespaces', name: 'team-a', subresource: 'finalize' });
    expect(handler.requests.at(-1)!.namespace).toBeUndefined();
  });

  it('asks the handler for a Table when kubectl get does', async () => {
    await send(server.port, '/api/v1/namespaces/default/pods?limit=500', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' } });
    expect(handler.requests.at(-1)).toMatchObject({ verb: 'list', asTable: true, query: { limit: '500' } });
  });
});

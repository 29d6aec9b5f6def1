// Protobuf bodies through the HTTP layer: the handler gets the same parsed body a JSON client produces.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { send, StubHandler, testResources, TOKEN } from '../http/helpers';
import { CORE, encodeMessage, envelope, withExtraVarintField } from './encode-helpers';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const golden = (name: string): { protobufBase64: string; json131: unknown } =>
  JSON.parse(readFileSync(resolve(__dirname, `../../../fixtures/protobuf/${name}.json`), 'utf8'));

describe('protobuf request bodies over HTTP', () => {
  let server: ApiHttpServer;
  let handler: StubHandler;

  beforeAll(async () => {
    handler = new StubHandler();
    server = await startApiHttpServer({ handler, resources: testResources, token: TOKEN, port: 0, logger: { error: () => undefined } });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    handler.requests.length = 0;
  });

  it('POST of kubectl 1.32 create configmap reaches the handler as the JSON kubectl 1.31 sends; the answer is JSON', async () => {
    const { protobufBase64, json131 } = golden('configmap');
    const res = await send(server.port, '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict', {
      method: 'POST',
      headers: { 'content-type': PROTOBUF, accept: `${PROTOBUF}, application/json` },
      body: Buffer.from(protobufBase64, 'base64'),
    });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(handler.requests[0]).toMatchObject({ verb: 'create', resource: 'configmaps', body: json131 });
  });

  it('PUT and DELETE bodies may be protobuf too', async () => {
    const cm = envelope('v1', 'ConfigMap', encodeMessage(`${CORE}.ConfigMap`, { metadata: { name: 'put-me' }, data: { k: 'v' } }));
    await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': PROTOBUF }, body: cm });
    const put = await send(server.port, '/api/v1/namespaces/default/configmaps/put-me', { method: 'PUT', headers: { 'content-type': PROTOBUF }, body: cm });
    expect(put.status).toBe(200);
    expect(handler.requests[1]).toMatchObject({ verb: 'update', body: { kind: 'ConfigMap', metadata: { name: 'put-me' }, data: { k: 'v' } } });
    const options = envelope('v1', 'DeleteOptions', encodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { propagationPolicy: 'Orphan' }));
    await send(server.port, '/api/v1/namespaces/default/configmaps/put-me', { method: 'DELETE', headers: { 'content-type': PROTOBUF }, body: options });
    expect(handler.requests[2]).toMatchObject({ verb: 'delete', body: { kind: 'DeleteOptions', propagationPolicy: 'Orphan' } });
  });

  it('answers 415 naming the unknown field, 400 for garbage, and never calls the handler', async () => {
    const raw = withExtraVarintField(encodeMessage(`${CORE}.ConfigMap`, { metadata: { name: 'x' } }), 42, 1);
    const unknown = await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': PROTOBUF }, body: envelope('v1', 'ConfigMap', raw) });
    expect(unknown.status).toBe(415);
    expect(unknown.json()).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      code: 415,
      message: 'Bosun cannot decode field 42 of protobuf v1.ConfigMap yet; send JSON (for example kubectl apply -f) instead',
    });
    const garbage = await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': PROTOBUF }, body: 'hello' });
    expect(garbage.status).toBe(400);
    expect(garbage.json()).toMatchObject({ reason: 'BadRequest' });
    expect(handler.requests).toHaveLength(0);
  });

  it('keeps the 3 MiB body limit for protobuf', async () => {
    const big = Buffer.concat([Buffer.from('k8s\0', 'binary'), Buffer.alloc(3 * 1024 * 1024 + 1)]);
    const res = await send(server.port, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': PROTOBUF }, body: big });
    expect(res.status).toBe(413);
    expect(handler.requests).toHaveLength(0);
  });

  it('PATCH bodies are never protobuf', async () => {
    const res = await send(server.port, '/api/v1/namespaces/default/configmaps/x', { method: 'PATCH', headers: { 'content-type': PROTOBUF }, body: 'k8s\0' });
    expect(res.status).toBe(415);
  });
});

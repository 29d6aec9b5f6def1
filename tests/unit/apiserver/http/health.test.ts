import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { send, StubHandler, testResources, TOKEN } from './helpers';

describe('health endpoints', () => {
  let server: ApiHttpServer;
  let ready = false;

  beforeAll(async () => {
    server = await startApiHttpServer({ handler: new StubHandler(), resources: testResources, token: TOKEN, port: 0, isReady: () => ready });
  });
  afterAll(() => server.close());

  it('answers ok without a token; readyz fails until the lab is ready', async () => {
    expect((await send(server.port, '/livez', { token: null })).body).toBe('ok');
    const notReady = await send(server.port, '/readyz', { token: null });
    expect(notReady.status).toBe(500);
    expect(notReady.body).toBe('[+]ping ok\n[-]bosun-lab failed: not ready yet\nreadyz check failed\n');
    ready = true;
    const ok = await send(server.port, '/readyz', { token: null });
    expect([ok.status, ok.body, ok.headers['content-type']]).toEqual([200, 'ok', 'text/plain; charset=utf-8']);
  });

  it('serves verbose output and individual checks like the apiserver', async () => {
    expect((await send(server.port, '/healthz?verbose', { token: null })).body).toBe('[+]ping ok\n[+]bosun-lab ok\nhealthz check passed\n');
    expect((await send(server.port, '/readyz/ping', { token: null })).body).toBe('ok');
    expect((await send(server.port, '/livez/etcd', { token: null })).status).toBe(404);
    expect((await send(server.port, '/healthz', { method: 'POST', token: null })).status).toBe(405);
    // Deeper paths are not health checks and need the token.
    expect((await send(server.port, '/healthz/ping/x', { token: null })).status).toBe(401);
  });
});

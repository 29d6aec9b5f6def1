import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { tokenMatches } from '../../../../main/apiserver/http/security';
import { hasCorsHeader, send, StubHandler, testResources, TOKEN } from './helpers';

describe('HTTP security: token, Host, Origin, no CORS', () => {
  let server: ApiHttpServer;
  const handler = new StubHandler();
  const logged: unknown[] = [];

  beforeAll(async () => {
    server = await startApiHttpServer({ handler, resources: testResources, token: TOKEN, port: 0, logger: { request: (e) => logged.push(e) } });
  });
  afterAll(() => server.close());

  it('binds to 127.0.0.1 on a free port', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers 401 Status without a token or with a wrong one', async () => {
    for (const token of [null, 'wrong', `${TOKEN}x`, '']) {
      const res = await send(server.port, '/api/v1/namespaces/default/pods', { token });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      expect(hasCorsHeader(res)).toBe(false);
    }
    const basic = await send(server.port, '/api', { headers: { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect(handler.requests).toHaveLength(0);
  });

  it('requires the token for discovery and OpenAPI too, but not for health and version', async () => {
    for (const path of ['/api', '/apis', '/api/v1', '/openapi/v3', '/openapi/v2', '/nonexistent']) {
      expect((await send(server.port, path, { token: null })).status).toBe(401);
    }
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const res = await send(server.port, path, { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toBe('ok');
    }
    expect((await send(server.port, '/version', { token: null })).json().major).toBe('1');
  });

  it('accepts the right token with any Bearer casing', async () => {
    const res = await send(server.port, '/api/v1/namespaces/default/pods', { headers: { authorization: `bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it('refuses foreign Host headers with 403 (DNS rebinding), even on public paths', async () => {
    for (const host of ['evil.com', 'evil.com:80', `127.0.0.1.nip.io:${1}`, 'localhost.evil.com']) {
      const res = await send(server.port, '/api/v1/pods', { headers: { host } });
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      expect((await send(server.port, '/healthz', { headers: { host } })).status).toBe(403);
      expect((await send(server.port, '/', { headers: { host } })).status).toBe(403);
    }
    for (const host of ['localhost', `localhost:${server.port}`, '127.0.0.1', `[::1]:${server.port}`, 'LOCALHOST:1']) {
      expect((await send(server.port, '/healthz', { headers: { host } })).status).toBe(200);
    }
  });

  it('refuses requests from foreign origins with 403 and allows its own', async () => {
    for (const origin of ['http://evil.com', `http://127.0.0.1:${server.port + 1}`, 'null', `https://127.0.0.1:${server.port + 1}`]) {
      const res = await send(server.port, '/api/v1/namespaces/default/pods', { headers: { origin } });
      expect(res.status).toBe(403);
      expect(hasCorsHeader(res)).toBe(false);
    }
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`, `https://localhost:${server.port}`]) {
      const res = await send(server.port, '/api/v1/namespaces/default/pods', { headers: { origin } });
      expect(res.status).toBe(200);
      expect(hasCorsHeader(res)).toBe(false);
    }
  });

  it('never answers a CORS preflight', async () => {
    const res = await send(server.port, '/api/v1/namespaces/default/pods', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.com', 'access-control-request-method': 'DELETE' },
      token: null,
    });
    expect(res.status).toBe(403);
    expect(hasCorsHeader(res)).toBe(false);
    const same = await send(server.port, '/api/v1/namespaces/default/pods', { method: 'OPTIONS', token: null });
    expect(same.status).toBe(405);
    expect(same.json()).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
    expect(hasCorsHeader(same)).toBe(false);
  });

  it('logs method, path, code and duration, never tokens', async () => {
    await send(server.port, '/api/v1/namespaces/default/pods?labelSelector=a%3Db');
    const entry = logged.at(-1) as Record<string, unknown>;
    expect(entry).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/default/pods', code: 200 });
    expect(typeof entry.ms).toBe('number');
    expect(JSON.stringify(logged)).not.toContain(TOKEN);
  });

  it('compares tokens in constant time, including different lengths', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });
});

describe('listening', () => {
  it('rejects with a message naming the port and the fix when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startApiHttpServer({ handler: new StubHandler(), resources: testResources, token: TOKEN, port })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is already in use; pick another with --port or stop the other process`,
      );
    } finally {
      blocker.close();
    }
  });
});

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ApiError } from '../../../../shared/api/errors';
import { acceptWebSocket, type ApiHttpServer, type ConnectInfo, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { send, StubHandler, testResources, TOKEN } from './helpers';

describe('streaming subresources (registerConnect)', () => {
  let server: ApiHttpServer;
  let handler: StubHandler;
  const seen: ConnectInfo[] = [];

  beforeAll(async () => {
    handler = new StubHandler();
    server = await startApiHttpServer({ handler, resources: testResources, token: TOKEN, port: 0 });
    server.registerConnect('', 'pods', 'log', (_req, res, info) => {
      seen.push(info);
      if (info.request.name === 'missing') throw ApiError.notFound({ group: '', resource: 'pods' }, 'missing');
      res!.writeHead(200, { 'Content-Type': 'text/plain' });
      res!.write('line 1\n');
      setTimeout(() => res!.end('line 2\n'), 20);
    });
    server.registerConnect('', 'pods', 'exec', async (req, _res, info) => {
      seen.push(info);
      const { socket, protocol } = await acceptWebSocket(req, info.upgrade!);
      socket.send(Buffer.from([1, ...Buffer.from(`hello via ${protocol} ${info.request.query?.command}`)]));
      socket.close();
    });
  });
  afterAll(() => server.close());

  it('hands plain streaming requests to the registered handler with the parsed request', async () => {
    const res = await send(server.port, '/api/v1/namespaces/default/pods/web/log?follow=true&container=app');
    expect(res.status).toBe(200);
    expect(res.body).toBe('line 1\nline 2\n');
    expect(seen.at(-1)!.request).toMatchObject({ verb: 'get', resource: 'pods', namespace: 'default', name: 'web', subresource: 'log', query: { follow: 'true', container: 'app' } });
    const missing = await send(server.port, '/api/v1/namespaces/default/pods/missing/log');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    expect(handler.requests).toHaveLength(0);
  });

  it('falls through to the ApiHandler for unregistered subresources', async () => {
    await send(server.port, '/api/v1/namespaces/default/pods/web/status');
    expect(handler.requests.at(-1)).toMatchObject({ verb: 'get', subresource: 'status' });
  });

  it('routes WebSocket upgrades (v5.channel.k8s.io) to the handler after auth', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true`, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const message = await new Promise<Buffer>((resolve, reject) => {
      ws.on('message', (data) => resolve(data as Buffer));
      ws.on('error', reject);
    });
    expect(ws.protocol).toBe('v5.channel.k8s.io');
    expect(message[0]).toBe(1);
    expect(message.subarray(1).toString()).toBe('hello via v5.channel.k8s.io sh');
  });

  it('accepts the browser token subprotocol for WebSockets', async () => {
    const tokenProtocol = `base64url.bearer.authorization.k8s.io.${Buffer.from(TOKEN).toString('base64url')}`;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/namespaces/default/pods/web/exec?command=ls`, ['v5.channel.k8s.io', tokenProtocol], {
      origin: `http://127.0.0.1:${server.port}`,
    });
    const message = await new Promise<Buffer>((resolve, reject) => {
      ws.on('message', (data) => resolve(data as Buffer));
      ws.on('error', reject);
    });
    expect(message.subarray(1).toString()).toBe('hello via v5.channel.k8s.io ls');
    expect(ws.protocol).toBe('v5.channel.k8s.io');
  });

  const upgradeStatus = (path: string, headers: Record<string, string>): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'v5.channel.k8s.io', ...headers } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });

  it('refuses upgrades without the token, from foreign origins, or to unregistered paths', async () => {
    expect(await upgradeStatus('/api/v1/namespaces/default/pods/web/exec', {})).toBe(401);
    expect(await upgradeStatus('/api/v1/namespaces/default/pods/web/exec', { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.com' })).toBe(403);
    expect(await upgradeStatus('/api/v1/namespaces/default/pods/web/exec', { authorization: `Bearer ${TOKEN}`, host: 'evil.com' })).toBe(403);
    expect(await upgradeStatus('/api/v1/namespaces/default/pods/web/attach', { authorization: `Bearer ${TOKEN}` })).toBe(404);
    expect(await upgradeStatus('/api/v1/namespaces/default/pods/web/exec', { authorization: `Bearer ${TOKEN}` })).toBe(101);
  });
});

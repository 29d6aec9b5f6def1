// Watch over WebSocket (what browsers use: no HTTP/1.1 connection held per watch), against the real HTTP
// layer, RestHandler and MemoryStore: events as JSON text messages, the bearer token as a sub-protocol,
// Host/Origin refusal, 410 Expired for a resourceVersion older than the watch window, and the renderer's
// ApiClient watching through it (with `ws` standing in for the browser's WebSocket).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ApiHttpServer, startApiHttpServer } from '../../main/apiserver/http/server';
import { configmaps } from '../../main/apiserver/registry/configmaps';
import { namespaces } from '../../main/apiserver/registry/namespaces';
import { RestHandler } from '../../main/apiserver/rest';
import { MemoryStore } from '../../main/store';
import { ApiClient } from '../../renderer/api/client';
import { bearerProtocol, type WebSocketConstructor } from '../../renderer/api/watch-socket';
import type { ApiError } from '../../shared/api/errors';
import type { WatchEvent } from '../../shared/api/meta';

const TOKEN = 'ws-watch-token-0123456789';
const resources = [configmaps, namespaces];
let server: ApiHttpServer;

beforeAll(async () => {
  // A small watch window, so an old resourceVersion is quickly out of it (410 Expired).
  const handler = new RestHandler({ store: new MemoryStore({ watchWindow: 20 }), resources });
  server = await startApiHttpServer({ handler, resources, token: TOKEN, port: 0, tls: false });
  await http('/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }) });
});
afterAll(async () => {
  await server?.close();
});

const wsUrl = (path: string) => `ws://127.0.0.1:${server.port}${path}`;
const cmPath = (name = '') => `/api/v1/namespaces/default/configmaps${name ? `/${name}` : ''}`;

async function http(path: string, init: RequestInit = {}): Promise<any> {
  const r = await fetch(`${server.url}${path}`, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...init.headers } });
  return r.json();
}
const createConfigMap = (name: string, data: Record<string, string> = {}) =>
  http(cmPath(), { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data }) });

interface Opened {
  socket: WebSocket;
  protocol: string;
  messages: string[];
  closed: Promise<number>;
  /** Resolves once `count` messages arrived (rejects after `ms`). */
  waitFor(count: number, ms?: number): Promise<string[]>;
}

/** Opens a WebSocket; resolves when open, rejects with the refused HTTP status and body. */
function open(path: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(path), options.protocols ?? [bearerProtocol(TOKEN), 'base64.binary.k8s.io'], { headers: options.headers });
    const messages: string[] = [];
    const waiters: Array<() => void> = [];
    socket.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      messages.push(data.toString());
      waiters.forEach((w) => w());
    });
    const closed = new Promise<number>((done) => socket.on('close', (code) => done(code)));
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body) })));
    });
    socket.on('error', (e) => reject(e));
    socket.on('open', () =>
      resolve({
        socket,
        protocol: socket.protocol,
        messages,
        closed,
        waitFor: (count, ms = 5000) =>
          new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`only ${messages.length} of ${count} messages after ${ms} ms: ${messages.join('')}`)), ms);
            const check = () => {
              if (messages.length >= count) {
                clearTimeout(timer);
                done(messages.slice(0, count));
              }
            };
            waiters.push(check);
            check();
          }),
      }),
    );
  });
}

describe('watch over WebSocket', () => {
  it('streams each event as one JSON text message, from the list resourceVersion, echoing the non-token protocol', async () => {
    const list = await http(cmPath());
    const watch = await open(`${cmPath()}?watch=1&resourceVersion=${list.metadata.resourceVersion}`);
    expect(watch.protocol).toBe('base64.binary.k8s.io');
    const created = await createConfigMap('ws-a', { k: '1' });
    await http(cmPath('ws-a'), { method: 'PUT', body: JSON.stringify({ ...created, data: { k: '2' } }) });
    await http(cmPath('ws-a'), { method: 'DELETE' });
    const frames = await watch.waitFor(3);
    for (const f of frames) expect(f.endsWith('\n')).toBe(true);
    const events = frames.map((f) => JSON.parse(f) as WatchEvent);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name} ${(e.object as any).data?.k}`)).toEqual(['ADDED ws-a 1', 'MODIFIED ws-a 2', 'DELETED ws-a 2']);
    expect(events[0].object.metadata.uid).toBe(created.metadata.uid);
    watch.socket.close();
    expect(await watch.closed).toBe(1005);
  });

  it('accepts the token in the Authorization header too (non-browser clients), with no sub-protocol', async () => {
    const watch = await open(`/api/v1/watch/namespaces/default/configmaps`, { protocols: [], headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(watch.protocol).toBe('');
    await createConfigMap('ws-b');
    const [frame] = await watch.waitFor(1);
    expect(JSON.parse(frame)).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'ws-b' } } });
    watch.socket.close();
  });

  it('ends the watch after timeoutSeconds with a normal close', async () => {
    const watch = await open(`${cmPath()}?watch=true&timeoutSeconds=1`);
    expect(await watch.closed).toBe(1000);
  });

  it('requires the token: none or a wrong one is 401 Unauthorized before any upgrade', async () => {
    for (const protocols of [['base64.binary.k8s.io'], [bearerProtocol('not-the-token'), 'base64.binary.k8s.io']]) {
      const refused = await open(`${cmPath()}?watch=1`, { protocols }).then(
        () => undefined,
        (e) => e,
      );
      expect(refused?.status).toBe(401);
      expect(refused.body).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    }
  });

  it('refuses a foreign Origin and a non-loopback Host with 403, even with the right token', async () => {
    const foreign = await open(`${cmPath()}?watch=1`, { headers: { Origin: 'http://evil.example' } }).catch((e) => e);
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toContain('origin "http://evil.example" are not allowed');
    const rebound = await open(`${cmPath()}?watch=1`, { headers: { Host: `attacker.test:${server.port}` } }).catch((e) => e);
    expect(rebound.status).toBe(403);
    // The server's own origin is fine (the dashboard it serves).
    const own = await open(`${cmPath()}?watch=1`, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
    own.socket.close();
  });

  it('sends an ERROR event with 410 Expired for a resourceVersion older than the watch window, then closes', async () => {
    const first = await createConfigMap('ws-old');
    for (let i = 0; i < 30; i++) await http(cmPath('ws-old'), { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { i: String(i) } }) });
    const watch = await open(`${cmPath()}?watch=1&resourceVersion=${first.metadata.resourceVersion}`);
    const [frame] = await watch.waitFor(1);
    expect(JSON.parse(frame)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect(await watch.closed).toBe(1000);
  });

  it('answers a watch the API refuses outright (unknown resource) with its Status instead of upgrading', async () => {
    const refused = await open(`/api/v1/namespaces/default/widgets?watch=1`).catch((e) => e);
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });
});

describe("the renderer's ApiClient", () => {
  const connection = () => ({ apiUrl: server.url, token: TOKEN });

  it('watches over WebSocket when it has one: events arrive with no HTTP watch request', async () => {
    const fetched: string[] = [];
    const client = new ApiClient(connection(), (url, init) => (fetched.push(url), fetch(url, init)), WebSocket as unknown as WebSocketConstructor);
    const list = await client.list(cmPath());
    const events: WatchEvent[] = [];
    const handle = client.watch(cmPath(), { resourceVersion: list.metadata.resourceVersion, onEvent: (e) => events.push(e), onClose: () => {} });
    await new Promise((r) => setTimeout(r, 200));
    await createConfigMap('ws-client');
    await expect.poll(() => events.map((e) => `${e.type} ${e.object.metadata.name}`)).toContain('ADDED ws-client');
    handle.stop();
    expect(fetched.filter((u) => u.includes('watch='))).toEqual([]);
  });

  it('reports 410 from the WebSocket as an ApiError so the reflector re-lists', async () => {
    const client = new ApiClient(connection(), undefined, WebSocket as unknown as WebSocketConstructor);
    const closed = new Promise<ApiError | undefined>((resolve) => client.watch(cmPath(), { resourceVersion: '1', onEvent: () => {}, onClose: resolve }));
    const error = await closed;
    expect(error?.code).toBe(410);
    expect(error?.reason).toBe('Expired');
  });

  it('falls back to the HTTP stream when the upgrade fails, and reports why a refused watch was refused', async () => {
    const fetched: string[] = [];
    const fetchImpl = (url: string, init?: RequestInit) => (fetched.push(url), fetch(url, init));
    // A WebSocket that can never connect (as behind a proxy that does not pass upgrades).
    class Unreachable extends WebSocket {
      constructor(_url: string, protocols?: string | string[]) {
        super(`ws://127.0.0.1:${server.port}/not-an-api-path`, protocols);
      }
    }
    const client = new ApiClient(connection(), fetchImpl, Unreachable as unknown as WebSocketConstructor);
    const events: WatchEvent[] = [];
    const handle = client.watch(cmPath(), { onEvent: (e) => events.push(e), onClose: () => {} });
    await expect.poll(() => fetched.filter((u) => u.includes('watch=1')).length).toBe(1);
    await createConfigMap('ws-fallback');
    await expect.poll(() => events.map((e) => e.object.metadata.name)).toContain('ws-fallback');
    handle.stop();
    // Once HTTP worked where the WebSocket did not, later watches go straight to HTTP.
    const again = client.watch(cmPath(), { onEvent: () => {}, onClose: () => {} });
    await expect.poll(() => fetched.filter((u) => u.includes('watch=1')).length).toBe(2);
    again.stop();

    const badToken = new ApiClient({ apiUrl: server.url, token: 'wrong' }, undefined, WebSocket as unknown as WebSocketConstructor);
    const refusal = await new Promise<ApiError | undefined>((resolve) => badToken.watch(cmPath(), { onEvent: () => {}, onClose: resolve }));
    expect(refusal?.code).toBe(401);
  });
});

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/api/errors';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { watchTimeoutMs } from '../../../../main/apiserver/http/watch-stream';
import { StubHandler, testResources, TOKEN } from './helpers';

interface OpenWatch {
  res: IncomingMessage;
  frames: unknown[];
  ended: Promise<void>;
  nextFrames(n: number): Promise<unknown[]>;
  abort(): void;
}

function openWatch(port: number, path: string, accept = 'application/json'): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${TOKEN}`, accept } }, (res) => {
      const frames: unknown[] = [];
      let buffer = '';
      let waiters: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          frames.push(JSON.parse(buffer.slice(0, nl)));
          buffer = buffer.slice(nl + 1);
        }
        waiters.forEach((w) => w());
      });
      const ended = new Promise<void>((r) => res.on('close', () => r()));
      resolve({
        res,
        frames,
        ended,
        abort: () => req.destroy(),
        nextFrames: (n) =>
          new Promise((done, fail) => {
            const check = () => {
              if (frames.length >= n) {
                waiters = waiters.filter((w) => w !== check);
                done(frames.slice(0, n));
              }
            };
            waiters.push(check);
            setTimeout(() => fail(new Error(`only ${frames.length} frames`)), 3000);
            check();
          }),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const pod = (name: string, rv: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: rv } });
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('watch streaming', () => {
  let server: ApiHttpServer;
  let handler: StubHandler;

  beforeAll(async () => {
    handler = new StubHandler();
    server = await startApiHttpServer({ handler, resources: testResources, token: TOKEN, port: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    handler.watches.length = 0;
    handler.initialEvents = [];
    handler.watchFailWith = undefined;
  });

  it('streams one JSON frame per event, flushed as it happens, with bookmarks passed through', async () => {
    handler.initialEvents = [{ type: 'ADDED', object: pod('a', '5') }];
    const w = await openWatch(server.port, '/api/v1/namespaces/default/pods?watch=true&resourceVersion=0&allowWatchBookmarks=true', 'application/json;stream=watch');
    expect(w.res.statusCode).toBe(200);
    expect(w.res.headers['content-type']).toBe('application/json');
    expect(w.res.headers['transfer-encoding']).toBe('chunked');
    expect(await w.nextFrames(1)).toEqual([{ type: 'ADDED', object: pod('a', '5') }]);
    const active = handler.watches[0];
    expect(active.request).toMatchObject({ verb: 'watch', resource: 'pods', namespace: 'default', query: { resourceVersion: '0', allowWatchBookmarks: 'true' } });
    expect(active.request.query).not.toHaveProperty('watch');
    active.onEvent({ type: 'MODIFIED', object: pod('a', '6') });
    expect((await w.nextFrames(2))[1]).toEqual({ type: 'MODIFIED', object: pod('a', '6') });
    active.onEvent({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '9' } } });
    expect((await w.nextFrames(3))[2]).toMatchObject({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } });
    w.abort();
  });

  it('stops the watch when the client disconnects', async () => {
    const w = await openWatch(server.port, '/api/v1/watch/namespaces/default/pods');
    await until(() => handler.watches.length === 1);
    expect(handler.watches[0].stopped).toBe(false);
    w.abort();
    await until(() => handler.watches[0].stopped);
  });

  it('ends with an ERROR event carrying a Status when the watch fails mid-stream', async () => {
    const w = await openWatch(server.port, '/api/v1/namespaces/default/pods?watch=1&resourceVersion=3');
    await until(() => handler.watches.length === 1);
    handler.watches[0].onClose(ApiError.expired('too old resource version: 3 (40)'));
    await w.ended;
    expect(w.frames).toEqual([{ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 3 (40)', reason: 'Expired', code: 410 } }]);
  });

  it('ends cleanly when the handler closes without error', async () => {
    const w = await openWatch(server.port, '/api/v1/namespaces/default/pods?watch=true');
    await until(() => handler.watches.length === 1);
    handler.watches[0].onClose();
    await w.ended;
    expect(w.frames).toEqual([]);
  });

  it('answers a plain error when the watch cannot start', async () => {
    handler.watchFailWith = ApiError.badRequest('unable to parse requirement: found \'=\'');
    const w = await openWatch(server.port, '/api/v1/namespaces/default/pods?watch=true&labelSelector=%3D');
    expect(w.res.statusCode).toBe(400);
    await w.ended;
  });

  it('narrows a watch on one name with a metadata.name field selector', async () => {
    const w = await openWatch(server.port, '/api/v1/watch/namespaces/default/pods/web-1?fieldSelector=status.phase%3DRunning');
    await until(() => handler.watches.length === 1);
    expect(handler.watches[0].request).toMatchObject({ verb: 'watch', name: 'web-1', query: { fieldSelector: 'status.phase=Running,metadata.name=web-1' } });
    w.abort();
  });

  it('closes the stream after timeoutSeconds and stops the watch', async () => {
    const started = Date.now();
    const w = await openWatch(server.port, '/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1');
    await w.ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await until(() => handler.watches[0]?.stopped === true);
  });

  it('defaults the timeout to 30-60 minutes like --min-request-timeout', () => {
    expect(watchTimeoutMs(undefined, () => 0)).toBe(1_800_000);
    expect(watchTimeoutMs(undefined, () => 0.5)).toBe(2_700_000);
    expect(watchTimeoutMs('5')).toBe(5000);
    expect(watchTimeoutMs('nonsense', () => 0)).toBe(1_800_000);
  });

  it('stops every open watch when the server closes', async () => {
    const other = await startApiHttpServer({ handler, resources: testResources, token: TOKEN, port: 0 });
    const w = await openWatch(other.port, '/api/v1/namespaces/default/pods?watch=true');
    await until(() => handler.watches.length === 1);
    await other.close();
    await w.ended;
    await until(() => handler.watches[0].stopped);
  });
});

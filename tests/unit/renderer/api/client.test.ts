import { describe, expect, it } from 'vitest';
import { ApiError, isNotFound } from '../../../../shared/api/errors';
import type { WatchEvent } from '../../../../shared/api/meta';
import { ApiClient, type FetchLike } from '../../../../renderer/api/client';
import { resourcePath, withQuery } from '../../../../renderer/api/paths';

const connection = { apiUrl: 'http://127.0.0.1:6443', token: 'tok' };

function recordingFetch(respond: (url: string, init?: RequestInit) => Response) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return respond(url, init);
  };
  return { calls, fetchImpl };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function streamOf(chunks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
  return new Response(body, { status: 200 });
}

describe('resourcePath', () => {
  it('lays out core, grouped, namespaced and subresource paths as Kubernetes does', () => {
    expect(resourcePath({ group: '', version: 'v1', resource: 'namespaces' })).toBe('/api/v1/namespaces');
    expect(resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name: 'web', subresource: 'scale' })).toBe(
      '/apis/apps/v1/namespaces/default/deployments/web/scale',
    );
    expect(withQuery('/api/v1/pods', { labelSelector: 'app=web', limit: 5, continue: undefined })).toBe('/api/v1/pods?labelSelector=app%3Dweb&limit=5');
  });
});

describe('ApiClient', () => {
  it('sends the bearer token and returns the parsed list', async () => {
    const { calls, fetchImpl } = recordingFetch(() => json({ kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'default' } }] }));
    const list = await new ApiClient(connection, fetchImpl).list('/api/v1/namespaces', { labelSelector: 'a=b' });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['default']);
    expect(calls[0].url).toBe('http://127.0.0.1:6443/api/v1/namespaces?labelSelector=a%3Db');
    expect((calls[0].init?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('turns a Status body into the matching ApiError', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'namespaces "x" not found' };
    const { fetchImpl } = recordingFetch(() => json(status, 404));
    const error = await new ApiClient(connection, fetchImpl).get('/api/v1/namespaces/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(isNotFound(error)).toBe(true);
    expect((error as ApiError).message).toBe('namespaces "x" not found');
  });

  it('maps a non-Status failure to its HTTP code', async () => {
    const { fetchImpl } = recordingFetch(() => new Response('Unauthorized', { status: 401, statusText: 'Unauthorized' }));
    const error = (await new ApiClient(connection, fetchImpl).get('/version').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(401);
  });

  it('reports an unreachable API as ServiceUnavailable naming the URL', async () => {
    const fetchImpl: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const error = (await new ApiClient(connection, fetchImpl).get('/version').catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe(503);
    expect(error.message).toContain('http://127.0.0.1:6443');
  });

  it('streams watch events split across chunks, then closes cleanly', async () => {
    const a = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '8' } } });
    const b = JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'a', resourceVersion: '9' } } });
    const { calls, fetchImpl } = recordingFetch(() => streamOf([a.slice(0, 10), `${a.slice(10)}\n${b}`, '\n']));
    const events: WatchEvent[] = [];
    const closed = await new Promise<ApiError | undefined>((resolve) => {
      new ApiClient(connection, fetchImpl).watch('/api/v1/namespaces', { resourceVersion: '7', onEvent: (e) => events.push(e), onClose: resolve });
    });
    expect(closed).toBeUndefined();
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'DELETED a']);
    expect(calls[0].url).toBe('http://127.0.0.1:6443/api/v1/namespaces?watch=1&allowWatchBookmarks=true&resourceVersion=7');
  });

  it('closes a watch with the ApiError of an ERROR event (410 Expired)', async () => {
    const expired = { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 1 (5)' } };
    const { fetchImpl } = recordingFetch(() => streamOf([`${JSON.stringify(expired)}\n`]));
    const events: WatchEvent[] = [];
    const closed = await new Promise<ApiError | undefined>((resolve) => {
      new ApiClient(connection, fetchImpl).watch('/api/v1/namespaces', { resourceVersion: '1', onEvent: (e) => events.push(e), onClose: resolve });
    });
    expect(events).toEqual([]);
    expect(closed?.code).toBe(410);
    expect(closed?.reason).toBe('Expired');
  });

  it('does not call onClose after stop()', async () => {
    let closes = 0;
    const fetchImpl: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
    const handle = new ApiClient(connection, fetchImpl).watch('/api/v1/pods', { onEvent: () => undefined, onClose: () => void closes++ });
    handle.stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(closes).toBe(0);
  });
});

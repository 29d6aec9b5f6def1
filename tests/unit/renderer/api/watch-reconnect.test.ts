// The dashboard's watches over WebSocket after a network drop (Chromium closes sockets and cancels
// requests on net::ERR_NETWORK_CHANGED): the real ApiClient and Reflector, a scripted WebSocket and fetch.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../shared/api/meta';
import { ApiClient, type FetchLike } from '../../../../renderer/api/client';
import type { WebSocketLike } from '../../../../renderer/api/watch-socket';
import { Reflector } from '../../../../renderer/stores/reflector';

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeSocket.all.push(this);
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  send(event: unknown): void {
    this.onmessage?.({ data: `${JSON.stringify(event)}\n` });
  }

  /** What the browser reports when the connection breaks (or never comes up): 1006, no reason. */
  drop(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006, reason: '' });
  }

  close(): void {
    this.readyState = 3;
  }
}

const pod = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: rv } });
const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
const tick = () => new Promise((r) => setTimeout(r, 0));

function harness(answer: (url: string) => Response) {
  FakeSocket.all = [];
  const requests: string[] = [];
  const fetchImpl: FetchLike = async (url) => {
    requests.push(url);
    return answer(url);
  };
  const client = new ApiClient({ apiUrl: 'http://127.0.0.1:6443', token: 'tok' }, fetchImpl, FakeSocket);
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const names: string[][] = [];
  const reflector = new Reflector(client, {
    path: '/api/v1/pods',
    schedule: (flush) => flush(),
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
    onChange: (objects) => names.push([...objects.values()].map((o) => o.metadata.name ?? '').sort()),
  });
  return { client, reflector, requests, timers, names, sockets: FakeSocket.all };
}

const failed = (): Response => {
  throw new TypeError('Failed to fetch');
};
const list = (rv: string, ...items: KubeObject[]) => json({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items });
/** An HTTP watch stream that stays open until the test ends it (an ended one is watched again at once). */
const controlledStream = (ends: Array<() => void>) => new Response(new ReadableStream<Uint8Array>({ start: (c) => void ends.push(() => c.close()) }), { status: 200 });
const rvOf = (url: string) => new URL(url).searchParams.get('resourceVersion');

describe('watch over WebSocket after a network drop', () => {
  it('resumes from the last resourceVersion when an open socket breaks', async () => {
    const h = harness(() => list('10', pod('a', '9')));
    h.reflector.start();
    await tick();
    expect(h.sockets).toHaveLength(1);
    expect(rvOf(h.sockets[0].url)).toBe('10');
    h.sockets[0].open();
    h.sockets[0].send({ type: 'ADDED', object: pod('b', '11') });
    h.sockets[0].drop();
    expect(h.sockets).toHaveLength(2);
    expect(h.sockets[1].url.startsWith('ws://127.0.0.1:6443/api/v1/pods?watch=1')).toBe(true);
    expect(rvOf(h.sockets[1].url)).toBe('11');
    expect(h.requests).toHaveLength(1); // no re-list: nothing was missed
    h.sockets[1].open();
    h.sockets[1].send({ type: 'ADDED', object: pod('c', '12') });
    expect(h.names.at(-1)).toEqual(['a', 'b', 'c']);
    h.reflector.stop();
  });

  it('while the network is still down, falls back, backs off, re-lists, and comes back on WebSocket', async () => {
    let down = false;
    const h = harness(() => (down ? failed() : list('20', pod('a', '9'))));
    h.reflector.start();
    await tick();
    h.sockets[0].open();
    down = true;
    h.sockets[0].drop();
    // The re-watch cannot open either; its HTTP fallback cannot be fetched: an error, so a backoff.
    h.sockets[1].drop();
    await tick();
    expect(h.requests.at(-1)).toContain('watch=1');
    expect(h.timers.map((t) => t.ms)).toEqual([500]);
    down = false;
    h.timers.shift()!.fn();
    await tick();
    expect(h.reflector.lists).toBe(2);
    expect(h.sockets).toHaveLength(3);
    expect(rvOf(h.sockets[2].url)).toBe('20');
    h.reflector.stop();
  });

  it('keeps using WebSockets after one failed to open on a server that accepted them before', async () => {
    const ends: Array<() => void> = [];
    const h = harness((url) => (url.includes('watch=1') ? controlledStream(ends) : list('30', pod('a', '9'))));
    h.reflector.start();
    await tick();
    h.sockets[0].open();
    h.sockets[0].drop();
    // The re-watch's socket fails to open (the blip); its HTTP stream works, then the server ends it.
    h.sockets[1].drop();
    await tick();
    expect(ends).toHaveLength(1);
    ends[0]();
    await tick();
    await tick();
    // The next watch goes over WebSocket again, not over a connection-holding HTTP stream.
    expect(ends).toHaveLength(1);
    expect(h.sockets).toHaveLength(3);
    h.reflector.stop();
  });

  it('still settles on HTTP streams for a server that never accepts the upgrade', async () => {
    const ends: Array<() => void> = [];
    const h = harness((url) => (url.includes('watch=1') ? controlledStream(ends) : list('40')));
    h.reflector.start();
    await tick();
    h.sockets[0].drop();
    await tick();
    expect(ends).toHaveLength(1);
    ends[0]();
    await tick();
    await tick();
    // The server timed the stream out, so the reflector watched again: straight over HTTP this time.
    expect(ends).toHaveLength(2);
    expect(h.sockets).toHaveLength(1);
    h.reflector.stop();
  });
});

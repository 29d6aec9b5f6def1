import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/api/errors';
import type { KubeList, KubeObject, WatchEvent } from '../../../../shared/api/meta';
import type { ListOptions, WatchOptions } from '../../../../renderer/api/client';
import { Reflector, compareResourceVersions, type ListWatchClient } from '../../../../renderer/stores/reflector';

const pod = (name: string, uid: string, rv: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid, resourceVersion: rv },
  ...extra,
});

/** A list/watch client whose lists are scripted and whose watches the test drives by hand. */
class FakeClient implements ListWatchClient {
  lists: KubeList[] = [];
  listCalls: Array<{ path: string; options?: ListOptions }> = [];
  watches: Array<{ path: string; options: WatchOptions; stopped: boolean }> = [];
  listError: ApiError | undefined;

  async list<T extends KubeObject>(path: string, options?: ListOptions): Promise<KubeList<T>> {
    this.listCalls.push({ path, options });
    if (this.listError) throw this.listError;
    const next = this.lists.shift();
    if (!next) throw new Error('no scripted list');
    return next as KubeList<T>;
  }

  watch(path: string, options: WatchOptions) {
    const w = { path, options, stopped: false };
    this.watches.push(w);
    return { stop: () => (w.stopped = true) };
  }

  get current() {
    return this.watches[this.watches.length - 1];
  }

  send(type: WatchEvent['type'], object: KubeObject): void {
    this.current.options.onEvent({ type, object });
  }
}

function harness(client: FakeClient) {
  const frames: Array<() => void> = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const changes: string[][] = [];
  const reflector = new Reflector(client, {
    path: '/api/v1/pods',
    schedule: (flush) => frames.push(flush),
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
    onChange: (objects) => changes.push([...objects.values()].map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)),
  });
  const runFrames = () => frames.splice(0).forEach((f) => f());
  return { reflector, frames, timers, changes, runFrames };
}

const list = (rv: string, items: KubeObject[]): KubeList => ({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items });
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('compareResourceVersions', () => {
  it('orders integer versions numerically and refuses opaque ones', () => {
    expect(compareResourceVersions('9', '10')).toBe(-1);
    expect(compareResourceVersions('10', '10')).toBe(0);
    expect(compareResourceVersions('100000000000000000001', '100000000000000000000')).toBe(1);
    expect(compareResourceVersions('abc', '10')).toBeUndefined();
  });
});

describe('Reflector', () => {
  it('lists, then watches from the list resourceVersion', async () => {
    const client = new FakeClient();
    client.lists.push(list('42', [pod('a', 'u-a', '40')]));
    const h = harness(client);
    h.reflector.start();
    await settle();
    expect(h.changes).toEqual([['a@40']]);
    expect(client.watches).toHaveLength(1);
    expect(client.current.options.resourceVersion).toBe('42');
  });

  it('batches events into one change per frame', async () => {
    const client = new FakeClient();
    client.lists.push(list('1', []));
    const h = harness(client);
    h.reflector.start();
    await settle();
    for (let i = 0; i < 100; i++) client.send('ADDED', pod(`p${i}`, `u${i}`, String(10 + i)));
    client.send('MODIFIED', pod('p0', 'u0', '200'));
    expect(h.changes).toHaveLength(1); // only the list so far
    expect(h.frames).toHaveLength(1); // one frame scheduled for 101 events
    h.runFrames();
    expect(h.changes).toHaveLength(2);
    expect(h.changes[1]).toHaveLength(100);
    expect(h.changes[1]).toContain('p0@200');
  });

  it('ignores an event older than the object it holds, by uid', async () => {
    const client = new FakeClient();
    client.lists.push(list('50', [pod('a', 'u-a', '50')]));
    const h = harness(client);
    h.reflector.start();
    await settle();
    client.send('MODIFIED', pod('a', 'u-a', '49', { stale: true }));
    client.send('DELETED', pod('a', 'u-a', '48'));
    h.runFrames();
    expect(h.changes).toHaveLength(1); // nothing changed, so no re-render
    expect(h.reflector.objects.get('u-a')?.metadata.resourceVersion).toBe('50');
    // A new object with the same name but another uid is another pod.
    client.send('ADDED', pod('a', 'u-a2', '51'));
    client.send('DELETED', pod('a', 'u-a', '52'));
    h.runFrames();
    expect([...h.reflector.objects.keys()]).toEqual(['u-a2']);
  });

  it('re-lists after 410 Expired with backoff and replaces the held objects exactly', async () => {
    const client = new FakeClient();
    client.lists.push(list('10', [pod('a', 'u-a', '5'), pod('b', 'u-b', '6')]));
    const h = harness(client);
    h.reflector.start();
    await settle();
    client.send('MODIFIED', pod('b', 'u-b', '11'));
    const firstWatch = client.current;
    firstWatch.options.onClose(ApiError.expired('too old resource version: 10 (20)'));
    expect(h.timers).toHaveLength(1);
    expect(h.timers[0].ms).toBe(500);
    client.lists.push(list('30', [pod('b', 'u-b', '25'), pod('c', 'u-c', '29')]));
    h.timers[0].fn();
    await settle();
    // The queued event of the old watch is gone; a belated flush does not resurrect it.
    h.runFrames();
    expect(h.changes[h.changes.length - 1]).toEqual(['b@25', 'c@29']);
    expect(client.listCalls).toHaveLength(2);
    expect(client.current).not.toBe(firstWatch);
    expect(client.current.options.resourceVersion).toBe('30');
  });

  it('doubles the backoff while the list keeps failing, and resets it after a success', async () => {
    const client = new FakeClient();
    client.listError = new ApiError(503, 'ServiceUnavailable', 'down');
    const errors: Array<string | undefined> = [];
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const reflector = new Reflector(client, {
      path: '/api/v1/pods',
      schedule: (f) => f(),
      setTimer: (fn, ms) => timers.push({ fn, ms }),
      onChange: () => undefined,
      onError: (e) => errors.push(e?.message),
    });
    reflector.start();
    await settle();
    timers.shift()!.fn();
    await settle();
    timers.shift()!.fn();
    await settle();
    expect(timers.map((t) => t.ms)).toEqual([2000]);
    expect(errors).toEqual(['down', 'down', 'down']);
    client.listError = undefined;
    client.lists.push(list('1', []));
    timers.shift()!.fn();
    await settle();
    expect(errors[errors.length - 1]).toBeUndefined();
    client.current.options.onClose(ApiError.expired('gone'));
    expect(timers[0].ms).toBe(500);
  });

  it('resumes a cleanly closed watch from the last resourceVersion seen, bookmarks included', async () => {
    const client = new FakeClient();
    client.lists.push(list('10', []));
    const h = harness(client);
    h.reflector.start();
    await settle();
    client.send('ADDED', pod('a', 'u-a', '12'));
    client.send('BOOKMARK', { metadata: { resourceVersion: '15' } });
    client.current.options.onClose();
    expect(client.listCalls).toHaveLength(1);
    expect(client.watches).toHaveLength(2);
    expect(client.current.options.resourceVersion).toBe('15');
    expect([...h.reflector.objects.keys()]).toEqual(['u-a']);
  });

  it('stops its watch and ignores late events after stop()', async () => {
    const client = new FakeClient();
    client.lists.push(list('10', []));
    const h = harness(client);
    h.reflector.start();
    await settle();
    const w = client.current;
    h.reflector.stop();
    expect(w.stopped).toBe(true);
    w.options.onEvent({ type: 'ADDED', object: pod('late', 'u-late', '11') });
    h.runFrames();
    expect(h.reflector.objects.size).toBe(0);
  });
});

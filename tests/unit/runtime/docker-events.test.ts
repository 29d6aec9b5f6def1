import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EventWatcher, sinceParam } from '../../../main/runtime/docker-events';
import type { RuntimeEvent } from '../../../main/runtime/runtime';

const until = async (cond: () => boolean, ms = 5_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const line = (action: string, id: string, timeNano: number, attrs: Record<string, string> = {}) =>
  JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: attrs }, time: Math.floor(timeNano / 1e9), timeNano }) + '\n';

describe('EventWatcher', () => {
  let watcher: EventWatcher | undefined;
  afterEach(() => watcher?.stop());

  it('formats since as seconds with a nanosecond fraction', () => {
    expect(sinceParam(1_700_000_000_000_000_123)).toMatch(/^1700000000\.\d{9}$/);
    expect(sinceParam(5_000_000_001)).toBe('5.000000001');
  });

  it('reconnects after the stream ends and after failed connects, with backoff, since and onResync; drops replayed events', async () => {
    const sinces: string[] = [];
    const opens: number[] = [];
    const streams: PassThrough[] = [];
    let refuse = 0;
    const events: RuntimeEvent[] = [];
    const errors: Error[] = [];
    let resyncs = 0;
    watcher = new EventWatcher(
      async (since) => {
        sinces.push(since);
        opens.push(Date.now());
        if (refuse > 0) {
          refuse--;
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        }
        const s = new PassThrough();
        streams.push(s);
        return s;
      },
      { onEvent: (e) => events.push(e), onResync: () => resyncs++, onError: (e) => errors.push(e) },
      { minBackoffMs: 20, maxBackoffMs: 80, healthyMs: 60_000 },
    );
    const startSince = Number(sinceParam(Date.now() * 1e6).split('.')[0]);
    watcher.start();
    await until(() => streams.length === 1);
    expect(Number(sinces[0].split('.')[0])).toBeGreaterThanOrEqual(startSince - 1);
    const t = 1_900_000_000_000_000_000;
    // A line split across chunks still makes one event.
    const first = line('start', 'c1', t, { 'bosun.pod.uid': 'u' });
    streams[0].write(first.slice(0, 15));
    streams[0].write(first.slice(15) + line('die', 'c1', t + 1000, { exitCode: '2' }));
    await until(() => events.length === 2);
    expect(resyncs).toBe(0);

    // The daemon goes away: the stream ends, two connects are refused, then it is back.
    refuse = 2;
    streams[0].end();
    await until(() => streams.length === 2);
    expect(sinces).toHaveLength(4);
    expect(errors.filter((e) => /ECONNREFUSED/.test(e.message))).toHaveLength(2);
    // Backoff grows between refused attempts (no busy loop).
    expect(opens[3] - opens[2]).toBeGreaterThanOrEqual(opens[2] - opens[1] - 5);
    expect(opens[2] - opens[1]).toBeGreaterThanOrEqual(15);
    // Resumed from the last event's time (a hair earlier), and re-list requested once per reconnect.
    expect(sinces[3].startsWith('1900000000.')).toBe(true);
    await until(() => resyncs === 1);
    // The engine replays the seam; duplicates are dropped, new events pass.
    streams[1].write(line('die', 'c1', t + 1000, { exitCode: '2' }) + line('destroy', 'c1', t + 2000));
    await until(() => events.length === 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(events.map((e) => `${e.type}:${e.id}`)).toEqual(['start:c1', 'die:c1', 'destroy:c1']);
    expect(events[1].exitCode).toBe(2);
    expect(events[0].labels).toEqual({ 'bosun.pod.uid': 'u' });
  });

  it('stops for good: no reconnect after stop()', async () => {
    let opens = 0;
    const s = new PassThrough();
    watcher = new EventWatcher(async () => (opens++, s), { onEvent: () => {} }, { minBackoffMs: 5 });
    watcher.start();
    await until(() => opens === 1);
    watcher.stop();
    expect(s.destroyed).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(opens).toBe(1);
  });

  it('survives a throwing handler', async () => {
    const s = new PassThrough();
    const seen: string[] = [];
    watcher = new EventWatcher(async () => s, {
      onEvent: (e) => {
        seen.push(e.id);
        if (e.id === 'a') throw new Error('handler bug');
      },
    });
    watcher.start();
    await until(() => s.listenerCount('data') > 0);
    s.write(line('start', 'a', 2e18) + line('start', 'b', 2e18 + 5000));
    await until(() => seen.length === 2);
    expect(seen).toEqual(['a', 'b']);
  });
});

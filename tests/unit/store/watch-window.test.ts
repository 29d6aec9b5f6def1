import { describe, expect, it } from 'vitest';
import type { StoreEvent } from '../../../main/store/store';
import { WatchWindow } from '../../../main/store/watch-window';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const event = (rv: number, key = `/k/${rv}`): StoreEvent => ({ type: 'ADDED', key, object: { metadata: { name: String(rv) } }, objectJson: JSON.stringify({ metadata: { name: String(rv) } }), resourceVersion: rv });

describe('WatchWindow', () => {
  it('keeps the newest events across many wraps of the ring and replays exactly those after a resourceVersion', () => {
    const window = new WatchWindow(4, 0, quiet);
    for (let rv = 1; rv <= 23; rv++) window.publish(event(rv));
    expect(window.oldestResourceVersion).toBe(19);
    const seen: number[] = [];
    window.watch('/k/', 19, 23, (e) => seen.push(e.resourceVersion));
    expect(seen).toEqual([20, 21, 22, 23]);
    const later: number[] = [];
    window.watch('/k/', 21, 23, (e) => later.push(e.resourceVersion));
    expect(later).toEqual([22, 23]);
    expect(() => window.watch('/k/', 18, 23, () => undefined)).toThrow(/too old resource version: 18 \(19\)/);
  });

  it('starts at the given resourceVersion, as a restarted store does', () => {
    const window = new WatchWindow(10, 42, quiet);
    expect(() => window.watch('/', 41, 42, () => undefined)).toThrow(/too old/);
    const seen: number[] = [];
    window.watch('/', 42, 42, (e) => seen.push(e.resourceVersion));
    window.publish(event(43));
    expect(seen).toEqual([43]);
  });

  it('does not deliver live events at or below a future starting resourceVersion', () => {
    const window = new WatchWindow(10, 0, quiet);
    const seen: number[] = [];
    window.watch('/', 3, 1, (e) => seen.push(e.resourceVersion));
    for (let rv = 2; rv <= 5; rv++) window.publish(event(rv));
    expect(seen).toEqual([4, 5]);
  });

  it('logs a handler that throws during replay and still delivers the rest, then live events', () => {
    const errors: string[] = [];
    const window = new WatchWindow(10, 0, { ...quiet, error: (m) => void errors.push(m) });
    for (let rv = 1; rv <= 3; rv++) window.publish(event(rv));
    const seen: number[] = [];
    const w = window.watch('/', 0, 3, (e) => {
      seen.push(e.resourceVersion);
      if (e.resourceVersion === 2) throw new Error('boom');
    });
    window.publish(event(4));
    w.stop();
    window.publish(event(5));
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(errors).toEqual(['store watch on "/": event handler threw on ADDED /k/2']);
    expect(window.watcherCount).toBe(0);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new WatchWindow(0, 0, quiet)).toThrow(RangeError);
  });
});

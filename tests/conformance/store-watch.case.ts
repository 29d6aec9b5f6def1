// Watch semantics of the Store conformance suite; called from describeStoreConformance in store.case.ts.
import { describe, expect, it } from 'vitest';
import type { Store, StoreEvent } from '../../main/store/store';
import { isStoreError } from '../../main/store/store';
import { pod, podKey, rvOf, silentLogger, type StoreFactoryOptions } from './store-helpers.case';

export function describeWatchConformance(open: (options?: StoreFactoryOptions) => Promise<Store>): void {
  describe('watch', () => {
    it('delivers ADDED, MODIFIED and DELETED with prevObject, the deletion carrying its own resourceVersion', async () => {
      const store = await open();
      const events: StoreEvent[] = [];
      store.watch('/core/pods/default/', undefined, (e) => events.push(e));
      const a1 = await store.create(podKey('default', 'a'), pod('default', 'a'));
      const a2 = await store.update(podKey('default', 'a'), pod('default', 'a', { status: { phase: 'Running' } }));
      const gone = await store.delete(podKey('default', 'a'));

      expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      expect(events.map((e) => e.resourceVersion)).toEqual([rvOf(a1), rvOf(a2), rvOf(gone)]);
      expect(events.every((e) => e.key === podKey('default', 'a'))).toBe(true);
      expect(events[0].object).toEqual(a1);
      expect(events[0].prevObject).toBeUndefined();
      expect(events[1].object).toEqual(a2);
      expect(events[1].prevObject).toEqual(a1);
      expect(events[2].object).toEqual(gone);
      expect(events[2].object.metadata.resourceVersion).toBe(String(events[2].resourceVersion));
      expect(events[2].object.status).toEqual({ phase: 'Running' });
      expect(events[2].prevObject).toEqual(a2);
      // When an event carries the JSON of its object, it is exactly that object's JSON.
      for (const e of events) if (e.objectJson !== undefined) expect(JSON.parse(e.objectJson)).toEqual(e.object);
      for (const e of events) if (e.objectJson !== undefined) expect(e.objectJson).toBe(JSON.stringify(e.object));
    });

    it('delivers only events under its prefix', async () => {
      const store = await open();
      const events: StoreEvent[] = [];
      store.watch('/core/pods/default/', undefined, (e) => events.push(e));
      await store.create(podKey('default2', 'x'), pod('default2', 'x'));
      await store.create('/core/nodes/n1', { metadata: { name: 'n1' } });
      await store.create(podKey('default', 'a'), pod('default', 'a'));
      expect(events.map((e) => e.key)).toEqual([podKey('default', 'a')]);
    });

    it('replays missed events synchronously when resumed, exactly once and in order', async () => {
      const store = await open();
      const before = await store.create(podKey('default', 'a'), pod('default', 'a'));
      await store.create(podKey('other', 'o'), pod('other', 'o'));
      const b = await store.create(podKey('default', 'b'), pod('default', 'b'));
      await store.update(podKey('default', 'a'), pod('default', 'a', { status: { phase: 'Running' } }));
      await store.delete(podKey('default', 'b'));

      const events: StoreEvent[] = [];
      store.watch('/core/pods/default/', rvOf(before), (e) => events.push(e));
      // Synchronous replay: already there before any await.
      expect(events.map((e) => `${e.type} ${e.key}`)).toEqual([
        `ADDED ${podKey('default', 'b')}`,
        `MODIFIED ${podKey('default', 'a')}`,
        `DELETED ${podKey('default', 'b')}`,
      ]);
      expect(events[0].resourceVersion).toBe(rvOf(b));
      await store.create(podKey('default', 'c'), pod('default', 'c'));
      expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED', 'ADDED']);
      const rvs = events.map((e) => e.resourceVersion);
      expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    });

    it('resumes a stopped watch with exactly the events it missed', async () => {
      const store = await open();
      const seen: StoreEvent[] = [];
      const w = store.watch('/core/pods/', undefined, (e) => seen.push(e));
      for (let i = 0; i < 5; i++) await store.create(podKey('default', `p${i}`), pod('default', `p${i}`));
      w.stop();
      const last = seen[seen.length - 1].resourceVersion;
      for (let i = 5; i < 10; i++) await store.create(podKey('default', `p${i}`), pod('default', `p${i}`));
      await store.delete(podKey('default', 'p0'));
      expect(seen).toHaveLength(5);

      const resumed: StoreEvent[] = [];
      store.watch('/core/pods/', last, (e) => resumed.push(e));
      expect(resumed.map((e) => `${e.type} ${e.key}`)).toEqual([
        ...Array.from({ length: 5 }, (_, i) => `ADDED ${podKey('default', `p${i + 5}`)}`),
        `DELETED ${podKey('default', 'p0')}`,
      ]);
    });

    it('watches from now when no resourceVersion is given, and from the current one without replay', async () => {
      const store = await open();
      await store.create(podKey('default', 'a'), pod('default', 'a'));
      const fromNow: StoreEvent[] = [];
      const fromCurrent: StoreEvent[] = [];
      store.watch('/core/pods/', undefined, (e) => fromNow.push(e));
      store.watch('/core/pods/', store.resourceVersion, (e) => fromCurrent.push(e));
      expect(fromNow).toEqual([]);
      expect(fromCurrent).toEqual([]);
      await store.create(podKey('default', 'b'), pod('default', 'b'));
      expect(fromNow.map((e) => e.key)).toEqual([podKey('default', 'b')]);
      expect(fromCurrent.map((e) => e.key)).toEqual([podKey('default', 'b')]);
    });

    it('throws Expired synchronously when events after the requested resourceVersion left the window', async () => {
      const store = await open({ watchWindow: 5 });
      const first = await store.create(podKey('default', 'p0'), pod('default', 'p0'));
      for (let i = 1; i < 10; i++) await store.create(podKey('default', `p${i}`), pod('default', `p${i}`));
      let thrown: unknown;
      try {
        store.watch('/core/pods/', rvOf(first), () => undefined);
      } catch (e) {
        thrown = e;
      }
      expect(isStoreError(thrown, 'Expired')).toBe(true);
      // Oldest still-complete starting point: the 5 newest events are held.
      const events: StoreEvent[] = [];
      store.watch('/core/pods/', store.resourceVersion - 5, (e) => events.push(e));
      expect(events.map((e) => e.key)).toEqual([5, 6, 7, 8, 9].map((i) => podKey('default', `p${i}`)));
      expect(() => store.watch('/core/pods/', store.resourceVersion - 6, () => undefined)).toThrow(/too old resource version/);
    });

    it('stops delivering after stop(), even when stopped from inside a handler', async () => {
      const store = await open();
      const events: StoreEvent[] = [];
      const w = store.watch('/core/pods/', undefined, (e) => events.push(e));
      await store.create(podKey('default', 'a'), pod('default', 'a'));
      w.stop();
      await store.create(podKey('default', 'b'), pod('default', 'b'));
      expect(events.map((e) => e.key)).toEqual([podKey('default', 'a')]);

      const once: StoreEvent[] = [];
      const self = store.watch('/core/pods/', store.resourceVersion, (e) => {
        once.push(e);
        self.stop();
      });
      await store.create(podKey('default', 'c'), pod('default', 'c'));
      await store.create(podKey('default', 'd'), pod('default', 'd'));
      expect(once.map((e) => e.key)).toEqual([podKey('default', 'c')]);
    });

    it('keeps delivering to other watchers and committing writes when a handler throws', async () => {
      const logger = silentLogger();
      const store = await open({ logger });
      const good: StoreEvent[] = [];
      store.watch('/core/pods/', undefined, () => {
        throw new Error('bad handler');
      });
      store.watch('/core/pods/', undefined, (e) => good.push(e));
      const created = await store.create(podKey('default', 'a'), pod('default', 'a'));
      expect(created.metadata.name).toBe('a');
      expect(good).toHaveLength(1);
      expect(logger.errors.some((m) => m.includes(podKey('default', 'a')))).toBe(true);
    });

    it('accepts writes issued from inside a handler, delivering them afterwards in commit order', async () => {
      const store = await open();
      const keys: string[] = [];
      const pending: Promise<unknown>[] = [];
      store.watch('/core/pods/', undefined, (e) => {
        keys.push(e.key);
        if (e.type === 'ADDED' && e.key === podKey('default', 'a')) {
          pending.push(store.create(podKey('default', 'from-handler'), pod('default', 'from-handler')));
        }
      });
      await store.create(podKey('default', 'a'), pod('default', 'a'));
      await Promise.all(pending);
      expect(keys).toEqual([podKey('default', 'a'), podKey('default', 'from-handler')]);
    });

    it('list then watch from its resourceVersion misses and repeats nothing under concurrent writes', async () => {
      const store = await open();
      const takeSnapshot = async () => {
        const list = await store.list('/core/pods/');
        const events: StoreEvent[] = [];
        store.watch('/core/pods/', list.resourceVersion, (e) => events.push(e));
        return { list, events };
      };
      let snapshot: ReturnType<typeof takeSnapshot> | undefined;
      const write = async (w: number) => {
        for (let i = 0; i < 30; i++) {
          // List + watch in the middle of the stream, while the other writers keep going.
          if (w === 0 && i === 10) snapshot = takeSnapshot();
          const key = podKey('default', `w${w}-${i % 7}`);
          const current = await store.get(key);
          if (!current) await store.create(key, pod('default', `w${w}-${i % 7}`, { status: { i } }));
          else if (i % 5 === 0) await store.delete(key);
          else await store.update(key, { ...current, status: { i } });
        }
      };
      await Promise.all([0, 1, 2, 3].map(write));
      const { list, events } = await snapshot!;
      // The list really was taken mid-stream.
      expect(list.resourceVersion).toBeGreaterThan(0);
      expect(list.resourceVersion).toBeLessThan(store.resourceVersion);
      expect(events.length).toBeGreaterThan(0);

      const rvs = events.map((e) => e.resourceVersion);
      expect(new Set(rvs).size).toBe(rvs.length);
      expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
      expect(rvs.every((rv) => rv > list.resourceVersion)).toBe(true);
      // Every write after the list is seen: the RVs are contiguous up to the last commit.
      expect(rvs).toEqual(Array.from({ length: store.resourceVersion - list.resourceVersion }, (_, i) => list.resourceVersion + 1 + i));

      // Replaying the events on the listed state reproduces the final state exactly.
      const state = new Map(list.items.map((o) => [podKey('default', o.metadata.name!), o]));
      for (const e of events) {
        if (e.type === 'DELETED') {
          expect(state.has(e.key)).toBe(true);
          state.delete(e.key);
        } else {
          expect(state.has(e.key)).toBe(e.type === 'MODIFIED');
          state.set(e.key, e.object);
        }
      }
      const final = await store.list('/core/pods/');
      expect([...state.keys()].sort()).toEqual(final.items.map((o) => podKey('default', o.metadata.name!)));
      for (const o of final.items) expect(state.get(podKey('default', o.metadata.name!))).toEqual(o);
    });
  });

}

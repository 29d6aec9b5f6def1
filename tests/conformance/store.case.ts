// The one conformance suite of the Store interface (DESIGN.md rule 4). Every implementation runs it.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta';
import type { StoreLogger } from '../../main/store/logger';
import { isStoreError, type Store, type StoreErrorCode, type StoreEvent } from '../../main/store/store';

export interface StoreFactoryOptions {
  watchWindow?: number;
  logger?: StoreLogger;
}

export type StoreFactory = (options?: StoreFactoryOptions) => Promise<Store>;

const podKey = (ns: string, name: string) => `/core/pods/${ns}/${name}`;

function pod(ns: string, name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': name } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    ...extra,
  };
}

async function expectStoreError(promise: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreError(err, code), `expected StoreError(${code}), got ${String(err)}`).toBe(true);
}

const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion);

const silentLogger = (): StoreLogger & { errors: string[] } => {
  const errors: string[] = [];
  return { info: () => undefined, warn: () => undefined, error: (m) => void errors.push(m), errors };
};

export function describeStoreConformance(name: string, makeStore: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    const opened: Store[] = [];
    const open = async (options?: StoreFactoryOptions) => {
      const store = await makeStore(options);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('CRUD', () => {
      it('creates, gets, updates and deletes, stamping a decimal resourceVersion', async () => {
        const store = await open();
        const created = await store.create(podKey('default', 'a'), pod('default', 'a'));
        expect(created.metadata.resourceVersion).toMatch(/^[1-9][0-9]*$/);
        expect(store.resourceVersion).toBe(rvOf(created));
        expect(created.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'a' });

        const got = await store.get(podKey('default', 'a'));
        expect(got).toEqual(created);

        const updated = await store.update(podKey('default', 'a'), { ...got!, status: { phase: 'Running' } });
        expect(rvOf(updated)).toBeGreaterThan(rvOf(created));
        expect((await store.get(podKey('default', 'a')))!.status).toEqual({ phase: 'Running' });

        const deleted = await store.delete(podKey('default', 'a'));
        expect(rvOf(deleted)).toBeGreaterThan(rvOf(updated));
        expect(deleted.status).toEqual({ phase: 'Running' });
        expect(store.resourceVersion).toBe(rvOf(deleted));
        expect(await store.get(podKey('default', 'a'))).toBeUndefined();
        expect((await store.list('/core/pods/')).items).toEqual([]);
      });

      it('fails create of an existing key with AlreadyExists, and update/delete of a missing key with NotFound', async () => {
        const store = await open();
        await store.create(podKey('default', 'a'), pod('default', 'a'));
        const rv = store.resourceVersion;
        await expectStoreError(store.create(podKey('default', 'a'), pod('default', 'a')), 'AlreadyExists');
        await expectStoreError(store.update(podKey('default', 'nope'), pod('default', 'nope')), 'NotFound');
        await expectStoreError(store.delete(podKey('default', 'nope')), 'NotFound');
        expect(store.resourceVersion).toBe(rv);
      });

      it('keeps one cluster-wide resourceVersion strictly increasing across kinds and verbs', async () => {
        const store = await open();
        const seen: number[] = [];
        seen.push(rvOf(await store.create('/core/namespaces/default', { metadata: { name: 'default' } })));
        seen.push(rvOf(await store.create(podKey('default', 'a'), pod('default', 'a'))));
        seen.push(rvOf(await store.create('/apps/deployments/default/web', { metadata: { name: 'web' } })));
        seen.push(rvOf(await store.update(podKey('default', 'a'), pod('default', 'a', { status: { phase: 'Pending' } }))));
        seen.push(rvOf(await store.delete('/apps/deployments/default/web')));
        for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
        expect(store.resourceVersion).toBe(seen[seen.length - 1]);
        const list = await store.list('/');
        expect(list.resourceVersion).toBe(store.resourceVersion);
      });
    });

    describe('copies', () => {
      it('never lets callers change stored state through returned or passed objects', async () => {
        const store = await open();
        const input = pod('default', 'a');
        const created = await store.create(podKey('default', 'a'), input);
        // The caller's object is not stamped or otherwise touched.
        expect(input.metadata.resourceVersion).toBeUndefined();
        (input.metadata.labels as Record<string, string>).evil = 'input';
        created.metadata.labels!.evil = 'created';
        const got = await store.get(podKey('default', 'a'));
        got!.metadata.labels!.evil = 'got';
        const listed = await store.list('/core/pods/');
        listed.items[0].metadata.labels!.evil = 'listed';
        (listed.items[0].spec as { containers: unknown[] }).containers.length = 0;

        const fresh = await store.get(podKey('default', 'a'));
        expect(fresh!.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'a' });
        expect((fresh!.spec as { containers: unknown[] }).containers).toHaveLength(1);

        const deleted = await store.delete(podKey('default', 'a'));
        deleted.metadata.name = 'changed';
        expect(deleted.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'a' });
      });

      it('hands watchers frozen event objects, so one watcher cannot corrupt what another sees', async () => {
        const store = await open();
        const first: StoreEvent[] = [];
        const second: StoreEvent[] = [];
        store.watch('/core/pods/', undefined, (e) => first.push(e));
        store.watch('/core/pods/', undefined, (e) => second.push(e));
        await store.create(podKey('default', 'a'), pod('default', 'a'));
        expect(() => {
          first[0].object.metadata.name = 'mutated';
        }).toThrow(TypeError);
        expect(() => {
          (first[0].object.metadata.labels as Record<string, string>).x = 'y';
        }).toThrow(TypeError);
        expect(second[0].object.metadata.name).toBe('a');
        expect((await store.get(podKey('default', 'a')))!.metadata.name).toBe('a');
      });
    });

    describe('compare-and-swap', () => {
      it('updates and deletes only at the expected resourceVersion', async () => {
        const store = await open();
        const created = await store.create(podKey('default', 'a'), pod('default', 'a'));
        const updated = await store.update(podKey('default', 'a'), pod('default', 'a', { status: { phase: 'Pending' } }), {
          expectedResourceVersion: created.metadata.resourceVersion,
        });
        const rv = store.resourceVersion;
        await expectStoreError(
          store.update(podKey('default', 'a'), pod('default', 'a'), { expectedResourceVersion: created.metadata.resourceVersion }),
          'Conflict',
        );
        await expectStoreError(store.delete(podKey('default', 'a'), { expectedResourceVersion: created.metadata.resourceVersion }), 'Conflict');
        expect(store.resourceVersion).toBe(rv);
        expect((await store.get(podKey('default', 'a')))!.status).toEqual({ phase: 'Pending' });
        await store.delete(podKey('default', 'a'), { expectedResourceVersion: updated.metadata.resourceVersion });
        expect(await store.get(podKey('default', 'a'))).toBeUndefined();
      });

      it('lets exactly one of 50 concurrent updates from the same resourceVersion win', async () => {
        const store = await open();
        const created = await store.create(podKey('default', 'a'), pod('default', 'a'));
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) =>
            store.update(podKey('default', 'a'), pod('default', 'a', { status: { writer: i } }), {
              expectedResourceVersion: created.metadata.resourceVersion,
            }),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.every((r) => isStoreError((r as PromiseRejectedResult).reason, 'Conflict'))).toBe(true);
        const winner = (won[0] as PromiseFulfilledResult<KubeObject>).value;
        expect(await store.get(podKey('default', 'a'))).toEqual(winner);
        expect(store.resourceVersion).toBe(rvOf(created) + 1);
      });

      it('serializes concurrent unconditional updates, all committed with distinct resourceVersions', async () => {
        const store = await open();
        await store.create(podKey('default', 'a'), pod('default', 'a'));
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.update(podKey('default', 'a'), pod('default', 'a', { status: { writer: i } }))),
        );
        const rvs = results.map(rvOf);
        expect(new Set(rvs).size).toBe(20);
        // Committed in arrival order.
        expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
        expect((await store.get(podKey('default', 'a')))!.status).toEqual({ writer: 19 });
      });
    });

    describe('list and count', () => {
      it('lists sorted by key, isolates prefixes and reports the resourceVersion of the instant', async () => {
        const store = await open();
        for (const [ns, name] of [
          ['default2', 'x'],
          ['default', 'b'],
          ['default', 'a'],
          ['kube-system', 'dns'],
          ['default', 'c'],
        ]) {
          await store.create(podKey(ns, name), pod(ns, name));
        }
        await store.create('/core/pods-extra/default/z', pod('default', 'z'));
        await store.create('/core/nodes/n1', { metadata: { name: 'n1' } });

        const inDefault = await store.list('/core/pods/default/');
        expect(inDefault.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
        expect(inDefault.resourceVersion).toBe(store.resourceVersion);
        expect((await store.list('/core/pods/default2/')).items.map((o) => o.metadata.name)).toEqual(['x']);
        expect((await store.list('/core/pods/')).items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
          'default/a',
          'default/b',
          'default/c',
          'default2/x',
          'kube-system/dns',
        ]);
        expect(await store.count('/core/pods/default/')).toBe(3);
        expect(await store.count('/core/pods/')).toBe(5);
        expect(await store.count('/core/')).toBe(7);
        expect(await store.count('/apps/')).toBe(0);
        expect((await store.list('/apps/')).items).toEqual([]);
      });
    });

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
        const writers: Promise<unknown>[] = [];
        const write = async (w: number) => {
          for (let i = 0; i < 30; i++) {
            const key = podKey('default', `w${w}-${i % 7}`);
            const current = await store.get(key);
            if (!current) await store.create(key, pod('default', `w${w}-${i % 7}`, { status: { i } }));
            else if (i % 5 === 0) await store.delete(key);
            else await store.update(key, { ...current, status: { i } });
          }
        };
        for (let w = 0; w < 4; w++) writers.push(write(w));
        // Let the writers get going, then list + watch in the middle of the stream.
        for (let i = 0; i < 20; i++) await store.get(podKey('default', 'w0-0'));
        const list = await store.list('/core/pods/');
        const events: StoreEvent[] = [];
        store.watch('/core/pods/', list.resourceVersion, (e) => events.push(e));
        await Promise.all(writers);
        // The list really was taken mid-stream.
        expect(list.resourceVersion).toBeGreaterThan(0);
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

    describe('close', () => {
      it('finishes accepted writes, then refuses further use with Closed', async () => {
        const store = await open();
        const accepted = store.create(podKey('default', 'a'), pod('default', 'a'));
        const events: StoreEvent[] = [];
        store.watch('/core/pods/', undefined, (e) => events.push(e));
        const closing = store.close();
        await expect(accepted).resolves.toMatchObject({ metadata: { name: 'a' } });
        await closing;
        expect(events).toHaveLength(1);
        await expectStoreError(store.create(podKey('default', 'b'), pod('default', 'b')), 'Closed');
        await expectStoreError(store.get(podKey('default', 'a')), 'Closed');
        expect(() => store.watch('/core/pods/', undefined, () => undefined)).toThrow(/closed/);
        await store.close();
      });
    });
  });
}

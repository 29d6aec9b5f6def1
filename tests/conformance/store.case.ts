// The one conformance suite of the Store interface (DESIGN.md rule 4). Every implementation runs it.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta';
import { isStoreError, type Store, type StoreEvent } from '../../main/store/store';
import { expectStoreError, pod, podKey, rvOf, type StoreFactory, type StoreFactoryOptions } from './store-helpers.case';
import { describeWatchConformance } from './store-watch.case';

export type { StoreFactory, StoreFactoryOptions } from './store-helpers.case';

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

      it('shares one frozen object with its exact JSON through getShared/listShared, the same state get/list copy', async () => {
        const store = await open();
        await store.create(podKey('default', 'a'), pod('default', 'a'));
        await store.create(podKey('default', 'b'), pod('default', 'b'));
        await store.update(podKey('default', 'a'), { ...pod('default', 'a'), status: { phase: 'Running' } });
        await store.create(podKey('other', 'c'), pod('other', 'c'));

        const shared = await store.getShared(podKey('default', 'a'));
        const copy = await store.get(podKey('default', 'a'));
        expect(shared!.object).toEqual(copy);
        expect(shared!.json).toBe(JSON.stringify(copy));
        expect(Object.isFrozen(shared!.object)).toBe(true);
        expect(() => {
          (shared!.object.metadata.labels as Record<string, string>).x = 'y';
        }).toThrow(TypeError);
        // Shared: the same object every time, until the next write replaces it.
        expect((await store.getShared(podKey('default', 'a')))!.object).toBe(shared!.object);
        expect(await store.getShared(podKey('default', 'missing'))).toBeUndefined();

        const listed = await store.listShared('/core/pods/default/');
        const copies = await store.list('/core/pods/default/');
        expect(listed.resourceVersion).toBe(copies.resourceVersion);
        expect(listed.items.map((i) => i.object)).toEqual(copies.items);
        expect(listed.items.map((i) => i.json)).toEqual(copies.items.map((i) => JSON.stringify(i)));

        await store.update(podKey('default', 'a'), { ...pod('default', 'a'), status: { phase: 'Succeeded' } });
        expect(shared!.object.status).toEqual({ phase: 'Running' });
        expect((await store.getShared(podKey('default', 'a')))!.object.status).toEqual({ phase: 'Succeeded' });
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

    describeWatchConformance(open);

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

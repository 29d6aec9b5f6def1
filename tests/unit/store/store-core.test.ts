// StoreCore over a controllable backend: what callers and watchers observe while a write is being
// persisted, and what happens when persisting fails.
import { describe, expect, it } from 'vitest';
import type { BackendWrite, StoreBackend } from '../../../main/store/store-core';
import { StoreCore } from '../../../main/store/store-core';
import type { StoreEvent } from '../../../main/store/store';

class GatedBackend implements StoreBackend {
  calls: string[] = [];
  /** The writes of each commit call, as batches. */
  batches: string[][] = [];
  fail?: Error;
  private release: (() => void)[] = [];
  gated = false;

  async commit(writes: readonly BackendWrite[]): Promise<void> {
    const batch = writes.map((w) =>
      w.type === 'put'
        ? `${w.created ? 'create' : 'update'} ${w.key} ${w.resourceVersion} ${JSON.parse(w.json).metadata.resourceVersion}`
        : `remove ${w.key} ${w.resourceVersion}`,
    );
    this.calls.push(...batch);
    this.batches.push(batch);
    await this.gate();
  }
  async close(): Promise<void> {
    this.calls.push('close');
  }
  open(): void {
    this.gated = false;
    for (const r of this.release.splice(0)) r();
  }
  private async gate(): Promise<void> {
    if (this.gated) await new Promise<void>((r) => this.release.push(r));
    if (this.fail) throw this.fail;
  }
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('StoreCore with a backend', () => {
  it('commits and publishes a write only after the backend acknowledged it', async () => {
    const backend = new GatedBackend();
    const store = new StoreCore({ backend, logger: quiet });
    const events: StoreEvent[] = [];
    store.watch('/', undefined, (e) => events.push(e));
    backend.gated = true;
    const pending = store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    await tick();
    expect(backend.calls).toEqual(['create /core/pods/default/a 1 1']);
    expect(await store.get('/core/pods/default/a')).toBeUndefined();
    expect(store.resourceVersion).toBe(0);
    expect(events).toEqual([]);
    backend.open();
    await pending;
    expect(store.resourceVersion).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('refuses further writes after a failed persist, committing nothing, while reads keep working', async () => {
    const backend = new GatedBackend();
    const store = new StoreCore({ backend, logger: quiet });
    await store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    const events: StoreEvent[] = [];
    store.watch('/', undefined, (e) => events.push(e));
    backend.fail = new Error('ENOSPC: no space left on device');
    await expect(store.update('/core/pods/default/a', { metadata: { name: 'a', labels: { x: 'y' } } })).rejects.toThrow(/ENOSPC/);
    expect(store.resourceVersion).toBe(1);
    expect(events).toEqual([]);
    expect((await store.get('/core/pods/default/a'))!.metadata.labels).toBeUndefined();
    backend.fail = undefined;
    await expect(store.create('/core/pods/default/b', { metadata: { name: 'b' } })).rejects.toThrow(/refuses further writes until restarted/);
    expect(await store.count('/core/pods/')).toBe(1);
  });

  it('persists deletes with their resourceVersion and closes the backend after pending writes', async () => {
    const backend = new GatedBackend();
    const store = new StoreCore({ backend, logger: quiet });
    await store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    backend.gated = true;
    const pending = store.delete('/core/pods/default/a');
    const closing = store.close();
    await tick();
    expect(backend.calls).not.toContain('close');
    backend.open();
    await pending;
    await closing;
    expect(backend.calls).toEqual(['create /core/pods/default/a 1 1', 'remove /core/pods/default/a 2', 'close']);
  });

  it('loads initial records with the watch window starting at the loaded resourceVersion', async () => {
    const store = new StoreCore({
      logger: quiet,
      initial: { resourceVersion: 7, records: [{ key: '/core/pods/default/a', resourceVersion: 5, json: '{"metadata":{"name":"a","resourceVersion":"5"}}' }] },
    });
    expect(store.resourceVersion).toBe(7);
    expect(store.oldestWatchableResourceVersion).toBe(7);
    expect((await store.get('/core/pods/default/a'))!.metadata.resourceVersion).toBe('5');
    const updated = await store.update('/core/pods/default/a', { metadata: { name: 'a' } }, { expectedResourceVersion: '5' });
    expect(updated.metadata.resourceVersion).toBe('8');
  });

  it('gathers the writes that arrive while a batch is being persisted into the next batch, in order', async () => {
    const backend = new GatedBackend();
    const store = new StoreCore({ backend, logger: quiet });
    await store.create('/core/pods/default/x', { metadata: { name: 'x' } });
    const events: string[] = [];
    store.watch('/', undefined, (e) => events.push(`${e.type} ${e.key} ${e.resourceVersion}`));
    backend.gated = true;
    const first = store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    await tick();
    // Queued behind the first batch: writes to three other keys.
    const queued = [
      store.create('/core/pods/default/b', { metadata: { name: 'b' } }),
      store.update('/core/pods/default/x', { metadata: { name: 'x', labels: { v: '2' } } }, { expectedResourceVersion: '1' }),
      store.create('/core/pods/default/c', { metadata: { name: 'c' } }),
    ];
    await tick();
    expect(backend.batches).toHaveLength(2);
    backend.open();
    const results = await Promise.all([first, ...queued]);
    expect(backend.batches.slice(1)).toEqual([
      ['create /core/pods/default/a 2 2'],
      ['create /core/pods/default/b 3 3', 'update /core/pods/default/x 4 4', 'create /core/pods/default/c 5 5'],
    ]);
    expect(results.map((o) => o.metadata.resourceVersion)).toEqual(['2', '3', '4', '5']);
    expect(events).toEqual(['ADDED /core/pods/default/a 2', 'ADDED /core/pods/default/b 3', 'MODIFIED /core/pods/default/x 4', 'ADDED /core/pods/default/c 5']);
    expect((await store.get('/core/pods/default/x'))!.metadata.labels).toEqual({ v: '2' });
  });

  it('checks a write to a key with a write in flight only once that one committed, so retries converge', async () => {
    const backend = new GatedBackend();
    const store = new StoreCore({ backend, logger: quiet });
    await store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    backend.gated = true;
    const update = store.update('/core/pods/default/a', { metadata: { name: 'a', labels: { x: '1' } } }, { expectedResourceVersion: '1' });
    await tick();
    // Issued while the update is in flight: a second writer holding version 1, a create of the same key, a
    // delete, an update after the delete and a re-create — each checked against the committed state it follows.
    const stale = store.update('/core/pods/default/a', { metadata: { name: 'a' } }, { expectedResourceVersion: '1' });
    const duplicate = store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    const deleted = store.delete('/core/pods/default/a', { expectedResourceVersion: '2' });
    const afterDelete = store.update('/core/pods/default/a', { metadata: { name: 'a' } });
    const recreated = store.create('/core/pods/default/a', { metadata: { name: 'a', labels: { again: 'yes' } } });
    await tick();
    // Nothing was checked yet: the key's first write is still being persisted.
    expect(backend.batches).toHaveLength(2);
    backend.open();
    await expect(stale).rejects.toMatchObject({ code: 'Conflict', message: expect.stringContaining('stored 2') });
    await expect(duplicate).rejects.toMatchObject({ code: 'AlreadyExists' });
    await expect(afterDelete).rejects.toMatchObject({ code: 'NotFound' });
    expect((await update).metadata.resourceVersion).toBe('2');
    expect((await deleted).metadata.resourceVersion).toBe('3');
    expect((await recreated).metadata.resourceVersion).toBe('4');
    expect(store.resourceVersion).toBe(4);
    expect((await store.get('/core/pods/default/a'))!.metadata.labels).toEqual({ again: 'yes' });
  });

  it('rejects every write of a batch that failed to persist, and the writes queued behind it', async () => {
    const backend = new GatedBackend();
    const store = new StoreCore({ backend, logger: quiet });
    backend.gated = true;
    const first = store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    await tick();
    const batch = [store.create('/core/pods/default/b', { metadata: { name: 'b' } }), store.create('/core/pods/default/c', { metadata: { name: 'c' } })];
    const settled = Promise.allSettled([first, ...batch]);
    backend.fail = new Error('EIO: i/o error, write');
    backend.open();
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(outcomes.map((o) => (o as PromiseRejectedResult).reason.message)).toEqual([
      'EIO: i/o error, write',
      // The second batch never reached the backend: the store already refused writes.
      expect.stringMatching(/refuses further writes until restarted/),
      expect.stringMatching(/refuses further writes until restarted/),
    ]);
    expect(backend.batches).toHaveLength(1);
    expect(store.resourceVersion).toBe(0);
    expect(await store.count('/core/pods/')).toBe(0);
  });

  it('never publishes inside the writer\'s call stack, even without a backend', async () => {
    const store = new StoreCore({ logger: quiet });
    const events: string[] = [];
    store.watch('/', undefined, (e) => events.push(e.key));
    const writes = [store.create('/core/pods/default/a', { metadata: { name: 'a' } }), store.create('/core/pods/default/b', { metadata: { name: 'b' } })];
    expect(events).toEqual([]);
    await Promise.all(writes);
    expect(events).toEqual(['/core/pods/default/a', '/core/pods/default/b']);
  });

  it('shares a view without managedFields, while the JSON (copies, answers, events) keeps them', async () => {
    const store = new StoreCore({ logger: quiet });
    const events: StoreEvent[] = [];
    store.watch('/', undefined, (e) => events.push(e));
    const managedFields = [{ manager: 'kubectl', operation: 'Update' as const, apiVersion: 'v1', fieldsType: 'FieldsV1' as const, fieldsV1: { 'f:data': {} } }];
    await store.create('/core/configmaps/default/a', { metadata: { name: 'a', managedFields }, data: { k: 'v' } });
    const shared = (await store.getShared('/core/configmaps/default/a'))!;
    expect(shared.object.metadata).toEqual({ name: 'a', resourceVersion: '1' });
    expect(shared.object.data).toEqual({ k: 'v' });
    expect(JSON.parse(shared.json).metadata.managedFields).toEqual(managedFields);
    expect((await store.get('/core/configmaps/default/a'))!.metadata.managedFields).toEqual(managedFields);
    expect(events[0].object.metadata.managedFields).toBeUndefined();
    expect(JSON.parse(events[0].objectJson).metadata.managedFields).toEqual(managedFields);
  });
});

// StoreCore over a controllable backend: what callers and watchers observe while a write is being
// persisted, and what happens when persisting fails.
import { describe, expect, it } from 'vitest';
import type { StoreBackend } from '../../../main/store/store-core';
import { StoreCore } from '../../../main/store/store-core';
import type { StoreEvent } from '../../../main/store/store';

class GatedBackend implements StoreBackend {
  calls: string[] = [];
  fail?: Error;
  private release: (() => void)[] = [];
  gated = false;

  async put(key: string, rv: number, json: string, created: boolean): Promise<void> {
    this.calls.push(`${created ? 'create' : 'update'} ${key} ${rv} ${JSON.parse(json).metadata.resourceVersion}`);
    await this.gate();
  }
  async remove(key: string, rv: number): Promise<void> {
    this.calls.push(`remove ${key} ${rv}`);
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
});

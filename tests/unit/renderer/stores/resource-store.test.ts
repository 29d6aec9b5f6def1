import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import type { KubeList, KubeObject } from '../../../../shared/api/meta';
import type { ApiClient, ListOptions, WatchOptions } from '../../../../renderer/api/client';
import { useConnectionStore } from '../../../../renderer/stores/connection-store';
import { LINGER_MS, storeId, useResourceCollection, type CollectionScope, type ResourceType } from '../../../../renderer/stores/resource-store';

const PODS: ResourceType = { group: '', version: 'v1', resource: 'pods', namespaced: true };

class CountingClient {
  lists: string[] = [];
  watches: Array<{ path: string; options: WatchOptions; stopped: boolean }> = [];
  async list(path: string, _options?: ListOptions): Promise<KubeList> {
    this.lists.push(path);
    return { metadata: { resourceVersion: '5' }, items: [{ metadata: { name: 'a', namespace: 'default', uid: 'u-a', resourceVersion: '4' } }] };
  }
  watch(path: string, options: WatchOptions) {
    const w = { path, options, stopped: false };
    this.watches.push(w);
    return { stop: () => (w.stopped = true) };
  }
  get running() {
    return this.watches.filter((w) => !w.stopped);
  }
}

const flush = async () => {
  await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
  await nextTick();
};

describe('resource stores', () => {
  let client: CountingClient;

  beforeEach(() => {
    setActivePinia(createPinia());
    client = new CountingClient();
    useConnectionStore().client = client as unknown as ApiClient;
  });
  afterEach(() => vi.useRealTimers());

  it('share one list+watch between components and stop it after the last one leaves', async () => {
    const first = effectScope();
    const second = effectScope();
    const a = first.run(() => useResourceCollection(PODS, () => ({})))!;
    const b = second.run(() => useResourceCollection(PODS, () => ({})))!;
    await flush();
    expect(client.lists).toEqual(['/api/v1/pods']);
    expect(client.running).toHaveLength(1);
    expect(a.items.value.map((o: KubeObject) => o.metadata.name)).toEqual(['a']);
    expect(b.store.value).toBe(a.store.value);

    vi.useFakeTimers();
    first.stop();
    vi.advanceTimersByTime(LINGER_MS * 2);
    expect(client.running).toHaveLength(1); // b still uses it
    second.stop();
    vi.advanceTimersByTime(LINGER_MS - 1);
    expect(client.running).toHaveLength(1); // lingers, so list → detail → list does not re-list
    vi.advanceTimersByTime(1);
    expect(client.running).toHaveLength(0);
  });

  it('follows a reactive scope: a new namespace acquires a new collection and releases the old one', async () => {
    const ns = ref('default');
    const scope = effectScope();
    scope.run(() => useResourceCollection(PODS, () => ({ namespace: ns.value }) as CollectionScope));
    await flush();
    expect(client.lists).toEqual(['/api/v1/namespaces/default/pods']);
    vi.useFakeTimers();
    ns.value = 'shop';
    await nextTick();
    vi.advanceTimersByTime(LINGER_MS);
    expect(client.lists).toEqual(['/api/v1/namespaces/default/pods', '/api/v1/namespaces/shop/pods']);
    expect(client.running.map((w) => w.path)).toEqual(['/api/v1/namespaces/shop/pods']);
    scope.stop();
  });

  it('keys stores by kind, namespace and field selector (cluster-scoped kinds ignore the namespace)', () => {
    expect(storeId(PODS, { namespace: 'a' })).not.toBe(storeId(PODS, {}));
    expect(storeId(PODS, { fieldSelector: 'spec.nodeName=n' })).not.toBe(storeId(PODS, {}));
    const nodes: ResourceType = { group: '', version: 'v1', resource: 'nodes', namespaced: false };
    expect(storeId(nodes, { namespace: 'a' })).toBe(storeId(nodes, {}));
  });
});

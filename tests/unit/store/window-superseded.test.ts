// The watch window keeps superseded states as JSON only: live watchers share one frozen object per
// event, and a watch replaying the window later still sees exactly the states that were committed.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/api/meta';
import { MemoryStore } from '../../../main/store/memory-store';
import type { StoreEvent } from '../../../main/store/store';

const pod = (phase: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default' }, status: { phase } });

describe('watch window after supersession', () => {
  it('live watchers share the frozen objects; a later replay gets equal states, old and new, and the deletion', async () => {
    const store = new MemoryStore();
    const key = '/core/pods/default/a';
    const live1: StoreEvent[] = [];
    const live2: StoreEvent[] = [];
    const w1 = store.watch('/core/pods/', 0, (e) => live1.push(e));
    const w2 = store.watch('/core/pods/', 0, (e) => live2.push(e));
    const a1 = await store.create(key, pod('Pending'));
    const seen = { object: live1[0].object };
    const a2 = await store.update(key, pod('Running'));
    const gone = await store.delete(key);
    expect(live1[0].object).toBe(live2[0].object);
    expect(live1[1].prevObject).toBe(live2[1].prevObject);
    expect(Object.isFrozen(live1[1].object.status)).toBe(true);
    // What a live watcher got stays with it after its state is superseded.
    expect(seen.object).toEqual(a1);

    const replay: StoreEvent[] = [];
    store.watch('/core/pods/', 0, (e) => replay.push(e)).stop();
    expect(replay.map((e) => [e.type, e.resourceVersion])).toEqual([
      ['ADDED', Number(a1.metadata.resourceVersion)],
      ['MODIFIED', Number(a2.metadata.resourceVersion)],
      ['DELETED', Number(gone.metadata.resourceVersion)],
    ]);
    expect(replay[0].object).toEqual(a1);
    expect(replay[1].object).toEqual(a2);
    expect(replay[1].prevObject).toEqual(a1);
    expect(replay[2].object).toEqual(gone);
    expect(replay[2].prevObject).toEqual(a2);
    expect(JSON.parse(replay[2].objectJson!)).toEqual(gone);
    expect(Object.isFrozen(replay[0].object.metadata)).toBe(true);
    w1.stop();
    w2.stop();
    await store.close();
  });
});

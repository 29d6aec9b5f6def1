// The scheduler's per-attempt shortcuts give exactly what the longer computation they replace gave:
// top-k node selection for the decision annotation, parsed-quantity reuse, and the structural
// comparison that decides whether an assumed pod's parsed info still holds once it is seen bound.
import { describe, expect, it } from 'vitest';
import { deepEqual, NodeInfo, SchedulerCache } from '../../../main/scheduler/cache';
import { buildPodInfo } from '../../../main/scheduler/pod-info';
import { podRequests } from '../../../main/scheduler/resources';
import { topByTotal } from '../../../main/scheduler/scheduler';
import { makeNode, makePod } from './harness';

/** What the scheduler computed before: a stable sort of every index by total, the chosen one first. */
function sortedListing(totals: number[], best: number, max: number): number[] {
  const order = totals.map((_, i) => i).sort((a, b) => totals[b] - totals[a]);
  return [best, ...order.filter((i) => i !== best)].slice(0, max);
}

describe('scheduler hot-path helpers', () => {
  it('topByTotal lists the same nodes in the same order as sorting every total (ties by index)', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 500; run++) {
      const n = 1 + Math.floor(random() * 40);
      // Few distinct values, so ties are everywhere (as with equally empty nodes).
      const totals = Array.from({ length: n }, () => Math.floor(random() * 5) * 100);
      const best = Math.floor(random() * n);
      for (const max of [1, 2, 12]) expect([best, ...topByTotal(totals, max - 1, best)]).toEqual(sortedListing(totals, best, max));
    }
    expect(topByTotal([5, 5, 5], 0, 0)).toEqual([]);
  });

  it('repeated and many distinct quantities parse to the same requests (the parse memo is bounded and cleared)', () => {
    const pod = makePod('a', { cpu: '250m', memory: '64Mi' });
    const first = podRequests(pod);
    expect(first).toMatchObject({ cpu: 250, memory: 64 * 1024 * 1024 });
    // More distinct strings than the memo keeps: it is cleared on the way, results stay exact.
    for (let i = 1; i <= 5000; i++) expect(podRequests(makePod('b', { cpu: `${i}m`, memory: `${i}Ki` }))).toMatchObject({ cpu: i, memory: i * 1024 });
    expect(podRequests(pod)).toEqual(first);
    // A malformed quantity counts as 0, also when read again from the memo.
    const bad = makePod('c', { cpu: 'lots' });
    expect(podRequests(bad).cpu).toBe(0);
    expect(podRequests(bad).cpu).toBe(0);
  });

  it('deepEqual: JSON equality ignoring key order and undefined keys, skipping only the named top-level key', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, u: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: { b: 1 } }, { a: { b: 1, c: 2 } })).toBe(false);
    expect(deepEqual({ a: [] }, { a: {} })).toBe(false);
    expect(deepEqual({ nodeName: 'n1', x: 1 }, { nodeName: 'n2', x: 1 }, 'nodeName')).toBe(true);
    expect(deepEqual({ s: { nodeName: 'n1' } }, { s: { nodeName: 'n2' } }, 'nodeName')).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });

  it('confirmable reuses the assumed info only while the bound pod is the assumed one plus its nodeName', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(makeNode('n1'));
    const pending = makePod('p', { cpu: '100m', labels: { app: 'a' } });
    pending.metadata.uid = 'uid-1';
    const info = buildPodInfo(pending);
    cache.assumePod(info, 'n1');
    const bound = structuredClone(pending);
    bound.spec!.nodeName = 'n1';
    bound.metadata.resourceVersion = '9';
    expect(cache.confirmable(info.key, bound)?.pod).toBe(bound);
    expect(cache.confirmable(info.key, bound)?.requests).toBe(info.requests);

    const resized = structuredClone(bound);
    resized.spec!.containers[0].resources = { requests: { cpu: '2' } };
    expect(cache.confirmable(info.key, resized)).toBeUndefined();
    const relabelled = structuredClone(bound);
    relabelled.metadata.labels = { app: 'b' };
    expect(cache.confirmable(info.key, relabelled)).toBeUndefined();
    const replaced = structuredClone(bound);
    replaced.metadata.uid = 'uid-2';
    expect(cache.confirmable(info.key, replaced)).toBeUndefined();
    // Once confirmed (no longer assumed), there is nothing to reuse.
    cache.addOrUpdateBoundPod(info, 'n1');
    expect(cache.confirmable(info.key, bound)).toBeUndefined();
    expect(cache.nodes.get('n1')).toBeInstanceOf(NodeInfo);
    expect(cache.nodes.get('n1')!.requested.cpu).toBe(100);
  });
});

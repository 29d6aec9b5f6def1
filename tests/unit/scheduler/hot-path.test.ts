// The scheduler's per-attempt shortcuts give exactly what the longer computation they replace gave:
// top-k node selection for the decision annotation, parsed-quantity reuse, and the structural
// comparison that decides whether an assumed pod's parsed info still holds once it is seen bound, and
// the per-zone index of each controller's pods (kept current through every cache change).
import { describe, expect, it } from 'vitest';
import { deepEqual, NodeInfo, SchedulerCache } from '../../../main/scheduler/cache';
import { buildPodInfo } from '../../../main/scheduler/pod-info';
import { podRequests } from '../../../main/scheduler/resources';
import { topByTotal } from '../../../main/scheduler/scheduler';
import { spreadPreScore, ZONE_LABEL } from '../../../main/scheduler/topology-spread';
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

  it('the controller/zone index always equals a walk over the nodes, through assume, bind, move, delete, relabel and node churn', () => {
    const cache = new SchedulerCache();
    let seed = 11;
    const random = (n: number): number => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
    const zoneLabels = (zone: number | undefined): Record<string, string> => (zone === undefined ? {} : { [ZONE_LABEL]: `z${zone}` });
    const walk = (uid: string): Map<string, number> => {
      const out = new Map<string, number>();
      for (const node of cache.nodes.values()) {
        const zone = node.labels[ZONE_LABEL];
        const n = node.byController.get(uid) ?? 0;
        if (zone !== undefined && n > 0) out.set(zone, (out.get(zone) ?? 0) + n);
      }
      return out;
    };
    const owners = ['rs-a', 'rs-b', 'rs-c'];
    const bound = new Map<string, string>();
    for (let step = 0; step < 3000; step++) {
      const op = random(8);
      const node = `n${random(6)}`;
      const key = `p${random(40)}`;
      if (op === 0) cache.upsertNode(makeNode(node, { labels: zoneLabels(random(4) === 0 ? undefined : random(3)) }));
      else if (op === 1) cache.removeNode(node);
      else if (op <= 4) {
        const pod = makePod(key, { owner: owners[random(3)] });
        const info = buildPodInfo(pod);
        if (op === 2) cache.assumePod(info, node);
        else cache.addOrUpdateBoundPod(info, bound.get(key) ?? node);
        bound.set(key, node);
      } else if (op === 5) {
        cache.removePod(`default/${key}`);
        bound.delete(key);
      } else if (op === 6) cache.forgetPod(`default/${key}`);
      else cache.addOrUpdateBoundPod(buildPodInfo(makePod(key, { owner: owners[random(3)] })), node); // moved or re-owned
      for (const uid of owners) expect(new Map(cache.zones.zonesOf(uid) ?? [])).toEqual(walk(uid));
    }
  });

  it('default spreading reads the same zone counts from the index as from the walk over all nodes', () => {
    const cache = new SchedulerCache();
    for (let i = 0; i < 9; i++) cache.upsertNode(makeNode(`n${i}`, { labels: i === 8 ? {} : { [ZONE_LABEL]: `z${i % 3}` } }));
    for (let i = 0; i < 40; i++) cache.addOrUpdateBoundPod(buildPodInfo(makePod(`p${i}`, { owner: i % 2 ? 'rs-a' : 'rs-b' })), `n${(i * 7) % 9}`);
    const incoming = buildPodInfo(makePod('new', { owner: 'rs-a' }));
    const all = cache.nodeList();
    const feasible = all.filter((n) => n.name !== 'n4');
    const matcher = (p: { controllerUid?: string }): boolean => p.controllerUid === 'rs-a';
    const walked = spreadPreScore(incoming, feasible, all, matcher, true);
    const indexed = spreadPreScore(incoming, feasible, all, matcher, true, (uid) => cache.zones.zonesOf(uid));
    expect(indexed).toEqual(walked);
    expect(walked?.counts[1].size).toBe(3);
    expect([...walked!.counts[1].values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

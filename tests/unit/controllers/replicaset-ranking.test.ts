// Pure pieces of the ReplicaSet/Deployment controllers: deletion ranking, slow-start batches,
// expectations, fencepost rounding and the pod-template-hash.
import { describe, expect, it } from 'vitest';
import type { Pod, PodPhase } from '../../../shared/api/pod';
import type { Deployment } from '../../../shared/api/workloads';
import { FakeClock } from '../../../main/client/clock';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS, podsToDelete } from '../../../main/controllers/deployment/pods';
import { computeHash, equalIgnoreHash, maxSurge, maxUnavailable } from '../../../main/controllers/deployment/util';
import { slowStartBatch } from '../../../main/controllers/replicaset';

function pod(name: string, o: { node?: string; phase?: PodPhase; ready?: boolean; restarts?: number; created?: string; readySince?: string } = {}): Pod {
  return {
    metadata: { name, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:00Z' }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  };
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name!);

describe('scale-down ranking', () => {
  it('deletes unscheduled, then pending, unknown, not ready, restarted, newer pods first', () => {
    const pods = [
      pod('old-ready', { node: 'n1', ready: true }),
      pod('new-ready', { node: 'n2', ready: true, created: '2026-01-01T00:05:00Z' }),
      pod('restarted', { node: 'n3', ready: true, restarts: 4 }),
      pod('not-ready', { node: 'n4' }),
      pod('unknown', { node: 'n5', phase: 'Unknown' }),
      pod('pending', { node: 'n6', phase: 'Pending' }),
      pod('unscheduled', { phase: 'Pending' }),
    ];
    expect(names(podsToDelete(pods, pods, 6))).toEqual(['unscheduled', 'pending', 'unknown', 'not-ready', 'restarted', 'new-ready']);
  });

  it('prefers pods doubled up on a node with their siblings, then those ready for less time', () => {
    const a = pod('alone', { node: 'n1', ready: true });
    const b = pod('crowded', { node: 'n2', ready: true });
    const sibling = pod('sibling', { node: 'n2', ready: true });
    expect(names(podsToDelete([a, b], [a, b, sibling], 1))).toEqual(['crowded']);
    const early = pod('early', { node: 'n1', ready: true, readySince: '2026-01-01T00:00:00Z' });
    const late = pod('late', { node: 'n2', ready: true, readySince: '2026-01-01T00:10:00Z' });
    expect(names(podsToDelete([early, late], [early, late], 1))).toEqual(['late']);
  });
});

describe('slow start and expectations', () => {
  it('creates in batches of 1, 2, 4, … and stops after a failing batch', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let calls = 0;
    const ok = await slowStartBatch(10, 1, async () => {
      if (inFlight++ === 0) batches.push(0);
      batches[batches.length - 1]++;
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
    });
    expect(ok).toEqual({ created: 10 });
    expect(batches).toEqual([1, 2, 4, 3]);
    const failed = await slowStartBatch(10, 1, async () => {
      if (++calls > 2) throw new Error('quota');
    });
    expect(failed.created).toBe(2);
    expect(failed.error?.message).toBe('quota');
    expect(calls).toBe(3);
  });

  it('holds a key until every expected creation and deletion was observed, or they expire', () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    e.expectCreations('ns/a', 2);
    expect(e.satisfied('ns/a')).toBe(false);
    e.creationObserved('ns/a');
    e.creationObserved('ns/a');
    expect(e.satisfied('ns/a')).toBe(true);
    e.expectDeletions('ns/a', ['ns/p1', 'ns/p2']);
    e.deletionObserved('ns/a', 'ns/other');
    e.deletionObserved('ns/a', 'ns/p1');
    expect(e.pending('ns/a')).toEqual({ add: 0, del: 1 });
    expect(e.satisfied('ns/a')).toBe(false);
    clock.step(EXPECTATIONS_TIMEOUT_MS + 1);
    expect(e.satisfied('ns/a')).toBe(true);
  });
});

describe('rolling update arithmetic and hashing', () => {
  const d = (replicas: number, maxSurgeV: number | string, maxUnavailableV: number | string): Deployment => ({
    metadata: { name: 'd' },
    spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: maxSurgeV, maxUnavailable: maxUnavailableV } } },
  });

  it('rounds surge up and unavailable down, and never lets both be zero', () => {
    expect([maxSurge(d(10, '25%', '25%')), maxUnavailable(d(10, '25%', '25%'))]).toEqual([3, 2]);
    expect([maxSurge(d(3, '25%', '25%')), maxUnavailable(d(3, '25%', '25%'))]).toEqual([1, 0]);
    expect([maxSurge(d(1, '0%', '10%')), maxUnavailable(d(1, '0%', '10%'))]).toEqual([0, 1]);
    expect(maxUnavailable(d(2, 0, 5))).toBe(2);
    expect(maxSurge({ ...d(4, 2, 2), spec: { ...d(4, 2, 2).spec!, strategy: { type: 'Recreate' } } })).toBe(0);
  });

  it('hashes templates stably regardless of key order, differently per collision count, ignoring its own label', () => {
    const t1 = { metadata: { labels: { app: 'a', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } };
    const t2 = { spec: { containers: [{ image: 'i:1', name: 'c' }] }, metadata: { labels: { tier: 'x', app: 'a' } } };
    expect(computeHash(t1)).toBe(computeHash(t2));
    expect(computeHash(t1)).not.toBe(computeHash(t1, 1));
    expect(computeHash(t1)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(equalIgnoreHash(t1, { ...t2, metadata: { labels: { ...t2.metadata.labels, 'pod-template-hash': 'abc' } } })).toBe(true);
    expect(equalIgnoreHash(t1, { ...t1, spec: { containers: [{ name: 'c', image: 'i:2' }] } })).toBe(false);
  });
});

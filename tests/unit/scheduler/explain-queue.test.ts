// FitError message format, the bounded decision annotation, and the scheduling queue's backoff,
// parking and wake-up rules (on a fake clock).
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../main/client/clock';
import { buildDecision, DECISION_MAX_NODES, DECISION_MAX_SCORED, fitErrorMessage, sameDecision } from '../../../main/scheduler/explain';
import type { FilterFailure } from '../../../main/scheduler/filters';
import { SchedulingQueue } from '../../../main/scheduler/queue';
import { makePod } from './harness';

const f = (reasons: string[], unresolvable = false): FilterFailure => ({ plugin: 'X', reasons, unresolvable });

describe('fitErrorMessage', () => {
  it('aggregates counts and sorts the "count reason" strings bytewise, as Go sort.Strings', () => {
    const failures = [
      ...Array.from({ length: 10 }, () => f(['Insufficient memory'])),
      ...Array.from({ length: 4 }, () => f(['Insufficient cpu'])),
    ];
    expect(fitErrorMessage(makePod('p'), 14, failures)).toBe(
      '0/14 nodes are available: 10 Insufficient memory, 4 Insufficient cpu. preemption: 0/14 nodes are available: 14 No preemption victims found for incoming pod.',
    );
  });

  it('counts each reason of a node that failed for several resources', () => {
    expect(fitErrorMessage(makePod('p'), 2, [f(['Insufficient cpu', 'Insufficient memory']), f(['node(s) were unschedulable'], true)])).toBe(
      '0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were unschedulable. ' +
        'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
  });

  it('says so when the pod may not preempt', () => {
    const pod = makePod('p', { spec: { preemptionPolicy: 'Never' } });
    expect(fitErrorMessage(pod, 1, [f(['Insufficient cpu'])])).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });
});

describe('decision annotation', () => {
  it('lists the chosen node first, keeps every distinct failure reason, and stays bounded', () => {
    const failed = new Map<string, FilterFailure>();
    for (let i = 0; i < 40; i++) failed.set(`busy-${String(i).padStart(2, '0')}`, f(['Insufficient cpu']));
    failed.set('tainted', f(['node(s) had untolerated taint {a: b}'], true));
    const feasible = Array.from({ length: 30 }, (_, i) => ({ name: `ok-${i}`, scores: { NodeResourcesFit: i }, total: i }));
    const d = buildDecision({ time: '2026-01-01T00:00:00Z', result: 'Scheduled', node: 'ok-3', failed, feasible });
    const names = Object.keys(d.nodes);
    expect(names).toHaveLength(DECISION_MAX_NODES);
    expect(names[0]).toBe('ok-3');
    expect(names[1]).toBe('ok-29');
    // The chosen node and the best runners-up with their scores, then one node per failure reason.
    expect(names.slice(0, DECISION_MAX_SCORED)).toEqual(['ok-3', 'ok-29', 'ok-28', 'ok-27']);
    expect(names.slice(DECISION_MAX_SCORED).map((n) => d.nodes[n].filter)).toContain('node(s) had untolerated taint {a: b}');
    expect(names.filter((n) => d.nodes[n].scores)).toHaveLength(DECISION_MAX_SCORED);
    expect(d).toMatchObject({ evaluated: 71, feasible: 30, omitted: 71 - DECISION_MAX_NODES });
    expect(JSON.stringify(d).length).toBeLessThan(1024);

    const unschedulable = buildDecision({ time: 't', result: 'Unschedulable', failed, feasible: [] });
    const reasons = new Set(Object.values(unschedulable.nodes).map((n) => n.filter));
    expect(reasons).toEqual(new Set(['Insufficient cpu', 'node(s) had untolerated taint {a: b}']));
  });

  it('compares decisions without their time', () => {
    const a = buildDecision({ time: 't1', result: 'Unschedulable', failed: new Map([['n', f(['Insufficient cpu'])]]), feasible: [] });
    const b = { ...a, time: 't2' };
    expect(sameDecision(JSON.parse(JSON.stringify(a)), b)).toBe(true);
    expect(sameDecision(a, { ...b, message: 'other' })).toBe(false);
  });
});

describe('SchedulingQueue', () => {
  const queue = (clock: FakeClock) => new SchedulingQueue({ clock, initialBackoffMs: 1000, maxBackoffMs: 4000, maxUnschedulableMs: 60_000, flushIntervalMs: 100 });

  it('pops by priority, then arrival', async () => {
    const q = queue(new FakeClock());
    q.add('ns/low', 0);
    q.add('ns/high', 100);
    q.add('ns/low2', 0);
    expect([await q.pop(), await q.pop(), await q.pop()]).toEqual(['ns/high', 'ns/low', 'ns/low2']);
    q.close();
  });

  it('parks unschedulable pods until a cluster change, honouring the per-pod backoff', async () => {
    const clock = new FakeClock();
    const q = queue(clock);
    q.add('ns/p', 0);
    expect(await q.pop()).toBe('ns/p');
    q.requeueUnschedulable('ns/p');
    expect(q.pendingCounts).toMatchObject({ unschedulable: 1 });
    clock.step(30_000);
    expect(q.pendingCounts).toMatchObject({ unschedulable: 1, active: 0 });
    // Change after the 1 s backoff: straight to active.
    q.moveAllToActiveOrBackoff();
    expect(q.pendingCounts).toMatchObject({ active: 1, unschedulable: 0 });
    expect(await q.pop()).toBe('ns/p');
    q.requeueUnschedulable('ns/p');
    // Second failure: 2 s backoff; a change 500 ms later puts it in backoff, flushed when due.
    clock.step(500);
    q.moveAllToActiveOrBackoff();
    expect(q.pendingCounts).toMatchObject({ backoff: 1, active: 0 });
    clock.step(1000);
    expect(q.pendingCounts).toMatchObject({ backoff: 1 });
    clock.step(600);
    expect(q.pendingCounts).toMatchObject({ backoff: 0, active: 1 });
    q.close();
  });

  it('retries parked pods periodically even when nothing changes', async () => {
    const clock = new FakeClock();
    const q = queue(clock);
    q.add('ns/p', 0);
    await q.pop();
    q.requeueUnschedulable('ns/p');
    clock.step(59_000);
    expect(q.pendingCounts.active).toBe(0);
    clock.step(1_100);
    expect(q.pendingCounts.active).toBe(1);
    q.close();
  });

  it('a change during an attempt sends a failure to backoff instead of parking it', async () => {
    const clock = new FakeClock();
    const q = queue(clock);
    q.add('ns/p', 0);
    await q.pop();
    q.moveAllToActiveOrBackoff();
    q.requeueUnschedulable('ns/p');
    expect(q.pendingCounts).toMatchObject({ backoff: 1, unschedulable: 0 });
    q.close();
  });

  it('forgets deleted pods and wakes a waiting pop on add', async () => {
    const q = queue(new FakeClock());
    q.add('ns/gone', 0);
    q.delete('ns/gone');
    const next = q.pop();
    q.add('ns/new', 0);
    expect(await next).toBe('ns/new');
    q.close();
    expect(await q.pop()).toBeUndefined();
  });
});

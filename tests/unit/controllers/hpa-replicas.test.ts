import { describe, expect, it } from 'vitest';
import { limitRate, replicasForAverageValue, replicasForUtilization, stabilize, type PodSample, type Recommendation } from '../../../main/controllers/hpa-replicas';

const pods = (...usages: Array<number | undefined>): PodSample[] => usages.map((usage, i) => ({ name: `p${i}`, request: 100, usage, unready: false }));

describe('HPA replica calculation', () => {
  it('scales by the ratio of utilization to target and rounds up', () => {
    expect(replicasForUtilization(2, pods(150, 150), 50)).toMatchObject({ replicas: 6, utilization: 150, averageUsage: 150 });
    expect(replicasForUtilization(4, pods(10, 10, 10, 10), 50).replicas).toBe(1);
  });

  it('keeps the count inside the 10% tolerance band', () => {
    expect(replicasForUtilization(3, pods(54, 54, 54), 50).replicas).toBe(3);
    expect(replicasForUtilization(3, pods(56, 56, 56), 50).replicas).toBe(4);
  });

  it('counts missing pods as 0% when scaling up and 100% when scaling down', () => {
    // Two measured pods at 100% of a 50% target, two without metrics: (100+100+0+0)/4 = 50% → no change.
    expect(replicasForUtilization(4, pods(100, 100, undefined, undefined), 50).replicas).toBe(4);
    // Scale-down with a missing pod: (10+100)/2 = 55% vs 50% target → within tolerance, no scale-down.
    expect(replicasForUtilization(2, pods(10, undefined), 50).replicas).toBe(2);
  });

  it('ignores unready pods\' samples when scaling up', () => {
    const samples = [...pods(200), { name: 'new', request: 100, usage: 900, unready: true }];
    // (200 + 0) / 2 = 100% vs 50% → 4, not the 11 the unready sample would suggest.
    expect(replicasForUtilization(2, samples, 50).replicas).toBe(4);
  });

  it('fails without any trusted sample', () => {
    expect(() => replicasForUtilization(2, pods(undefined, undefined), 50)).toThrow(/did not receive metrics/);
  });

  it('scales on an average value target', () => {
    expect(replicasForAverageValue(2, pods(300, 300), 100).replicas).toBe(6);
  });
});

describe('HPA behaviour', () => {
  it('holds a scale-down for the stabilisation window, taking the highest recent recommendation', () => {
    const history: Recommendation[] = [];
    expect(stabilize(history, 0, 4, 4, 0, 300).replicas).toBe(4);
    expect(stabilize(history, 10_000, 4, 1, 0, 300)).toEqual({ replicas: 4, reason: 'ScaleDownStabilized' });
    expect(stabilize(history, 290_000, 4, 1, 0, 300).replicas).toBe(4);
    // Past the window the 4 has expired: the highest recent recommendation is 1.
    expect(stabilize(history, 320_000, 4, 1, 0, 300).replicas).toBe(1);
  });

  it('scales up at once with the default zero-second window', () => {
    expect(stabilize([], 0, 2, 6, 0, 300).replicas).toBe(6);
  });

  it('limits the rate by the policies over their period', () => {
    const up = { selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 4, periodSeconds: 15 }, { type: 'Percent' as const, value: 100, periodSeconds: 15 }] };
    const down = { selectPolicy: 'Max' as const, policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }] };
    expect(limitRate([], 0, 2, 20, up, down)).toEqual({ replicas: 6, limited: true });
    expect(limitRate([], 0, 10, 20, up, down)).toEqual({ replicas: 20, limited: false });
    // 4 pods were added 5 s ago: this period started at 2 → at most 6 now.
    expect(limitRate([{ at: -5_000, change: 4 }], 0, 6, 20, up, down)).toEqual({ replicas: 6, limited: true });
    expect(limitRate([], 0, 4, 1, up, { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] })).toEqual({ replicas: 3, limited: true });
    expect(limitRate([], 0, 4, 1, { selectPolicy: 'Disabled' }, down).replicas).toBe(1);
    expect(limitRate([], 0, 4, 8, { selectPolicy: 'Disabled' }, down)).toEqual({ replicas: 4, limited: true });
  });
});

// The lab's time scale: Kubernetes' own values at scale 1, proportional compression above it, floors
// that keep heartbeats from flapping, and the ConfigMap that shows both.
import { describe, expect, it } from 'vitest';
import { DEFAULT_KUBELET_TIMING } from '../../main/kubelet/types';
import { labTiming } from '../../main/lab';
import { DEFAULT_TIME_SCALE, goDuration, labTimingConfigMap, labTimingFor } from '../../main/lab-timing';

describe('lab timing', () => {
  it('is real Kubernetes (kubelet, kube-controller-manager 1.32, apiserver) at time scale 1', () => {
    const t = labTimingFor(1, {});
    expect(t.kubelet).toEqual(DEFAULT_KUBELET_TIMING);
    expect(t.nodeLifecycle).toEqual({ nodeMonitorGracePeriodMs: 50_000, nodeMonitorPeriodMs: 5_000, nodeStartupGracePeriodMs: 60_000, nodeEvictionRate: 0.1 });
    expect(t.defaultTolerationSeconds).toBe(300);
    expect(t.jobBackoff).toEqual({ baseMs: 10_000, maxMs: 360_000 });
    expect(t.podGc).toEqual({ periodMs: 20_000, quarantineMs: 40_000, terminatedPodThreshold: 12_500 });
  });

  it('recovers from a node crash in well under 30 s at the default scale', () => {
    const t = labTimingFor(DEFAULT_TIME_SCALE, {});
    expect(t.nodeLifecycle.nodeMonitorGracePeriodMs).toBe(4_000);
    expect(t.defaultTolerationSeconds).toBe(15);
    expect(t.kubelet.leaseRenewMs).toBe(1_000);
    expect(t.kubelet.backoffBaseMs).toBe(500);
    expect(t.kubelet.backoffCapMs).toBe(15_000);
    // Detection (grace + one monitor period) plus the toleration leaves > 5 s for the replacements to start.
    const evictedAfterMs = t.nodeLifecycle.nodeMonitorGracePeriodMs + t.nodeLifecycle.nodeMonitorPeriodMs + t.defaultTolerationSeconds * 1000;
    expect(evictedAfterMs).toBeLessThan(25_000);
  });

  it('never lets heartbeats flap: renew ≥ 1 s, grace ≥ 4 renewals, lease ≥ 3 renewals, at any scale', () => {
    for (const scale of [1, 2, 5, 10, 20, 50, 100, 1000]) {
      const t = labTimingFor(scale, {});
      expect(t.kubelet.leaseRenewMs).toBeGreaterThanOrEqual(1_000);
      expect(t.nodeLifecycle.nodeMonitorGracePeriodMs).toBeGreaterThanOrEqual(4 * t.kubelet.leaseRenewMs);
      expect(t.kubelet.leaseDurationSeconds * 1000).toBeGreaterThanOrEqual(3 * t.kubelet.leaseRenewMs);
      expect(Number.isInteger(t.kubelet.leaseDurationSeconds)).toBe(true);
      expect(t.nodeLifecycle.nodeMonitorPeriodMs).toBeLessThanOrEqual(t.nodeLifecycle.nodeMonitorGracePeriodMs / 4);
      expect(t.defaultTolerationSeconds).toBeGreaterThanOrEqual(1);
    }
  });

  it('only shortens as the scale grows', () => {
    const a = labTimingFor(5, {});
    const b = labTimingFor(50, {});
    expect(b.nodeLifecycle.nodeMonitorGracePeriodMs).toBeLessThanOrEqual(a.nodeLifecycle.nodeMonitorGracePeriodMs);
    expect(b.defaultTolerationSeconds).toBeLessThan(a.defaultTolerationSeconds);
    expect(b.kubelet.backoffBaseMs).toBeLessThan(a.kubelet.backoffBaseMs);
    expect(b.jobBackoff.baseMs).toBeLessThan(a.jobBackoff.baseMs);
    expect(b.nodeLifecycle.nodeEvictionRate).toBeGreaterThan(a.nodeLifecycle.nodeEvictionRate);
  });

  it('rejects scales outside 1…1000', () => {
    expect(() => labTimingFor(0.5, {})).toThrow(/time scale must be a number from 1 to 1000, got 0.5/);
    expect(() => labTimingFor(Number.NaN, {})).toThrow(RangeError);
  });

  it('keeps BOSUN_BACKOFF_BASE_MS as an override of the crash backoff (1:30 to the cap)', () => {
    expect(labTimingFor(20, { BOSUN_BACKOFF_BASE_MS: '200' }).kubelet).toMatchObject({ backoffBaseMs: 200, backoffCapMs: 6_000 });
    expect(labTiming({}, { BOSUN_BACKOFF_BASE_MS: '1000' }, 1)).toMatchObject({ backoffBaseMs: 1000, backoffCapMs: 30_000, leaseRenewMs: 10_000 });
    expect(labTiming({ podResyncMs: 1234 }, {}, 20)).toMatchObject({ podResyncMs: 1234, backoffBaseMs: 500, leaseRenewMs: 1_000 });
  });

  it('prints durations as Kubernetes flags do', () => {
    expect([500, 4_000, 2_500, 50_000, 60_000, 360_000, 90_500].map(goDuration)).toEqual(['500ms', '4s', '2.5s', '50s', '1m0s', '6m0s', '1m30.5s']);
  });

  it('publishes each value next to the Kubernetes default in kube-system/bosun-lab-timing', () => {
    const cm = labTimingConfigMap(labTimingFor(20, {}));
    expect(cm.metadata).toMatchObject({ name: 'bosun-lab-timing', namespace: 'kube-system' });
    expect(cm.data).toMatchObject({
      timeScale: '20',
      nodeMonitorGracePeriod: '4s (Kubernetes: 50s)',
      defaultTolerationSeconds: '15 (Kubernetes: 300)',
      leaseDurationSeconds: '3 (Kubernetes: 40)',
      crashLoopBackOffBase: '500ms (Kubernetes: 10s)',
      crashLoopBackOffMax: '15s (Kubernetes: 5m0s)',
      nodeEvictionRate: '2 nodes/s (Kubernetes: 0.1 nodes/s)',
      terminatedPodGcThreshold: '12500 (Kubernetes: 12500)',
    });
    expect(labTimingConfigMap(labTimingFor(1, {})).data!.nodeMonitorGracePeriod).toBe('50s (Kubernetes: 50s)');
  });
});

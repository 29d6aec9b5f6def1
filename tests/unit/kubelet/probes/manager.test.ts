// The probe state machine on a FakeClock with a scripted handler runner: timing fields, thresholds,
// startup gating, readiness before first success, liveness on hold, events, bounded history.
import { describe, expect, it } from 'vitest';
import type { Container, Pod, Probe } from '../../../../shared/api/pod';
import { FakeClock } from '../../../../main/client/clock';
import { createProbeManager, probeTerminationGracePeriodSeconds } from '../../../../main/kubelet/probes/manager';
import type { HandlerRunner, ProbeResult } from '../../../../main/kubelet/types';
import type { ContainerInfo } from '../../../../main/runtime/runtime';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setup(container: Container, opts: { historyLimit?: number } = {}) {
  const clock = new FakeClock();
  // Outcome per probe kind, switchable by the test; every call recorded with its clock time.
  const healthy: Record<string, boolean> = { liveness: true, readiness: true, startup: true };
  const calls: { kind: string; at: number; timeoutMs: number }[] = [];
  const kindOf = (p: Probe): string => (p === container.livenessProbe ? 'liveness' : p === container.readinessProbe ? 'readiness' : 'startup');
  const runner: HandlerRunner = {
    run: async (_pod, _c, _info, handler, timeoutMs): Promise<ProbeResult> => {
      const kind = kindOf(handler as Probe);
      calls.push({ kind, at: clock.nowMs(), timeoutMs });
      const ok = healthy[kind];
      return { time: clock.now().toISOString(), ok, latencyMs: 1, message: ok ? '' : 'HTTP probe failed with statuscode: 500' };
    },
  };
  const changes: string[] = [];
  const unhealthy: string[] = [];
  const events: string[] = [];
  const pm = createProbeManager({
    clock,
    runner,
    historyLimit: opts.historyLimit,
    events: {
      onStateChange: (uid, name) => changes.push(`${uid}/${name}`),
      onUnhealthy: (_pod, name, type, r) => unhealthy.push(`${name} ${type} ${r.message}`),
    },
    recorder: { event: (_o, type, reason, msg, fieldPath) => events.push(`${type} ${reason} ${fieldPath} ${msg}`) },
  });
  const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [container], terminationGracePeriodSeconds: 45 } };
  const info = (id: string): ContainerInfo => ({ id, name: id, image: 'i', imageId: 'sha', labels: {}, state: 'running', createdAt: clock.now().toISOString(), startedAt: clock.now().toISOString() });
  const step = async (ms: number): Promise<void> => {
    // Step one second at a time so async probe results land before the next tick, like real time.
    for (let t = 0; t < ms; t += 1000) {
      clock.step(Math.min(1000, ms - t));
      await flush();
    }
  };
  return { clock, healthy, calls, changes, unhealthy, events, pm, pod, info, step };
}

const http: Probe = { httpGet: { path: '/healthz', port: 8080 } };

describe('ProbeManager', () => {
  it('no probes: started and ready at once', () => {
    const s = setup({ name: 'c' });
    s.pm.addContainer(s.pod, s.pod.spec!.containers[0], s.info('a'));
    expect(s.pm.state('u1', 'c')).toEqual({ ready: true, started: true });
    expect(s.pm.state('u1', 'other')).toEqual({ ready: false, started: false });
  });

  it('no probes: keeps only the key (not the pod or the runtime info), until the container or pod goes', () => {
    const s = setup({ name: 'c' });
    const entries = () => (s.pm as unknown as { containers: Map<string, unknown> }).containers.size;
    s.pm.addContainer(s.pod, s.pod.spec!.containers[0], s.info('a'));
    expect(entries()).toBe(0);
    expect(s.pm.snapshot(s.pod)).toEqual([]);
    s.pm.removeContainer('u1', 'c');
    expect(s.pm.state('u1', 'c')).toEqual({ ready: false, started: false });
    s.pm.addContainer(s.pod, s.pod.spec!.containers[0], s.info('b'));
    s.pm.removePod('u1');
    expect(s.pm.state('u1', 'c')).toEqual({ ready: false, started: false });
    // A container that gains a probe in a new pod version is probed (and stops counting as probe-less).
    const probed: Container = { name: 'c', readinessProbe: http };
    s.pm.addContainer(s.pod, s.pod.spec!.containers[0], s.info('c'));
    s.pm.addContainer({ ...s.pod, spec: { containers: [probed] } }, probed, s.info('d'));
    expect(entries()).toBe(1);
    expect(s.pm.state('u1', 'c')).toEqual({ ready: false, started: true });
  });

  it('readiness: false until first success after initialDelaySeconds, then flips both ways with thresholds', async () => {
    const s = setup({ name: 'c', readinessProbe: { ...http, initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2, failureThreshold: 2, timeoutSeconds: 3 } });
    s.pm.addContainer(s.pod, s.pod.spec!.containers[0], s.info('a'));
    expect(s.pm.state('u1', 'c')).toEqual({ ready: false, started: true });
    await s.step(4000);
    expect(s.calls).toEqual([]);
    await s.step(1000); // t=5: first probe
    expect(s.calls).toEqual([{ kind: 'readiness', at: s.clock.nowMs(), timeoutMs: 3000 }]);
    expect(s.pm.state('u1', 'c').ready).toBe(false); // successThreshold 2
    await s.step(2000); // t=7: second success
    expect(s.pm.state('u1', 'c').ready).toBe(true);
    expect(s.changes).toEqual(['u1/c']);
    s.healthy.readiness = false;
    await s.step(2000); // one failure: still ready
    expect(s.pm.state('u1', 'c').ready).toBe(true);
    await s.step(2000); // second failure: not ready
    expect(s.pm.state('u1', 'c').ready).toBe(false);
    expect(s.changes).toEqual(['u1/c', 'u1/c']);
    expect(s.unhealthy).toEqual([]); // readiness never restarts
    expect(s.events).toEqual([
      'Warning Unhealthy spec.containers{c} Readiness probe failed: HTTP probe failed with statuscode: 500',
      'Warning Unhealthy spec.containers{c} Readiness probe failed: HTTP probe failed with statuscode: 500',
    ]);
    s.healthy.readiness = true;
    await s.step(4000);
    expect(s.pm.state('u1', 'c').ready).toBe(true);
    expect(s.pm.history('u1', 'c', 'readiness').map((r) => r.ok)).toEqual([true, true, false, false, true, true]);
  });

  it('liveness: failureThreshold consecutive failures call onUnhealthy once, then hold until the container is replaced', async () => {
    const s = setup({ name: 'c', livenessProbe: { ...http, periodSeconds: 1, failureThreshold: 3, terminationGracePeriodSeconds: 5 } });
    const c = s.pod.spec!.containers[0];
    s.pm.addContainer(s.pod, c, s.info('a'));
    expect(probeTerminationGracePeriodSeconds(s.pod, c, 'liveness')).toBe(5);
    await s.step(3000);
    s.healthy.liveness = false;
    await s.step(2000);
    s.healthy.liveness = true; // a success resets the run
    await s.step(1000);
    s.healthy.liveness = false;
    await s.step(2000);
    expect(s.unhealthy).toEqual([]);
    await s.step(1000);
    expect(s.unhealthy).toEqual(['c liveness HTTP probe failed with statuscode: 500']);
    const probed = s.calls.length;
    await s.step(10_000);
    expect(s.calls.length).toBe(probed); // on hold: the kubelet is killing it
    // The kubelet restarts the container: a fresh worker, history kept.
    s.pm.addContainer(s.pod, c, s.info('b'));
    s.healthy.liveness = true;
    await s.step(3000);
    expect(s.calls.length).toBeGreaterThan(probed);
    expect(s.unhealthy.length).toBe(1);
    expect(s.pm.history('u1', 'c', 'liveness').filter((r) => !r.ok).length).toBe(5);
  });

  it('startup gates liveness and readiness; success releases them; failure reports startup unhealthy', async () => {
    const container: Container = {
      name: 'c',
      startupProbe: { ...http, periodSeconds: 1, failureThreshold: 30 },
      livenessProbe: { ...http, periodSeconds: 1 },
      readinessProbe: { ...http, periodSeconds: 1 },
    };
    const s = setup(container);
    s.healthy.startup = false;
    s.healthy.liveness = false; // would kill the container if it were not gated
    s.pm.addContainer(s.pod, container, s.info('a'));
    await s.step(10_000);
    expect(new Set(s.calls.map((c) => c.kind))).toEqual(new Set(['startup']));
    expect(s.pm.state('u1', 'c')).toEqual({ ready: false, started: false });
    s.healthy.startup = true;
    s.healthy.liveness = true;
    await s.step(1000);
    expect(s.pm.state('u1', 'c')).toEqual({ ready: true, started: true }); // readiness probed right after startup
    const startupCalls = s.calls.filter((c) => c.kind === 'startup').length;
    await s.step(5000);
    expect(s.calls.filter((c) => c.kind === 'startup').length).toBe(startupCalls); // startup stops once succeeded
    expect(s.calls.filter((c) => c.kind === 'liveness').length).toBeGreaterThanOrEqual(4);

    const t = setup({ name: 'c', startupProbe: { ...http, periodSeconds: 2, failureThreshold: 3 } });
    t.healthy.startup = false;
    t.pm.addContainer(t.pod, t.pod.spec!.containers[0], t.info('a'));
    await t.step(6000);
    expect(t.unhealthy).toEqual(['c startup HTTP probe failed with statuscode: 500']);
    expect(t.events.at(-1)).toBe('Warning Unhealthy spec.containers{c} Startup probe failed: HTTP probe failed with statuscode: 500');
  });

  it('history is bounded, survives restarts of the container and goes with the pod', async () => {
    const s = setup({ name: 'c', readinessProbe: { ...http, periodSeconds: 1 } }, { historyLimit: 10 });
    const c = s.pod.spec!.containers[0];
    s.pm.addContainer(s.pod, c, s.info('a'));
    await s.step(15_000);
    s.pm.removeContainer('u1', 'c');
    await s.step(5000);
    const h = s.pm.history('u1', 'c', 'readiness');
    expect(h.length).toBe(10);
    expect(h.at(-1)!.time).toBe(new Date(s.clock.nowMs() - 5000).toISOString());
    const snap = s.pm.snapshot(s.pod);
    expect(snap).toMatchObject([{ name: 'c', ready: false, probes: [{ type: 'readiness', handler: 'http-get http://:8080/healthz', history: h }] }]);
    s.pm.removePod('u1');
    expect(s.pm.history('u1', 'c', 'readiness')).toEqual([]);
  });

  it('a slow probe never overlaps the next tick', async () => {
    const s = setup({ name: 'c', readinessProbe: { ...http, periodSeconds: 1, timeoutSeconds: 5 } });
    let release: () => void = () => undefined;
    let running = 0;
    let maxRunning = 0;
    const pm = createProbeManager({
      clock: s.clock,
      runner: {
        run: async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await new Promise<void>((r) => (release = r));
          running--;
          return { time: '', ok: true, latencyMs: 0, message: '' };
        },
      },
      events: { onStateChange: () => undefined, onUnhealthy: () => undefined },
    });
    pm.addContainer(s.pod, s.pod.spec!.containers[0], s.info('a'));
    await s.step(5000);
    expect(maxRunning).toBe(1);
    release();
    await flush();
    expect(pm.state('u1', 'c').ready).toBe(true);
  });
});

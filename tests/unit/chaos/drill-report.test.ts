// The report's definitions (detect, recover, hypothesis) and the bounded, ordered timeline.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../main/client/clock';
import { nodePortUrl } from '../../../main/chaos/drill-checks';
import { buildReport } from '../../../main/chaos/drill-report';
import { faultObject, podsToEvict, rolloutComplete } from '../../../main/chaos/drill-steps';
import { podChanges, Timeline } from '../../../main/chaos/drill-timeline';
import type { Drill } from '../../../shared/api/chaos';
import type { Pod } from '../../../shared/api/pod';
import type { Service } from '../../../shared/api/service';
import type { Deployment } from '../../../shared/api/workloads';

const T0 = Date.UTC(2026, 0, 1);
const base = { steadyBefore: true, aborted: false, measureStart: T0, checks: [] };

describe('buildReport', () => {
  it('measures detection from the disruption and recovery to the last return of the steady state', () => {
    const r = buildReport({
      ...base,
      disruptedAt: T0 + 1000,
      transitions: [{ at: T0, held: true }, { at: T0 + 1500, held: false }, { at: T0 + 4000, held: true }, { at: T0 + 4500, held: false }, { at: T0 + 6250, held: true }],
      heldAtEnd: true,
    });
    expect(r).toMatchObject({ hypothesisHeld: true, heldThroughout: false, timeToDetectSeconds: 0.5, timeToRecoverSeconds: 5.25 });
    expect(r.detectedAt).toBe(new Date(T0 + 1500).toISOString());
    expect(r.recoveredAt).toBe(new Date(T0 + 6250).toISOString());
  });

  it('counts a state already broken at the disruption as detected at once', () => {
    const r = buildReport({ ...base, disruptedAt: T0 + 2000, transitions: [{ at: T0, held: true }, { at: T0 + 1800, held: false }, { at: T0 + 3000, held: true }], heldAtEnd: true });
    expect(r.timeToDetectSeconds).toBe(0);
    expect(r.timeToRecoverSeconds).toBe(1);
  });

  it('has no detection or recovery when nothing broke, and holds throughout', () => {
    const r = buildReport({ ...base, disruptedAt: T0 + 10, transitions: [{ at: T0, held: true }], heldAtEnd: true });
    expect(r).toMatchObject({ hypothesisHeld: true, heldThroughout: true });
    expect(r.timeToDetectSeconds).toBeUndefined();
    expect(r.timeToRecoverSeconds).toBeUndefined();
  });

  it('does not hold when aborted, not steady before, or not back at the end', () => {
    const transitions = [{ at: T0, held: true }];
    expect(buildReport({ ...base, aborted: true, transitions, heldAtEnd: false }).hypothesisHeld).toBe(false);
    expect(buildReport({ ...base, steadyBefore: false, measureStart: undefined, transitions: [], heldAtEnd: false })).toMatchObject({ hypothesisHeld: false, heldThroughout: false });
    const stuck = buildReport({ ...base, disruptedAt: T0, transitions: [{ at: T0, held: true }, { at: T0 + 100, held: false }], heldAtEnd: false });
    expect(stuck.hypothesisHeld).toBe(false);
    expect(stuck.recoveredAt).toBeUndefined();
  });

  it('sums requests over steady-state HTTP checks only', () => {
    const r = buildReport({
      ...base,
      transitions: [{ at: T0, held: true }],
      heldAtEnd: true,
      checks: [
        { name: 'a', role: 'steadyState', samples: 1, failedSamples: 0, requestsTotal: 100, requestsFailed: 2 },
        { name: 'b', role: 'steadyState', samples: 1, failedSamples: 0, requestsTotal: 50, requestsFailed: 1 },
        { name: 'c', role: 'abortWhen', samples: 1, failedSamples: 0, requestsTotal: 70, requestsFailed: 70 },
        { name: 'd', role: 'steadyState', samples: 1, failedSamples: 0, minObserved: 2 },
      ],
    });
    expect(r.requestsTotal).toBe(150);
    expect(r.requestsFailed).toBe(3);
  });
});

describe('Timeline', () => {
  it('keeps the newest entries up to its limit, in time order, and reports changes once', () => {
    const clock = new FakeClock(T0);
    const t = new Timeline(clock, 5);
    for (let i = 0; i < 8; i++) {
      t.add('Pod', `p${i}`);
      clock.step(100);
    }
    // An event stamped earlier than the last entries lands in its place, not at the end.
    t.add('Event', 'late', { time: new Date(T0 + 650).toISOString() });
    const snap = t.takeIfDirty()!;
    expect(snap.map((e) => e.message)).toEqual(['p4', 'p5', 'p6', 'late', 'p7']);
    expect(t.takeIfDirty()).toBeUndefined();
    t.add('Drill', 'end');
    expect(t.size).toBe(5);
    expect(t.takeIfDirty()!.map((e) => e.message)).toEqual(['p5', 'p6', 'late', 'p7', 'end']);
  });

  it('describes pod changes users watch for', () => {
    const old = { metadata: { name: 'web-1' }, spec: { nodeName: 'node-2' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'web', restartCount: 0 }] } } as unknown as Pod;
    const now = structuredClone(old) as Pod;
    now.status!.conditions = [{ type: 'Ready', status: 'False' }];
    now.status!.containerStatuses![0].restartCount = 1;
    now.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    expect(podChanges(old, now)).toEqual(['pod web-1 not Ready', 'pod web-1 container web restarted (restarts: 1)', 'pod web-1 Terminating']);
    expect(podChanges(undefined, old)).toEqual(['pod web-1 created on node-2']);
  });
});

describe('step helpers', () => {
  const drill: Drill = { metadata: { name: 'd', namespace: 'team', uid: 'u1' }, spec: { steadyState: [], steps: [] } };

  it('a fault template keeps its own duration and otherwise gets the step\'s', () => {
    const own = faultObject(drill, { name: 's', serviceFault: { service: { name: 'web' }, errorPercent: 100, duration: '5s' }, duration: '30s' }, 'ServiceFault');
    expect(own.spec).toEqual({ service: { name: 'web' }, errorPercent: 100, duration: '5s' });
    expect(own.metadata).toMatchObject({ name: 'd-s', namespace: 'team' });
    const step = faultObject(drill, { name: 's', podFault: { action: 'kill', selector: {} }, duration: '30s' }, 'PodFault');
    expect(step.spec).toMatchObject({ duration: '30s' });
  });

  it('drain skips DaemonSet and mirror pods like kubectl drain --ignore-daemonsets', () => {
    const p = (name: string, meta: Partial<Pod['metadata']>) => ({ metadata: { name, ...meta } }) as Pod;
    const pods = [
      p('rs', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: '1', controller: true }] }),
      p('ds', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'x', uid: '2', controller: true }] }),
      p('mirror', { annotations: { 'kubernetes.io/config.mirror': 'h' } }),
      p('bare', {}),
    ];
    expect(podsToEvict(pods).map((x) => x.metadata.name)).toEqual(['rs', 'bare']);
  });

  it('a rollout is complete as kubectl rollout status sees it', () => {
    const d = (status: Deployment['status'], generation = 2) => ({ metadata: { name: 'w', generation }, spec: { replicas: 3 }, status }) as Deployment;
    expect(rolloutComplete(d({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))).toBe(true);
    expect(rolloutComplete(d({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))).toBe(false);
    expect(rolloutComplete(d({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }))).toBe(false);
    expect(rolloutComplete(d({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 }))).toBe(false);
  });

  it('resolves a Service port to its NodePort on 127.0.0.1 with clear errors', () => {
    const svc = (ports: object[]) => ({ metadata: { name: 'web', namespace: 'team' }, spec: { ports } }) as Service;
    expect(nodePortUrl(svc([{ port: 80, nodePort: 30080 }]), undefined, '/healthz')).toBe('http://127.0.0.1:30080/healthz');
    expect(nodePortUrl(svc([{ port: 80, nodePort: 30080 }, { port: 443, nodePort: 30443 }]), 443)).toBe('http://127.0.0.1:30443/');
    expect(() => nodePortUrl(svc([{ port: 80 }]), 80)).toThrow('service team/web port 80 has no nodePort (make it type: NodePort)');
    expect(() => nodePortUrl(svc([{ port: 80, nodePort: 1 }, { port: 81, nodePort: 2 }]), undefined)).toThrow('several ports');
  });
});

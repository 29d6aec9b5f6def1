import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../../shared/api/duration';
import type { ContainerStatus, Pod } from '../../../shared/api/pod';
import { podDisplayStatus, podReadinessGates } from '../../../shared/api/pod-status';

const NOW = new Date('2026-01-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString();

function pod(partial: { containers?: string[]; init?: { name: string; restartPolicy?: 'Always' }[]; status?: Pod['status']; deleting?: boolean }): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', ...(partial.deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: {
      initContainers: partial.init?.map((c) => ({ name: c.name, image: 'busybox', restartPolicy: c.restartPolicy })),
      containers: (partial.containers ?? ['app']).map((name) => ({ name, image: 'busybox' })),
    },
    status: partial.status ?? {},
  };
}

const running = (name: string, ready = true, restartCount = 0, lastFinished?: string): ContainerStatus => ({
  name,
  ready,
  restartCount,
  image: 'busybox',
  imageID: '',
  state: { running: { startedAt: ago(60) } },
  ...(lastFinished ? { lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: lastFinished } } } : {}),
});

const waiting = (name: string, reason: string, restartCount = 0, lastFinished?: string): ContainerStatus => ({
  name,
  ready: false,
  restartCount,
  image: 'busybox',
  imageID: '',
  state: { waiting: { reason } },
  ...(lastFinished ? { lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: lastFinished } } } : {}),
});

const terminated = (name: string, exitCode: number, reason?: string, signal?: number): ContainerStatus => ({
  name,
  ready: false,
  restartCount: 0,
  image: 'busybox',
  imageID: '',
  state: { terminated: { exitCode, reason, signal } },
});

describe('podDisplayStatus (kubectl get pods)', () => {
  it.each<[string, Pod, { ready: string; status: string; restarts: string }]>([
    ['pending, not scheduled', pod({ status: { phase: 'Pending' } }), { ready: '0/1', status: 'Pending', restarts: '0' }],
    ['running and ready', pod({ status: { phase: 'Running', containerStatuses: [running('app')] } }), { ready: '1/1', status: 'Running', restarts: '0' }],
    [
      'one of two ready',
      pod({ containers: ['a', 'b'], status: { phase: 'Running', containerStatuses: [running('a'), running('b', false)] } }),
      { ready: '1/2', status: 'Running', restarts: '0' },
    ],
    [
      'crash looping with a last restart 5m ago',
      pod({ status: { phase: 'Running', containerStatuses: [waiting('app', 'CrashLoopBackOff', 5, ago(300))] } }),
      { ready: '0/1', status: 'CrashLoopBackOff', restarts: '5 (5m ago)' },
    ],
    ['image pull backoff', pod({ status: { phase: 'Pending', containerStatuses: [waiting('app', 'ImagePullBackOff')] } }), { ready: '0/1', status: 'ImagePullBackOff', restarts: '0' }],
    ['completed', pod({ status: { phase: 'Succeeded', containerStatuses: [terminated('app', 0, 'Completed')] } }), { ready: '0/1', status: 'Completed', restarts: '0' }],
    ['error exit', pod({ status: { phase: 'Failed', containerStatuses: [terminated('app', 1, 'Error')] } }), { ready: '0/1', status: 'Error', restarts: '0' }],
    ['exit code without reason', pod({ status: { phase: 'Failed', containerStatuses: [terminated('app', 3)] } }), { ready: '0/1', status: 'ExitCode:3', restarts: '0' }],
    ['killed by signal', pod({ status: { phase: 'Failed', containerStatuses: [terminated('app', 137, undefined, 9)] } }), { ready: '0/1', status: 'Signal:9', restarts: '0' }],
    [
      'second of two init containers running',
      pod({
        init: [{ name: 'i1' }, { name: 'i2' }],
        status: { phase: 'Pending', initContainerStatuses: [terminated('i1', 0, 'Completed'), running('i2', false)], containerStatuses: [waiting('app', 'PodInitializing')] },
      }),
      { ready: '0/1', status: 'Init:1/2', restarts: '0' },
    ],
    [
      'init container crash looping',
      pod({ init: [{ name: 'i1' }], status: { phase: 'Pending', initContainerStatuses: [waiting('i1', 'CrashLoopBackOff', 2)] } }),
      { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '2' },
    ],
    [
      'init container failed',
      pod({ init: [{ name: 'i1' }], status: { phase: 'Failed', initContainerStatuses: [terminated('i1', 2)] } }),
      { ready: '0/1', status: 'Init:ExitCode:2', restarts: '0' },
    ],
    [
      'sidecar counts in READY once started',
      pod({
        init: [{ name: 'proxy', restartPolicy: 'Always' }],
        status: { phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }], initContainerStatuses: [{ ...running('proxy'), started: true }], containerStatuses: [running('app')] },
      }),
      { ready: '2/2', status: 'Running', restarts: '0' },
    ],
    ['terminating', pod({ deleting: true, status: { phase: 'Running', containerStatuses: [running('app')] } }), { ready: '1/1', status: 'Terminating', restarts: '0' }],
    ['deleted after success stays Completed', pod({ deleting: true, status: { phase: 'Succeeded', containerStatuses: [terminated('app', 0, 'Completed')] } }), { ready: '0/1', status: 'Completed', restarts: '0' }],
    ['evicted (status.reason)', pod({ status: { phase: 'Failed', reason: 'Evicted' } }), { ready: '0/1', status: 'Evicted', restarts: '0' }],
    [
      'scheduling gated',
      pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } }),
      { ready: '0/1', status: 'SchedulingGated', restarts: '0' },
    ],
    [
      'one finished container next to a running one is not Completed',
      pod({
        containers: ['a', 'b'],
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [running('a'), terminated('b', 0, 'Completed')] },
      }),
      { ready: '1/2', status: 'NotReady', restarts: '0' },
    ],
  ])('%s', (_name, p, expected) => {
    const s = podDisplayStatus(p, NOW);
    expect({ ready: s.ready, status: s.status, restarts: s.restartsText }).toEqual(expected);
  });

  it('restarts sum over containers and report the latest restart', () => {
    const p = pod({ containers: ['a', 'b'], status: { phase: 'Running', containerStatuses: [running('a', true, 1, ago(7200)), running('b', true, 2, ago(90))] } });
    const s = podDisplayStatus(p, NOW);
    expect(s.restarts).toBe(3);
    expect(s.restartsText).toBe('3 (90s ago)');
  });

  it('readiness gates as true/total', () => {
    const p = pod({ status: { conditions: [{ type: 'example.com/gate', status: 'True' }] } });
    expect(podReadinessGates(p)).toBe('<none>');
    p.spec!.readinessGates = [{ conditionType: 'example.com/gate' }, { conditionType: 'other' }];
    expect(podReadinessGates(p)).toBe('1/2');
  });
});

describe('humanDuration', () => {
  it.each([
    [-5000, '<invalid>'],
    [-500, '0s'],
    [59_000, '59s'],
    [119_000, '119s'],
    [150_000, '2m30s'],
    [600_000, '10m'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [10 * 3600_000, '10h'],
    [50 * 3600_000, '2d2h'],
    [30 * 24 * 3600_000, '30d'],
    [3 * 365 * 24 * 3600_000, '3y'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

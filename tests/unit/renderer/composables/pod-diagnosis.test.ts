import { describe, expect, it } from 'vitest';
import type { PodFault } from '../../../../shared/api/chaos';
import type { Node } from '../../../../shared/api/node';
import type { Pod, PodCondition } from '../../../../shared/api/pod';
import { diagnosePod, faultsTargetingPod, shortDuration } from '../../../../renderer/composables/pod-diagnosis';
import { failingSince, httpTarget, type PodProbesContainer } from '../../../../renderer/composables/pod-diagnosis-probes';

const NOW = new Date('2026-01-01T00:10:00Z');
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();

function pod(overrides: Partial<Pod['status']> = {}, spec: Partial<Pod['spec']> = {}, meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', uid: 'u1', ...meta },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { memory: '64Mi' } } }], ...spec },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: '', state: { running: { startedAt: at(600) } } }],
      ...overrides,
    },
  } as Pod;
}

const notReadyConditions: PodCondition[] = [
  { type: 'PodScheduled', status: 'True' },
  { type: 'Initialized', status: 'True' },
  { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' },
  { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' },
];

function node(ready: 'True' | 'False' | 'Unknown', extra: Partial<Node['spec']> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1' },
    spec: extra,
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at(75) }] },
  } as Node;
}

const failingReadiness = (injected?: string): PodProbesContainer[] => [
  {
    name: 'web',
    ready: false,
    started: true,
    probes: [
      {
        type: 'readiness',
        handler: 'http-get http://:80/healthz',
        timing: { periodSeconds: 2, failureThreshold: 3, timeoutSeconds: 1, successThreshold: 1, initialDelaySeconds: 0 },
        result: 'Failure',
        consecutiveSuccesses: 0,
        consecutiveFailures: 21,
        history: [
          { time: at(60), ok: true, latencyMs: 2, message: '' },
          { time: at(42), ok: false, latencyMs: 3, message: 'HTTP probe failed with statuscode: 500' },
          { time: at(2), ok: false, latencyMs: 3, message: 'HTTP probe failed with statuscode: 500' },
        ],
        ...(injected ? { injectedFailure: injected } : {}),
      },
    ],
  },
];

describe('pod diagnosis', () => {
  it('has nothing to explain on a Ready pod on a Ready node', () => {
    const d = diagnosePod({ pod: pod(), node: node('True'), nodesLoaded: true, now: NOW });
    expect(d).toEqual({ verdict: 'ready', findings: [] });
  });

  it('explains a failing HTTP readiness probe with how long, the answer and the path to check', () => {
    const p = pod({ conditions: notReadyConditions, containerStatuses: [{ name: 'web', ready: false, restartCount: 0, image: 'nginx', imageID: '', state: { running: {} } }] });
    const d = diagnosePod({ pod: p, node: node('True'), nodesLoaded: true, probes: failingReadiness(), now: NOW });
    expect(d.verdict).toBe('notReady');
    expect(d.findings).toHaveLength(1);
    expect(d.findings[0]).toMatchObject({
      code: 'readinessFailing',
      severity: 'warning',
      fix: 'probe.httpStatus',
      params: { container: 'web', seconds: 42, status: '500', path: '/healthz', message: 'HTTP probe failed with statuscode: 500', injected: 0 },
      evidence: ['http-get http://:80/healthz: HTTP probe failed with statuscode: 500'],
    });
  });

  it('flags an injected probe failure and names the PodFault that targets the pod', () => {
    const p = pod({ conditions: notReadyConditions });
    const fault = {
      metadata: { name: 'unready-web', namespace: 'default' },
      spec: { action: 'failReadiness', selector: {}, duration: '60s' },
      status: { phase: 'Injected', targets: [{ kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' }] },
    } as unknown as PodFault;
    const reverted = { ...fault, metadata: { name: 'old', namespace: 'default' }, status: { phase: 'Reverted', targets: fault.status!.targets } } as PodFault;
    const other = { ...fault, metadata: { name: 'other', namespace: 'default' }, status: { phase: 'Injected', targets: [{ kind: 'Pod', name: 'web-2', uid: 'u2' }] } } as PodFault;
    expect(faultsTargetingPod(p, [fault, reverted, other]).map((f) => f.metadata.name)).toEqual(['unready-web']);
    const d = diagnosePod({ pod: p, probes: failingReadiness('injected by PodFault default/unready-web'), podFaults: [fault, reverted, other], now: NOW });
    expect(d.findings.map((f) => f.code)).toEqual(['faultInjected', 'readinessFailing']);
    expect(d.findings[0].params).toMatchObject({ fault: 'unready-web', action: 'failReadiness' });
    expect(d.findings[1]).toMatchObject({ fix: 'probe.injected', params: { injected: 1, message: 'injected by PodFault default/unready-web' } });
  });

  it('explains an unschedulable pod from its condition and the scheduler decision, with a capacity fix', () => {
    const decision = { result: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.', evaluated: 2, feasible: 0, nodes: { 'node-1': { filter: 'Insufficient cpu' }, 'node-2': { filter: 'Insufficient cpu' } } };
    const p = pod(
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' }], containerStatuses: [] },
      { nodeName: undefined },
      { annotations: { 'scheduler.bosun.dev/decision': JSON.stringify(decision) } },
    );
    const d = diagnosePod({ pod: p, now: NOW });
    expect(d.verdict).toBe('notScheduled');
    expect(d.findings).toEqual([
      { code: 'unschedulable', severity: 'error', params: {}, fix: 'unschedulable.capacity', evidence: ['0/2 nodes are available: 2 Insufficient cpu.', 'node-1: Insufficient cpu', 'node-2: Insufficient cpu'] },
    ]);
  });

  it('reports image pulls, config errors and crash loops with the reason, message and last exit', () => {
    const p = pod(
      {
        phase: 'Pending',
        conditions: notReadyConditions,
        containerStatuses: [
          { name: 'web', ready: false, restartCount: 0, image: 'nginx:nope', imageID: '', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:nope"' } } },
          { name: 'cfg', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "app-config" not found' } } },
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            image: 'busybox',
            imageID: '',
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app' } },
            lastState: { terminated: { exitCode: 3, reason: 'Error' } },
          },
        ],
      },
      { containers: [{ name: 'web', image: 'nginx:nope' }, { name: 'cfg', image: 'busybox' }, { name: 'app', image: 'busybox' }] },
    );
    const d = diagnosePod({ pod: p, node: node('True'), nodesLoaded: true, now: NOW });
    expect(d.verdict).toBe('notRunning');
    expect(d.findings.map((f) => [f.code, f.params.container])).toEqual([
      ['imagePull', 'web'],
      ['configError', 'cfg'],
      ['crashLoop', 'app'],
    ]);
    expect(d.findings[0]).toMatchObject({ params: { image: 'nginx:nope', reason: 'ImagePullBackOff' }, evidence: ['Back-off pulling image "nginx:nope"'] });
    expect(d.findings[1].evidence).toEqual(['configmap "app-config" not found']);
    expect(d.findings[2].params).toMatchObject({ restarts: 5, exitCode: 3, reason: 'Error' });
  });

  it('names an OOMKilled last termination with the memory limit', () => {
    const p = pod({ containerStatuses: [{ name: 'web', ready: true, restartCount: 2, image: 'nginx', imageID: '', state: { running: {} }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] });
    const d = diagnosePod({ pod: p, node: node('True'), nodesLoaded: true, now: NOW });
    expect(d.verdict).toBe('ready');
    expect(d.findings).toEqual([{ code: 'oomKilled', severity: 'error', params: { container: 'web', limit: '64Mi', restarts: 2 }, evidence: ['exitCode 137'] }]);
  });

  it('puts a Terminating pod on an unreachable node first, then the node, then context (cordon, taints)', () => {
    const p = pod({ conditions: notReadyConditions }, {}, { deletionTimestamp: at(120) });
    const n = node('Unknown', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    const d = diagnosePod({ pod: p, node: n, nodesLoaded: true, now: NOW });
    expect(d.verdict).toBe('terminating');
    expect(d.findings.map((f) => f.code)).toEqual(['terminatingUnreachable', 'nodeUnreachable', 'nodeCordoned', 'nodeTainted']);
    expect(d.findings[0].params).toEqual({ node: 'node-1', since: '2m' });
    expect(d.findings[1]).toMatchObject({ params: { since: '1m15s' }, evidence: ['Kubelet stopped posting node status.'] });
    // The lifecycle taints are explained by the Ready condition; only the others are listed.
    expect(d.findings[3].evidence).toEqual(['dedicated=gpu:NoSchedule']);
  });

  it('says the node is gone only once the node list has loaded', () => {
    expect(diagnosePod({ pod: pod(), now: NOW }).findings).toEqual([]);
    expect(diagnosePod({ pod: pod(), nodesLoaded: true, now: NOW }).findings.map((f) => f.code)).toEqual(['nodeMissing']);
  });

  it('falls back to the ContainersReady message when nothing more specific explains it', () => {
    const d = diagnosePod({ pod: pod({ conditions: notReadyConditions }), node: node('True'), nodesLoaded: true, now: NOW });
    expect(d.findings).toEqual([{ code: 'containersNotReady', severity: 'warning', params: {}, evidence: ['containers with unready status: [web]'] }]);
  });

  it('reads probe streaks, handler targets and durations', () => {
    expect(failingSince([{ time: 'a', ok: false, latencyMs: 0, message: '' }, { time: 'b', ok: true, latencyMs: 0, message: '' }])).toBeUndefined();
    expect(failingSince([{ time: 'a', ok: false, latencyMs: 0, message: '' }, { time: 'b', ok: false, latencyMs: 0, message: '' }])).toBe('a');
    expect(httpTarget('http-get http://:8080/healthz')).toEqual({ port: '8080', path: '/healthz' });
    expect(httpTarget('http-get https://10.0.0.1:http')).toEqual({ port: 'http', path: '/' });
    expect(httpTarget('tcp-socket :80')).toBeUndefined();
    expect([shortDuration(42_000), shortDuration(185_000), shortDuration(3_600_000), shortDuration(7_440_000)]).toEqual(['42s', '3m5s', '1h', '2h4m']);
  });

  it('names a failing init container and a failing exec liveness probe with its restart threshold', () => {
    const p = pod(
      {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [migrate]' },
        ],
        initContainerStatuses: [
          { name: 'migrate', ready: false, restartCount: 3, image: 'busybox', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } }, lastState: { terminated: { exitCode: 2, reason: 'Error' } } },
        ],
        containerStatuses: [{ name: 'web', ready: false, restartCount: 0, image: 'nginx', imageID: '', state: { waiting: { reason: 'PodInitializing' } } }],
      },
      { initContainers: [{ name: 'migrate', image: 'busybox' }] },
    );
    const init = diagnosePod({ pod: p, node: node('True'), nodesLoaded: true, now: NOW });
    expect(init.verdict).toBe('notRunning');
    // Reported once, as the init container holding the app containers back.
    expect(init.findings).toEqual([
      { code: 'initFailing', severity: 'error', params: { container: 'migrate', reason: 'CrashLoopBackOff', exitCode: 2, pod: 'web-1' }, evidence: ['back-off 20s'] },
    ]);

    const liveness: PodProbesContainer[] = [
      {
        name: 'web',
        ready: true,
        started: true,
        probes: [
          {
            type: 'liveness',
            handler: 'exec [cat /tmp/healthy]',
            timing: { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 1, successThreshold: 1, initialDelaySeconds: 0 },
            result: 'Failure',
            consecutiveSuccesses: 0,
            consecutiveFailures: 2,
            history: [{ time: at(10), ok: false, latencyMs: 4, message: 'command exited with 1' }],
          },
        ],
      },
    ];
    const d = diagnosePod({ pod: pod(), node: node('True'), nodesLoaded: true, probes: liveness, now: NOW });
    expect(d.findings).toEqual([
      {
        code: 'livenessFailing',
        severity: 'error',
        fix: 'probe.exec',
        params: expect.objectContaining({ container: 'web', seconds: 10, threshold: 3, command: '[cat /tmp/healthy]', message: 'command exited with 1' }),
        evidence: ['exec [cat /tmp/healthy]: command exited with 1'],
      },
    ]);
  });
});

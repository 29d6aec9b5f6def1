import { describe, expect, it } from 'vitest';
import { addDefaultTolerations, pods } from '../../../main/apiserver/registry/pods';
import { defaultPullPolicy } from '../../../main/apiserver/registry/pod-defaults';
import { POD_UPDATE_FORBIDDEN_MESSAGE } from '../../../main/apiserver/registry/pod-update';
import type { Pod } from '../../../shared/api/pod';
import { cells, clone, created, createErrors, updateErrors } from './helpers';

const base = (spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec },
  ...extra,
});

describe('pod defaults', () => {
  it('produce the shape a real cluster stores', () => {
    const pod = created(
      pods,
      base({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }] }),
    );
    expect(pod.spec).toEqual({
      containers: [
        {
          name: 'web',
          image: 'nginx',
          imagePullPolicy: 'Always',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          readinessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
    });
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('imagePullPolicy follows the tag', () => {
    expect(defaultPullPolicy('nginx')).toBe('Always');
    expect(defaultPullPolicy('nginx:latest')).toBe('Always');
    expect(defaultPullPolicy('nginx:1.27')).toBe('IfNotPresent');
    expect(defaultPullPolicy('localhost:5000/app')).toBe('Always');
    expect(defaultPullPolicy('localhost:5000/app:v2')).toBe('IfNotPresent');
    expect(defaultPullPolicy('busybox@sha256:abc')).toBe('IfNotPresent');
  });

  it('requests default to limits and QoS is computed', () => {
    const pod = created(pods, base({ containers: [{ name: 'web', image: 'nginx:1', resources: { limits: { cpu: '500m', memory: '64Mi' } } }] }));
    expect((pod.spec as any).containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '500m', memory: '64Mi' } });
    expect((pod.status as any).qosClass).toBe('Guaranteed');
    const burst = created(pods, base({ containers: [{ name: 'web', image: 'nginx:1', resources: { requests: { cpu: '100m' } } }] }));
    expect((burst.status as any).qosClass).toBe('Burstable');
  });

  it('volumes without a source become emptyDir; configMap/secret modes default to 0644', () => {
    const pod = created(pods, base({ volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }, { name: 's', secret: { secretName: 's' } }] }));
    expect((pod.spec as any).volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
      { name: 's', secret: { secretName: 's', defaultMode: 420 } },
    ]);
  });

  it('default tolerations are an admission step, added on request', () => {
    const pod = created(pods, base()) as Pod;
    expect(pod.spec!.tolerations).toBeUndefined();
    addDefaultTolerations(pod);
    addDefaultTolerations(pod);
    expect(pod.spec!.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  it('defaulting twice changes nothing (updates re-run defaults)', () => {
    const once = created(pods, base({ containers: [{ name: 'a', image: 'x', livenessProbe: { tcpSocket: { port: 8080 } } }] }));
    const twice = clone(once);
    pods.defaults!(twice);
    expect(twice).toEqual(once);
  });
});

describe('pod validation', () => {
  it('accepts a minimal pod', () => {
    expect(createErrors(pods, base())).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['missing image', { containers: [{ name: 'web' }] }, ['spec.containers[0].image: Required value']],
    ['no containers', { containers: [] }, ['spec.containers: Required value']],
    [
      'bad container name',
      { containers: [{ name: 'Web', image: 'x' }] },
      [
        "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
    [
      'duplicate container names across init and app containers',
      { initContainers: [{ name: 'a', image: 'x' }], containers: [{ name: 'a', image: 'x' }] },
      ['spec.containers[0].name: Duplicate value: "a"'],
    ],
    ['port 0', { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] }, ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    [
      'protocol enum',
      { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, protocol: 'HTTP' }] }] },
      ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'bad quantity',
      { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: 'lots' } } }] },
      // Requests default to limits, so the bad value shows up in both.
      [
        "spec.containers[0].resources.limits[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        "spec.containers[0].resources.requests[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      ],
    ],
    [
      'requests above limits',
      { containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] },
      ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    ],
    [
      'restartPolicy enum',
      { restartPolicy: 'Sometimes' },
      ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ],
    [
      'env var name',
      { containers: [{ name: 'a', image: 'x', env: [{ name: '1X', value: 'v' }] }] },
      [
        "spec.containers[0].env[0].name: Invalid value: \"1X\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      ],
    ],
    ['volume mount of an unknown volume', { containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] }, ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    ['probe without handler', { containers: [{ name: 'a', image: 'x', livenessProbe: { periodSeconds: 5 } }] }, ['spec.containers[0].livenessProbe: Required value: must specify a handler type']],
    [
      'liveness successThreshold must be 1',
      { containers: [{ name: 'a', image: 'x', livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }] },
      ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    ],
    [
      'named probe port must be an IANA name',
      { containers: [{ name: 'a', image: 'x', readinessProbe: { httpGet: { port: 'Web_Port' } } }] },
      [
        'spec.containers[0].readinessProbe.httpGet.port: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    ],
    [
      'tolerationSeconds only with NoExecute',
      { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] },
      ['spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set'],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(createErrors(pods, base(spec))).toEqual(expected);
  });

  it('validates metadata too', () => {
    expect(createErrors(pods, { metadata: { name: 'web_1', namespace: 'default' }, spec: { containers: [{ name: 'a', image: 'x' }] } })[0]).toMatch(
      /^metadata.name: Invalid value: "web_1": a lowercase RFC 1123 subdomain/,
    );
  });
});

describe('pod updates', () => {
  const stored = () => created(pods, base({ nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1' }], tolerations: [{ key: 'a', operator: 'Exists' }] }));

  it('allows image changes, added tolerations and a shorter activeDeadlineSeconds', () => {
    const old = stored();
    const next = clone(old) as any;
    next.spec.containers[0].image = 'nginx:2';
    next.spec.tolerations.push({ key: 'b', operator: 'Exists' });
    expect(updateErrors(pods, old, next)).toEqual([]);
  });

  it('forbids other spec changes with the Kubernetes message', () => {
    const old = stored();
    const next = clone(old) as any;
    next.spec.containers[0].env = [{ name: 'A', value: '1' }];
    const errs = updateErrors(pods, old, next);
    expect(errs).toHaveLength(1);
    expect(errs[0].startsWith(`spec: Forbidden: ${POD_UPDATE_FORBIDDEN_MESSAGE}\n`)).toBe(true);
    expect(POD_UPDATE_FORBIDDEN_MESSAGE).toBe(
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
  });

  it('forbids removing tolerations', () => {
    const old = stored();
    const next = clone(old) as any;
    next.spec.tolerations = [];
    expect(updateErrors(pods, old, next)[0]).toMatch(/^spec: Forbidden: pod updates may not change/);
  });

  it('nodeName is immutable once set', () => {
    const old = stored();
    const next = clone(old) as any;
    next.spec.nodeName = 'node-2';
    expect(updateErrors(pods, old, next)).toEqual(['spec.nodeName: Invalid value: "node-2": field is immutable']);
  });

  it('activeDeadlineSeconds may only shrink', () => {
    const old = created(pods, base({ activeDeadlineSeconds: 60 }));
    const longer = clone(old) as any;
    longer.spec.activeDeadlineSeconds = 120;
    expect(updateErrors(pods, old, longer)).toEqual(['spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value']);
    const shorter = clone(old) as any;
    shorter.spec.activeDeadlineSeconds = 30;
    expect(updateErrors(pods, old, shorter)).toEqual([]);
  });
});

describe('pod columns', () => {
  it('READY STATUS RESTARTS AGE, then IP NODE NOMINATED NODE READINESS GATES with -o wide', () => {
    const now = new Date('2026-01-01T00:10:00Z');
    const pod = created(pods, base({ nodeName: 'node-1' }, {})) as any;
    pod.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    pod.status = {
      phase: 'Running',
      podIP: '10.244.1.5',
      podIPs: [{ ip: '10.244.1.5' }],
      containerStatuses: [
        { name: 'web', ready: true, restartCount: 2, image: 'nginx', imageID: '', state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:05:00Z' } } },
      ],
    };
    expect(cells(pods, pod, now, true)).toEqual({
      Ready: '1/1',
      Status: 'Running',
      Restarts: '2 (5m ago)',
      Age: '2026-01-01T00:00:00Z',
      IP: '10.244.1.5',
      Node: 'node-1',
      'Nominated Node': '<none>',
      'Readiness Gates': '<none>',
    });
    expect(pods.columns!.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Ready', 'Status', 'Restarts', 'Age']);
  });
});

describe('DefaultTolerationSeconds admission plugin', () => {
  it('adds the two NoExecute tolerations on pod create only', async () => {
    const { defaultTolerationSeconds } = await import('../../../main/apiserver/registry');
    const pod = created(pods, base()) as Pod;
    const ctx = { operation: 'CREATE' as const, object: pod, request: { verb: 'create' as const, group: '', version: 'v1', resource: 'pods' }, resource: pods, dryRun: false };
    await defaultTolerationSeconds.admit!({ ...ctx, operation: 'UPDATE', oldObject: pod });
    expect(pod.spec!.tolerations).toBeUndefined();
    await defaultTolerationSeconds.admit!(ctx);
    expect(pod.spec!.tolerations!.map((t) => `${t.key}:${t.effect}:${t.tolerationSeconds}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute:300',
      'node.kubernetes.io/unreachable:NoExecute:300',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ConfigMap, Secret } from '../../../../shared/api/config';
import type { Container, Pod } from '../../../../shared/api/pod';
import { createEnvResolver, expandCommandAndArgs, expandVars, type ConfigSource } from '../../../../main/kubelet/env';
import { KubeletError } from '../../../../main/kubelet/types';
import type { ContainerRuntime } from '../../../../main/runtime/runtime';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function source(cms: Record<string, ConfigMap['data']>, secrets: Record<string, Record<string, string>>, allocatable = { cpu: '4', memory: '8Gi' }): ConfigSource {
  return {
    configMap: async (ns, name) => (cms[name] ? { metadata: { name, namespace: ns }, data: cms[name] } : undefined),
    secret: async (ns, name) =>
      secrets[name] ? ({ metadata: { name, namespace: ns }, data: Object.fromEntries(Object.entries(secrets[name]).map(([k, v]) => [k, b64(v)])) } as Secret) : undefined,
    nodeAllocatable: async () => allocatable,
  };
}

const pod = (container: Container): Pod => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web', tier: 'fe' }, annotations: { note: 'hi' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'default', containers: [container] },
  status: { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], hostIP: '172.18.0.1' },
});

async function resolve(container: Container, src = source({}, {}), events: string[] = []) {
  const r = createEnvResolver({ source: src, recorder: { event: (_o, type, reason, msg) => events.push(`${type} ${reason} ${msg}`) } });
  const env = await r.resolve(pod(container), container);
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

async function failure(container: Container, src = source({}, {})): Promise<KubeletError> {
  const r = createEnvResolver({ source: src });
  const err = await r.resolve(pod(container), container).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KubeletError);
  expect((err as KubeletError).reason).toBe('CreateContainerConfigError');
  return err as KubeletError;
}

describe('expandVars (Kubernetes expansion semantics)', () => {
  const m = { A: 'a', EMPTY: '' };
  it.each([
    ['$(A)', 'a'],
    ['x$(A)y', 'xay'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$a'],
    ['$$', '$'],
    ['$', '$'],
    ['$(A', '$(A'],
    ['$A', '$A'],
    ['$(EMPTY)x', 'x'],
    ['$()', '$()'],
    ['a$', 'a$'],
  ])('%s → %s', (input, want) => expect(expandVars(input, m)).toBe(want));

  it('expands command and args against the resolved env', () => {
    const c: Container = { name: 'c', command: ['sh', '-c', 'echo $(GREETING) $$(HOME)'], args: ['$(NOPE)'] };
    expect(expandCommandAndArgs(c, [{ name: 'GREETING', value: 'hello' }])).toEqual({ command: ['sh', '-c', 'echo hello $(HOME)'], args: ['$(NOPE)'] });
  });
});

describe('EnvResolver', () => {
  it('resolves values, earlier references, configMap and secret keys', async () => {
    const env = await resolve(
      {
        name: 'c',
        env: [
          { name: 'LATER_REF', value: '$(B)' },
          { name: 'A', value: 'one' },
          { name: 'B', value: '$(A)-two' },
          { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
          { name: 'SEC', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
          { name: 'OPTKEY', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey', optional: true } } },
        ],
      },
      source({ cfg: { color: 'blue' } }, { creds: { password: 's3cr3t' } }),
    );
    expect(env).toEqual({ LATER_REF: '$(B)', A: 'one', B: 'one-two', CM: 'blue', SEC: 's3cr3t' });
  });

  it('fails with Kubernetes messages for missing required sources and keys', async () => {
    const src = source({ cfg: { color: 'blue' } }, { creds: { user: 'u' } });
    expect((await failure({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }] }, src)).message).toBe('configmap "x" not found');
    expect((await failure({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'y' } } }] }, src)).message).toBe(
      "couldn't find key y in ConfigMap shop/cfg",
    );
    expect((await failure({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] }, src)).message).toBe('secret "gone" not found');
    expect((await failure({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'pw' } } }] }, src)).message).toBe(
      "couldn't find key pw in Secret shop/creds",
    );
    expect((await failure({ name: 'c', envFrom: [{ configMapRef: { name: 'absent' } }] }, src)).message).toBe('configmap "absent" not found');
    expect((await failure({ name: 'c', envFrom: [{ secretRef: { name: 'absent' } }] }, src)).message).toBe('secret "absent" not found');
  });

  it('envFrom with prefix, optional sources, invalid keys skipped with an event, env overriding envFrom', async () => {
    const events: string[] = [];
    const env = await resolve(
      {
        name: 'c',
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }, { configMapRef: { name: 'missing', optional: true } }, { configMapRef: { name: 'bad' } }],
        env: [{ name: 'user', value: 'override-$(CFG_color)' }],
      },
      source({ cfg: { color: 'red' }, bad: { '1abc': 'x', 'a b': 'y', ok: 'z' } }, { creds: { user: 'admin' } }),
      events,
    );
    expect(env).toEqual({ CFG_color: 'red', user: 'override-red', ok: 'z' });
    expect(events).toEqual([
      'Warning InvalidEnvironmentVariableNames Keys [1abc, a b] from the EnvFrom configMap shop/bad were skipped since they are considered invalid environment variable names.',
    ]);
  });

  it('fieldRef paths', async () => {
    const fields = [
      'metadata.name', 'metadata.namespace', 'metadata.uid', "metadata.labels['app']", "metadata.annotations['note']", "metadata.labels['none']",
      'spec.nodeName', 'spec.serviceAccountName', 'status.podIP', 'status.hostIP', 'status.podIPs', 'metadata.labels',
    ];
    const env = await resolve({ name: 'c', env: fields.map((f, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath: f } } })) });
    expect(Object.values(env)).toEqual(['web', 'shop', 'u-1', 'web', 'hi', '', 'node-1', 'default', '10.244.1.5', '172.18.0.1', '10.244.1.5', 'app="web"\ntier="fe"']);
    expect((await failure({ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] })).message).toBe('unsupported fieldPath: spec.bogus');
  });

  it('resourceFieldRef with divisors; unset limits default to node allocatable', async () => {
    const env = await resolve({
      name: 'c',
      resources: { limits: { memory: '128Mi' }, requests: { cpu: '250m' } },
      env: [
        { name: 'LIM_MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        { name: 'LIM_MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'LIM_CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'LIM_CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'REQ_CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
        { name: 'REQ_CPU_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'REQ_MEM', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
      ],
    });
    expect(env).toEqual({ LIM_MEM: String(128 * 1024 * 1024), LIM_MEM_MI: '128', LIM_CPU: '4', LIM_CPU_M: '4000', REQ_CPU: '1', REQ_CPU_M: '250', REQ_MEM: '0' });
  });

  it('appends service variables unless overridden, and they take part in expansion', async () => {
    const r = createEnvResolver({ source: source({}, {}), serviceEnvironment: async () => ({ DB_SERVICE_HOST: '10.96.0.10', A: 'svc' }) });
    const c: Container = { name: 'c', env: [{ name: 'A', value: 'mine' }, { name: 'URL', value: 'http://$(DB_SERVICE_HOST)' }] };
    const env = await r.resolve(pod(c), c);
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toEqual({ A: 'mine', URL: 'http://10.96.0.10', DB_SERVICE_HOST: '10.96.0.10' });
    const p = pod(c);
    p.spec!.enableServiceLinks = false;
    expect((await r.resolve(p, c)).map((e) => e.name)).toEqual(['A', 'URL']);
  });

  it('pod and host IPs come from the caller, else the sandbox and the Node, when the pod status lacks them', async () => {
    const c: Container = {
      name: 'c',
      env: [
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      ],
    };
    const bare = pod(c);
    delete bare.status;
    const src: ConfigSource = { ...source({}, {}), nodeInternalIP: async (n) => (n === 'node-1' ? '10.244.1.1' : undefined) };
    const runtime = {
      listContainers: async (labels: Record<string, string>) =>
        labels['bosun.pod.uid'] === 'u-1' && labels['bosun.container.name'] === 'POD' ? [{ id: 'sb', state: 'running', ip: '10.244.1.9' }] : [],
    } as unknown as ContainerRuntime;
    const viaLookups = await createEnvResolver({ source: src, runtime }).resolve(bare, c);
    expect(viaLookups).toEqual([{ name: 'POD_IP', value: '10.244.1.9' }, { name: 'HOST_IP', value: '10.244.1.1' }]);
    const given = await createEnvResolver({ source: src, runtime }).resolve(bare, c, { podIPs: ['10.244.1.20'], hostIPs: ['10.244.1.2'] });
    expect(given).toEqual([{ name: 'POD_IP', value: '10.244.1.20' }, { name: 'HOST_IP', value: '10.244.1.2' }]);
  });
});

// Pod Security admission through the real RestHandler: enforcement on pods with Kubernetes' 403 text,
// namespace labels (enforce/warn), warnings for workloads, exemptions and status updates.
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, isNotFound } from '../../../../shared/api/errors';
import type { Container, Pod, PodSpec } from '../../../../shared/api/pod';
import { createPodSecurityAdmission, namespaceLabelsFrom } from '../../../../main/apiserver/admission/pod-security';
import { checkPodSecurity } from '../../../../main/apiserver/admission/pod-security-checks';
import { builtinResources } from '../../../../main/apiserver/registry';
import { RestHandler } from '../../../../main/apiserver/rest/handler';
import { KubeClient } from '../../../../main/client/client';
import { MemoryStore } from '../../../../main/store/memory-store';

let handler: RestHandler;
let client: KubeClient;

beforeEach(async () => {
  handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  client = new KubeClient(handler, 'admin');
  handler.addAdmission(
    createPodSecurityAdmission({
      namespaceLabels: namespaceLabelsFrom((n) => client.namespaces().get(undefined, n).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)))),
      exemptNamespaces: ['kube-system'],
    }),
  );
  for (const [name, labels] of [
    ['default', undefined],
    ['kube-system', undefined],
    ['open', { 'pod-security.kubernetes.io/enforce': 'privileged' }],
    ['strict', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.32' }],
    ['warned', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }],
  ] as const) {
    await client.namespaces().create(undefined, { metadata: { name, labels: labels ? { ...labels } : undefined } });
  }
});

const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', ...extra });
const pod = (name: string, spec: Partial<PodSpec>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [c('c')], ...spec } });

async function rejected(ns: string, p: Pod): Promise<ApiError> {
  const e = await client.pods().create(ns, p).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

async function createWithWarnings(ns: string, resource: { group: string; version: string; resource: string }, body: unknown): Promise<string[]> {
  const warnings: string[] = [];
  await handler.handle({ verb: 'create', ...resource, namespace: ns, body, user: 'admin', onWarning: (w) => warnings.push(w) });
  return warnings;
}

describe('Pod Security admission', () => {
  it('baseline by default: the exact Kubernetes 403 message, checks in Kubernetes order', async () => {
    const e = await rejected(
      'default',
      pod('x', { containers: [c('c', { securityContext: { privileged: true } })], volumes: [{ name: 'h', hostPath: { path: '/' } }] }),
    );
    expect(e.code).toBe(403);
    expect(e.reason).toBe('Forbidden');
    expect(e.message).toBe('pods "x" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "h"), privileged (container "c" must not set securityContext.privileged=true)');
    expect((await rejected('default', pod('n', { hostNetwork: true, hostPID: true }))).message).toBe(
      'pods "n" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true)',
    );
    expect(
      (await rejected('default', pod('p', { containers: [c('a', { ports: [{ containerPort: 80, hostPort: 8080 }] }), c('b', { ports: [{ containerPort: 81, hostPort: 8081 }], securityContext: { capabilities: { add: ['NET_ADMIN', 'CHOWN', 'SYS_TIME'] } } })] }))).message,
    ).toBe(
      'pods "p" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "b" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add), hostPort (containers "a", "b" use hostPorts 8080, 8081)',
    );
    expect((await rejected('default', pod('s', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }))).message).toBe(
      'pods "s" is forbidden: violates PodSecurity "baseline:latest": forbidden sysctls (kernel.msgmax)',
    );
    // Allowed at baseline: default capabilities, safe sysctls, ordinary volumes.
    await client.pods().create('default', pod('ok', { containers: [c('c', { securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } } })], volumes: [{ name: 'e', emptyDir: {} }] }));
  });

  it('namespace labels: privileged allows everything, restricted with its version, exempt namespaces', async () => {
    await client.pods().create('open', pod('root', { hostNetwork: true, containers: [c('c', { securityContext: { privileged: true } })] }));
    await client.pods().create('kube-system', pod('sys', { hostPID: true }));
    expect((await rejected('strict', pod('r', {}))).message).toBe(
      'pods "r" is forbidden: violates PodSecurity "restricted:v1.32": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    const hardened = pod('good', {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } as never,
      containers: [c('c', { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } })],
      volumes: [{ name: 'cfg', configMap: { name: 'x' } }],
    });
    await client.pods().create('strict', hardened);
    const withHostPath = structuredClone(hardened);
    withHostPath.metadata.name = 'hp';
    withHostPath.spec!.volumes = [{ name: 'h', hostPath: { path: '/tmp' } }];
    expect((await rejected('strict', withHostPath)).message).toBe(
      'pods "hp" is forbidden: violates PodSecurity "restricted:v1.32": hostPath volumes (volume "h"), restricted volume types (volume "h" uses restricted volume type "hostPath")',
    );
  });

  it('warn label: admitted pods get a warning for the warn level', async () => {
    const warnings = await createWithWarnings('warned', { group: '', version: 'v1', resource: 'pods' }, pod('w', {}));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c"/);
  });

  it('workloads are admitted with warnings; their pods would be rejected', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'priv' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [c('c', { securityContext: { privileged: true } })] } } },
    };
    const warnings = await createWithWarnings('default', { group: 'apps', version: 'v1', resource: 'deployments' }, deployment);
    expect(warnings).toEqual(['would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)']);
    await client.deployments().get('default', 'priv');
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', hostNetwork: true, containers: [c('c')] } } } } },
    };
    expect(await createWithWarnings('default', { group: 'batch', version: 'v1', resource: 'cronjobs' }, cron)).toEqual([
      'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
    ]);
  });

  it('status updates and metadata-only updates of existing pods are not re-checked', async () => {
    await client.pods().create('open', pod('root', { containers: [c('c', { securityContext: { privileged: true } })] }));
    const ns = await client.namespaces().get(undefined, 'open');
    await client.namespaces().update(undefined, { ...ns, metadata: { ...ns.metadata, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
    const p = await client.pods<Pod>().get('open', 'root');
    await client.pods().updateStatus('open', { ...p, status: { phase: 'Running' } });
    const fresh = await client.pods<Pod>().get('open', 'root');
    await client.pods().update('open', { ...fresh, metadata: { ...fresh.metadata, labels: { touched: 'yes' } } });
  });

  it('checks are pure functions of the spec', () => {
    expect(checkPodSecurity('privileged', {}, { containers: [c('c', { securityContext: { privileged: true } })] })).toEqual([]);
    expect(checkPodSecurity('baseline', {}, { containers: [c('a', { securityContext: { privileged: true } }), c('b', { securityContext: { privileged: true } })] })).toEqual([
      { reason: 'privileged', detail: 'containers "a", "b" must not set securityContext.privileged=true' },
    ]);
  });
});

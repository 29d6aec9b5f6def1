// PodFault and ServiceFault injectors on the real Docker engine: an in-process lab (2 nodes) runs a
// busybox httpd Deployment with readiness and liveness probes and a 32Mi memory limit behind a NodePort.
// Each action shows what Kubernetes clients would see, and each revert brings the pod or Service back.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAOS_API_VERSION, CHAOS_GROUP, CHAOS_VERSION, type PodFault, type PodFaultSpec, type ServiceFault } from '../../shared/api/chaos';
import { isNotFound } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import { createPodFaultInjector } from '../../main/chaos/pod-faults';
import { createServiceFaultInjector } from '../../main/chaos/service-faults';
import { KubeClient } from '../../main/client/client';
import { startLab, type Lab } from '../../main/lab';
import { createRuntime } from '../../main/runtime';
import { RuntimeLabels, type ContainerRuntime } from '../../main/runtime/runtime';
import { removeLabDockerObjects } from '../support/serve';
import { until } from '../support/until';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';

let lab: Lab;
let dataDir: string;
let client: KubeClient;
let runtime: ContainerRuntime;
let nodePort: number;
let podNames: string[] = [];


/** One GET on a fresh connection: the status code, or the error's code (ECONNRESET, …). */
function get(port: number, timeoutMs = 5000): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

const getPod = (name: string): Promise<Pod> => client.pods<Pod>().get('default', name);
const status = (p: Pod) => p.status?.containerStatuses?.find((s) => s.name === 'httpd');
const ready = (p: Pod): boolean => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
let faultCount = 0;
const podFault = (pod: string, spec: Partial<PodFaultSpec>): PodFault => ({
  kind: 'PodFault',
  metadata: { name: `f${++faultCount}`, namespace: 'default', uid: `it-fault-${faultCount}-${Date.now()}` },
  spec: { action: 'kill', selector: { pods: [`default/${pod}`] }, ...spec },
});

async function endpointIPs(): Promise<{ ready: string[]; notReady: string[] }> {
  const ep = await client.endpoints<any>().get('default', 'web');
  const subsets = ep.subsets ?? [];
  return {
    ready: subsets.flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)),
    notReady: subsets.flatMap((s: any) => (s.notReadyAddresses ?? []).map((a: any) => a.ip)),
  };
}

const injectors = () => ({
  pods: createPodFaultInjector({ client, runtime, labId: lab.labId, node: (n) => lab.nodes.kubelets.get(n) }),
  services: createServiceFaultInjector({ proxy: lab.proxy, client }),
});

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bosun-chaos-pod-'));
  lab = await startLab({ dataDir, port: 0, nodes: 2, runtime: 'docker', pauseImage: PAUSE, store: 'memory', timing: { backoffBaseMs: 1000, backoffCapMs: 4000 } });
  client = new KubeClient(lab.handler, 'system:admin');
  runtime = createRuntime('docker');
  const svc = await client.services<any>().create('default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  nodePort = svc.spec.ports[0].nodePort;
  const probe = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1, failureThreshold: 2 };
  await client.deployments().create('default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'httpd',
              image: BUSYBOX,
              command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
              ports: [{ containerPort: 8080 }],
              readinessProbe: probe,
              livenessProbe: probe,
              resources: { limits: { memory: '32Mi', cpu: '500m' } },
            },
          ],
        },
      },
    },
  });
  podNames = await until('2 ready pods', async () => {
    const list = (await client.pods<Pod>().list('default', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata.deletionTimestamp);
    return list.length === 2 && list.every(ready) ? list.map((p) => p.metadata.name!).sort() : undefined;
  }, 90_000);
  await until('endpoints', async () => (await endpointIPs()).ready.length === 2);
}, 180_000);

afterAll(async () => {
  await lab?.stop().catch(() => undefined);
  if (lab) {
    removeLabDockerObjects(lab.labId);
    // Nothing of this lab may remain (other suites' labs may share the engine, so only ours is checked).
    expect(await runtime.listContainers({ [RuntimeLabels.lab]: lab.labId }).catch(() => [])).toEqual([]);
  }
  await runtime?.close().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe('ServiceFault on a NodePort', () => {
  it('errorPercent 100 resets every connection, latency delays each, revert serves 200 again', async () => {
    const { services } = injectors();
    expect(await get(nodePort)).toBe(200);
    const errors: ServiceFault = { kind: 'ServiceFault', metadata: { name: 'errors', namespace: 'default', uid: 'it-sf-1' }, spec: { service: { name: 'web' }, errorPercent: 100 } };
    const [target] = await services.selectTargets(errors);
    const done = await services.inject(errors, target);
    for (let i = 0; i < 5; i++) expect(await get(nodePort)).toBe('ECONNRESET');
    await services.revert(errors, done);
    expect(await get(nodePort)).toBe(200);

    const slow: ServiceFault = { kind: 'ServiceFault', metadata: { name: 'slow', namespace: 'default', uid: 'it-sf-2' }, spec: { service: { name: 'web' }, latency: '500ms' } };
    const slowDone = await services.inject(slow, target);
    const t0 = Date.now();
    expect(await get(nodePort)).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    await services.revert(slow, slowDone);
    expect(await get(nodePort)).toBe(200);
  }, 60_000);
});

describe('PodFault actions on Docker', () => {
  it('kill: SIGKILL → restartCount + 1 with lastState exit 137 reason Error', async () => {
    const name = podNames[0];
    const before = status(await getPod(name))?.restartCount ?? 0;
    const { pods } = injectors();
    const f = podFault(name, { action: 'kill' });
    const [t] = await pods.selectTargets(f);
    await pods.inject(f, t);
    const after = await until('restarted', async () => {
      const p = await getPod(name);
      return (status(p)?.restartCount ?? 0) > before && status(p)?.state?.running ? p : undefined;
    });
    expect(status(after)?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    await pods.revert(f, t);
  }, 90_000);

  it('failReadiness: NotReady and out of the Endpoints; revert → Ready and back in', async () => {
    const name = podNames[0];
    const ip = (await getPod(name)).status?.podIP;
    await until('ready before', async () => ready(await getPod(name)) && (await endpointIPs()).ready.includes(ip!));
    const { pods } = injectors();
    const f = podFault(name, { action: 'failReadiness' });
    const [t] = await pods.selectTargets(f);
    const done = await pods.inject(f, t);
    await until('NotReady', async () => !ready(await getPod(name)));
    await until('left Endpoints', async () => {
      const ep = await endpointIPs();
      return !ep.ready.includes(ip!) && ep.notReady.includes(ip!);
    });
    expect(status(await getPod(name))?.restartCount).toBeDefined();
    await pods.revert(f, done);
    await until('Ready again', async () => ready(await getPod(name)));
    await until('back in Endpoints', async () => (await endpointIPs()).ready.includes(ip!));
  }, 90_000);

  it('failLiveness: the kubelet restarts the container; revert stops the restarts', async () => {
    const name = podNames[0];
    const before = status(await getPod(name))?.restartCount ?? 0;
    const { pods } = injectors();
    const f = podFault(name, { action: 'failLiveness' });
    const [t] = await pods.selectTargets(f);
    const done = await pods.inject(f, t);
    await until('restarted by liveness', async () => (status(await getPod(name))?.restartCount ?? 0) > before);
    await pods.revert(f, done);
    await until('running and ready', async () => {
      const p = await getPod(name);
      return status(p)?.state?.running && ready(p);
    });
    const settled = status(await getPod(name))?.restartCount;
    await new Promise((r) => setTimeout(r, 4000));
    expect(status(await getPod(name))?.restartCount).toBe(settled);
  }, 90_000);

  it('memoryStress above the 32Mi limit: the container is OOMKilled and restarted', async () => {
    const name = podNames[1];
    const before = status(await getPod(name))?.restartCount ?? 0;
    const { pods } = injectors();
    const f = podFault(name, { action: 'memoryStress', memory: '64Mi' });
    const [t] = await pods.selectTargets(f);
    const done = await pods.inject(f, t);
    expect(done.message).toMatch(/the kernel OOM-killed it \(OOMKilled\)/);
    const after = await until('OOMKilled', async () => {
      const p = await getPod(name);
      return (status(p)?.restartCount ?? 0) > before && status(p)?.lastState?.terminated?.reason === 'OOMKilled' ? p : undefined;
    });
    expect(status(after)?.lastState?.terminated?.exitCode).toBe(137);
    await pods.revert(f, done);
  }, 90_000);

  it('cpuStress: CPU use shows in the engine stats, and revert stops it', async () => {
    const name = podNames[1];
    await until('running', async () => status(await getPod(name))?.state?.running);
    const uid = (await getPod(name)).metadata.uid!;
    const [container] = (await runtime.listContainers({ [RuntimeLabels.podUid]: uid, [RuntimeLabels.container]: 'httpd' })).filter((c) => c.state === 'running');
    const cpu = async (): Promise<number> => {
      await runtime.stats(container.id);
      await new Promise((r) => setTimeout(r, 2000));
      return (await runtime.stats(container.id))?.cpuNanoCores ?? 0;
    };
    const { pods } = injectors();
    const f = podFault(name, { action: 'cpuStress', cpuWorkers: 1 });
    const [t] = await pods.selectTargets(f);
    const done = await pods.inject(f, t);
    expect(done.message).toBe('httpd: 1 busy worker (capped by its 500m CPU limit)');
    // Idle httpd uses ~0; the busy loop gets what the shared test machine leaves it, up to the quota.
    const busy = await cpu();
    expect(busy).toBeGreaterThan(100_000_000);
    // Docker enforces the 500m quota (with some sampling slack).
    expect(busy).toBeLessThan(700_000_000);
    await pods.revert(f, done);
    await until('idle again', async () => (await cpu()) < 50_000_000, 20_000);
  }, 90_000);

  it('imagePullFailure: ErrImagePull/ImagePullBackOff, then revert → running again', async () => {
    const name = podNames[1];
    await until('running', async () => status(await getPod(name))?.state?.running);
    const { pods } = injectors();
    const f = podFault(name, { action: 'imagePullFailure' });
    const [t] = await pods.selectTargets(f);
    const done = await pods.inject(f, t);
    const waiting = await until('pull failure', async () => {
      const w = status(await getPod(name))?.state?.waiting;
      return w?.reason === 'ErrImagePull' || w?.reason === 'ImagePullBackOff' ? w : undefined;
    });
    expect(waiting.message).toMatch(/registry refused the pull \(injected by PodFault default\/f\d+\)/);
    await until('ImagePullBackOff', async () => status(await getPod(name))?.state?.waiting?.reason === 'ImagePullBackOff');
    await pods.revert(f, done);
    await until('running after revert', async () => {
      const p = await getPod(name);
      return status(p)?.state?.running && ready(p);
    });
  }, 90_000);
});

describe('PodFault and ServiceFault as API objects (the fault controller drives the injectors)', () => {
  const gvr = (resource: string) => ({ group: CHAOS_GROUP, version: CHAOS_VERSION, resource });
  const gone = async (resource: string, name: string): Promise<boolean> =>
    client.resource(gvr(resource)).get('default', name).then(
      () => false,
      (e: unknown) => isNotFound(e),
    );

  it('a failReadiness PodFault: Injected with its target, NotReady; deleting it reverts (finalizer) → Ready', async () => {
    const name = podNames[0];
    await until('ready before', async () => ready(await getPod(name)));
    const faults = client.resource<PodFault>(gvr('podfaults'));
    await faults.create('default', {
      apiVersion: CHAOS_API_VERSION,
      kind: 'PodFault',
      metadata: { name: 'not-ready', namespace: 'default' },
      spec: { action: 'failReadiness', selector: { pods: [name] } },
    });
    const injected = await until('Injected', async () => {
      const f = await faults.get('default', 'not-ready');
      return f.status?.phase === 'Injected' ? f : undefined;
    });
    expect(injected.status?.targets).toEqual([expect.objectContaining({ kind: 'Pod', namespace: 'default', name, containers: ['httpd'], injectedAt: expect.any(String) })]);
    expect(injected.status?.targets?.[0].message).toMatch(/readiness probe of httpd fails/);
    await until('NotReady', async () => !ready(await getPod(name)));
    await faults.delete('default', 'not-ready');
    await until('fault gone after revert', () => gone('podfaults', 'not-ready'));
    await until('Ready again', async () => ready(await getPod(name)));
  }, 90_000);

  it('a ServiceFault with errorPercent 100 resets NodePort connections until deleted', async () => {
    const faults = client.resource<ServiceFault>(gvr('servicefaults'));
    await faults.create('default', {
      apiVersion: CHAOS_API_VERSION,
      kind: 'ServiceFault',
      metadata: { name: 'errors', namespace: 'default' },
      spec: { service: { name: 'web' }, errorPercent: 100 },
    });
    await until('Injected', async () => (await faults.get('default', 'errors')).status?.phase === 'Injected');
    expect(await get(nodePort)).toBe('ECONNRESET');
    await faults.delete('default', 'errors');
    await until('fault gone after revert', () => gone('servicefaults', 'errors'));
    expect(await get(nodePort)).toBe(200);
  }, 60_000);
});

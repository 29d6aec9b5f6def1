// Config, volumes and probes on the real Docker engine: an in-process control plane (apiserver with
// Pod Security admission, scheduler, one kubelet) wired with engineer P's env resolver, volume
// manager, probe manager and handler runner — the same parts main/lab.ts passes its kubelets.
// Files and environment are read inside the containers with exec.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlreadyExists, isNotFound } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import { createPodSecurityAdmission } from '../../main/apiserver/admission/pod-security';
import { builtinResources, defaultTolerationSeconds } from '../../main/apiserver/registry';
import { RestHandler } from '../../main/apiserver/rest/handler';
import { RealClock } from '../../main/client/clock';
import { KubeClient } from '../../main/client/client';
import { SharedInformerFactory } from '../../main/client/informer-factory';
import { PvProvisioner, STORAGECLASSES } from '../../main/controllers/pv-provisioner';
import { createDefaultStorageClassAdmission } from '../../main/apiserver/admission/default-storage-class';
import { createEnvResolver } from '../../main/kubelet/env';
import { createHandlerRunner } from '../../main/kubelet/handlers';
import { LabNodes, labIdForDataDir, removeLabResources } from '../../main/kubelet/lab-nodes';
import { createProbeManager, type KubeletProbeManager } from '../../main/kubelet/probes/manager';
import { createPodProbesProvider, podProbesResource } from '../../main/kubelet/probes/podprobes';
import { DEFAULT_KUBELET_TIMING } from '../../main/kubelet/types';
import { createVolumeManager, type KubeletVolumeManager } from '../../main/kubelet/volumes/manager';
import { createRuntime, type DockerRuntime } from '../../main/runtime';
import { startScheduler, type SchedulerHandle } from '../../main/scheduler';
import { MemoryStore } from '../../main/store/memory-store';
import { removeLabDockerObjects } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';

let dataDir: string;
let labId: string;
let client: KubeClient;
let runtime: DockerRuntime;
let nodes: LabNodes;
let scheduler: SchedulerHandle;
let informers: SharedInformerFactory;
let provisioner: PvProvisioner;
const volumeManagers: KubeletVolumeManager[] = [];
const probeManagers = new Map<string, KubeletProbeManager>();

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await fn().catch((e: unknown) => `error: ${(e as Error).message}`);
    if (last && !(typeof last === 'string' && last.startsWith('error: '))) return last as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const getPod = (name: string): Promise<Pod> => client.pods<Pod>().get('default', name);
const statusOf = async (pod: string, container: string) => (await getPod(pod)).status?.containerStatuses?.find((s) => s.name === container);
const containerId = async (pod: string, container: string): Promise<string> => ((await statusOf(pod, container))?.containerID ?? '').replace('docker://', '');
async function sh(pod: string, container: string, script: string): Promise<string> {
  const r = await runtime.exec(await containerId(pod, container), ['sh', '-c', script], { timeoutMs: 10_000 });
  return r.stdout + r.stderr;
}
const isReady = (p: Pod): boolean => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const events = async (pod: string): Promise<string[]> =>
  (await client.events().list('default', { fieldSelector: `involvedObject.name=${pod}` })).items.map((e) => `${e.reason as string}: ${e.message as string}`);

async function runningPod(manifest: Pod): Promise<Pod> {
  await client.pods().create('default', manifest);
  return until(`${manifest.metadata.name} running`, async () => {
    const p = await getPod(manifest.metadata.name!);
    return p.status?.phase === 'Running' && p.status.containerStatuses?.every((s) => s.state?.running) ? p : undefined;
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bosun-config-'));
  labId = labIdForDataDir(dataDir);
  const clock = new RealClock();
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock, admission: [defaultTolerationSeconds] });
  client = new KubeClient(handler, 'admin');
  handler.addAdmission(
    createPodSecurityAdmission({
      namespaceLabels: async (ns) => (await client.namespaces().get(undefined, ns).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))))?.metadata.labels,
    }),
  );
  handler.addAdmission(createDefaultStorageClassAdmission({ listStorageClasses: async () => (await client.resource(STORAGECLASSES).list()).items }));
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await client.namespaces().create(undefined, { metadata: { name } }).catch((e: unknown) => (isAlreadyExists(e) ? undefined : Promise.reject(e)));
  }
  runtime = createRuntime('docker');
  const controlPlane = new KubeClient(handler, 'system:kube-controller-manager');
  nodes = new LabNodes({
    client: controlPlane,
    runtime,
    clock,
    timing: { ...DEFAULT_KUBELET_TIMING, backoffBaseMs: 500, podResyncMs: 5_000 },
    labId,
    pauseImage: PAUSE,
    dataDir: join(dataDir, 'kubelet'),
    parts: (deps) => {
      const handlers = createHandlerRunner({ runtime: deps.runtime, clock: deps.clock });
      const volumes = createVolumeManager({ dataDir: deps.dataDir, runtime: deps.runtime, client: deps.client, labId: deps.labId, nodeName: deps.node.name });
      volumeManagers.push(volumes);
      return {
        env: createEnvResolver({ client: deps.client, runtime: deps.runtime }),
        volumes,
        handlers,
        probes: (events, recorder) => {
          const pm = createProbeManager({ clock: deps.clock, runner: handlers, events, recorder });
          probeManagers.set(deps.node.name, pm);
          return pm;
        },
      };
    },
  });
  handler.registerVirtualResource(podProbesResource, createPodProbesProvider({ client: controlPlane, probesOnNode: (n) => probeManagers.get(n) }));
  await nodes.start(1);
  scheduler = startScheduler({ client: new KubeClient(handler, 'system:kube-scheduler'), clock });
  informers = new SharedInformerFactory(controlPlane);
  provisioner = new PvProvisioner({ client: controlPlane, informers, runtime, labId });
  informers.start();
  await provisioner.start();
}, 120_000);

afterAll(async () => {
  scheduler?.stop();
  provisioner?.stop();
  informers?.shutdown();
  for (const v of volumeManagers) v.stop();
  await nodes?.stop().catch(() => undefined);
  if (runtime) await removeLabResources(runtime, labId).catch(() => undefined);
  if (labId) removeLabDockerObjects(labId);
  await runtime?.close().catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 120_000);

const loop = "trap 'exit 0' TERM; while true; do sleep 1; done";

describe('config and volumes in real containers', () => {
  it('ConfigMap/Secret as env, envFrom and volumes; editing the ConfigMap updates the mounted file without a restart', async () => {
    await client.configMaps().create('default', { metadata: { name: 'app' }, data: { color: 'blue', 'app.conf': 'mode=one' } });
    await client.secrets().create('default', { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cr3t').toString('base64') } });
    await runningPod({
      metadata: { name: 'config', labels: { app: 'config' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [
          { name: 'cfg', configMap: { name: 'app' } },
          { name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        ],
        containers: [
          {
            name: 'c',
            image: BUSYBOX,
            command: ['sh', '-c', `echo "color is $(COLOR)"; ${loop}`],
            env: [
              { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'app', key: 'color' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'GREETING', value: 'hi-$(POD_NAME)' },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            ],
            envFrom: [{ configMapRef: { name: 'app' }, prefix: 'CFG_' }],
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/cfg' },
              { name: 'cfg', mountPath: '/etc/pinned.conf', subPath: 'app.conf' },
              { name: 'sec', mountPath: '/etc/secret' },
              { name: 'info', mountPath: '/etc/podinfo' },
            ],
          },
        ],
      },
    });
    const env = await sh('config', 'c', 'env');
    expect(env).toContain('COLOR=blue');
    expect(env).toContain('PASSWORD=s3cr3t');
    expect(env).toContain('GREETING=hi-config');
    expect(env).toContain('CFG_color=blue');
    expect(env).toContain('NODE=node-1');
    expect(env).toMatch(/POD_IP=10\.244\.1\.\d+/);
    expect(await sh('config', 'c', 'cat /etc/cfg/color; echo; cat /etc/secret/password; echo; cat /etc/podinfo/labels')).toBe('blue\ns3cr3t\napp="config"');
    expect((await sh('config', 'c', 'stat -L -c %a /etc/secret/password')).trim()).toBe('400');
    const before = await statusOf('config', 'c');

    const cm = await client.configMaps().get('default', 'app');
    await client.configMaps().update('default', { ...cm, data: { color: 'green', 'app.conf': 'mode=two' } });
    await until('mounted file updated', async () => (await sh('config', 'c', 'cat /etc/cfg/color')) === 'green', 30_000);
    expect(await sh('config', 'c', 'cat /etc/cfg/app.conf')).toBe('mode=two');
    // Kubernetes' caveat: a subPath mount is pinned to the file that existed when the container started.
    expect(await sh('config', 'c', 'cat /etc/pinned.conf')).toBe('mode=one');
    const after = await statusOf('config', 'c');
    expect(after?.restartCount).toBe(0);
    expect(after?.containerID).toBe(before?.containerID);
    expect(await sh('config', 'c', 'echo $COLOR')).toBe('blue\n'); // env is fixed at start, as in Kubernetes
  });

  it('a missing ConfigMap key keeps the container waiting with CreateContainerConfigError', async () => {
    await client.pods().create('default', {
      metadata: { name: 'misskey' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', loop], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'nope' } } }] }] },
    });
    const waiting = await until('config error', async () => {
      const s = await statusOf('misskey', 'c');
      return s?.state?.waiting?.reason === 'CreateContainerConfigError' && s.state.waiting;
    });
    expect(waiting.message).toBe("couldn't find key nope in ConfigMap default/app");
  });

  it('Pod Security admission rejects a privileged pod on the real stack', async () => {
    const err = await client
      .pods()
      .create('default', { metadata: { name: 'root' }, spec: { containers: [{ name: 'c', image: BUSYBOX, securityContext: { privileged: true } }] } })
      .then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toBe('pods "root" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
  });
});

describe('probes in real containers, each flipping both ways', () => {
  it('liveness over http: a 404 restarts the container, which comes back healthy', async () => {
    await runningPod({
      metadata: { name: 'live-http' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'web',
            image: BUSYBOX,
            command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www'],
            ports: [{ containerPort: 8080, name: 'http' }],
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      },
    });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await statusOf('live-http', 'web'))?.restartCount).toBe(0); // healthy: probed, not restarted
    await sh('live-http', 'web', 'rm /www/healthz');
    await until('restarted', async () => ((await statusOf('live-http', 'web'))?.restartCount ?? 0) >= 1);
    const ev = await events('live-http');
    expect(ev).toContain('Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 404');
    expect(ev.some((e) => e.startsWith('Killing: Container web failed liveness probe'))).toBe(true);
    // The new instance recreated the file: it stays up.
    await until('running again', async () => (await statusOf('live-http', 'web'))?.state?.running);
    const count = (await statusOf('live-http', 'web'))?.restartCount;
    await new Promise((r) => setTimeout(r, 4000));
    expect((await statusOf('live-http', 'web'))?.restartCount).toBe(count);
    const probes = (await client.resource({ group: 'lab.bosun.dev', version: 'v1alpha1', resource: 'podprobes' }).get('default', 'live-http')) as any;
    const history = probes.status.containers[0].probes[0].history as { ok: boolean }[];
    expect(history.some((h) => h.ok)).toBe(true);
    expect(history.some((h) => !h.ok)).toBe(true);
  });

  it('liveness over exec: a failing command restarts the container, which comes back healthy', async () => {
    await runningPod({
      metadata: { name: 'live-exec' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'c',
            image: BUSYBOX,
            command: ['sh', '-c', `touch /tmp/healthy; ${loop}`],
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      },
    });
    await sh('live-exec', 'c', 'rm /tmp/healthy');
    await until('restarted', async () => ((await statusOf('live-exec', 'c'))?.restartCount ?? 0) >= 1);
    expect((await events('live-exec')).some((e) => e.startsWith('Unhealthy: Liveness probe failed: cat:'))).toBe(true);
    await until('running again', async () => (await statusOf('live-exec', 'c'))?.state?.running);
    const count = (await statusOf('live-exec', 'c'))?.restartCount;
    await new Promise((r) => setTimeout(r, 4000));
    expect((await statusOf('live-exec', 'c'))?.restartCount).toBe(count);
  });

  it('readiness over tcp drives the Ready condition up and down without restarts', async () => {
    const serve = 'while true; do if [ -f /tmp/up ]; then httpd -f -p 9000 -h /tmp & pid=$!; while [ -f /tmp/up ]; do sleep 0.3; done; kill $pid; fi; sleep 0.3; done';
    await runningPod({
      metadata: { name: 'ready-tcp' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'c', image: BUSYBOX, command: ['sh', '-c', `trap 'exit 0' TERM; ${serve}`], ports: [{ containerPort: 9000 }], readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 } },
        ],
      },
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(isReady(await getPod('ready-tcp'))).toBe(false);
    await sh('ready-tcp', 'c', 'touch /tmp/up');
    await until('ready', async () => isReady(await getPod('ready-tcp')));
    await sh('ready-tcp', 'c', 'rm /tmp/up');
    await until('not ready', async () => !isReady(await getPod('ready-tcp')));
    expect((await statusOf('ready-tcp', 'c'))?.restartCount).toBe(0);
    expect((await events('ready-tcp')).some((e) => e.startsWith('Unhealthy: Readiness probe failed: dial tcp'))).toBe(true);
  });

  it('a startup probe gates liveness until it succeeds', async () => {
    await runningPod({
      metadata: { name: 'startup' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'c',
            image: BUSYBOX,
            command: ['sh', '-c', loop],
            startupProbe: { exec: { command: ['cat', '/tmp/started'] }, periodSeconds: 1, failureThreshold: 60 },
            livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      },
    });
    await new Promise((r) => setTimeout(r, 4000));
    const gated = await statusOf('startup', 'c');
    expect(gated).toMatchObject({ restartCount: 0, started: false }); // liveness would fail, but is gated
    await sh('startup', 'c', 'touch /tmp/started');
    await until('started', async () => (await statusOf('startup', 'c'))?.started === true || ((await statusOf('startup', 'c'))?.restartCount ?? 0) >= 1);
    await until('liveness restart after startup', async () => ((await statusOf('startup', 'c'))?.restartCount ?? 0) >= 1);
    // The new instance has no /tmp/started: gated again.
    await until('gated again', async () => {
      const s = await statusOf('startup', 'c');
      return s?.state?.running && s.started === false;
    });
  });
});

describe('persistent volumes on Docker named volumes', () => {
  const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };
  const writer = (name: string, script: string): Pod => ({
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      restartPolicy: 'Never',
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      containers: [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    },
  });
  const dockerVolumes = async (): Promise<string[]> => (await runtime.listVolumes({ 'bosun.lab': labId })).map((v) => v.name);

  it('a provisioned claim keeps data across pods; deleting the claim removes the Docker volume', async () => {
    const claim = await client.resource(PVCS).create('default', {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const volume = `bosun-pvc-${claim.metadata.uid}`;
    await until('claim bound', async () => ((await client.resource(PVCS).get('default', 'data')).status as { phase?: string })?.phase === 'Bound');
    expect(await dockerVolumes()).toContain(volume);
    await client.pods().create('default', writer('pv-writer', 'echo persisted > /data/file'));
    await until('writer done', async () => (await getPod('pv-writer')).status?.phase === 'Succeeded');
    await client.pods().create('default', writer('pv-reader', 'cat /data/file'));
    await until('reader done', async () => (await getPod('pv-reader')).status?.phase === 'Succeeded');
    const logs = await runtime.logs(await containerId('pv-reader', 'c'), {});
    let out = '';
    for await (const chunk of logs) out += chunk.data.toString();
    expect(out).toBe('persisted\n');
    for (const p of ['pv-writer', 'pv-reader']) await client.pods().delete('default', p, { gracePeriodSeconds: 0 });
    await until('pods gone', async () => (await client.pods().list('default')).items.every((p) => !p.metadata.name?.startsWith('pv-')));
    await client.resource(PVCS).delete('default', 'data');
    await until('docker volume removed', async () => !(await dockerVolumes()).includes(volume), 60_000);
  });
});

// Composition root: store → apiserver → (controllers, scheduler, kubelets, proxy, chaos as they arrive).
// Both the Electron shell and `bosun serve` start the lab through here, so they run the same thing.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ConfigMap } from '../shared/api/config';
import { isAlreadyExists } from '../shared/api/errors';
import type { Node } from '../shared/api/node';
import type { Pod } from '../shared/api/pod';
import { startApiHttpServer } from './apiserver/http/server';
import { loadOrCreateServingCertificate } from './apiserver/http/tls-certificate';
import { builtinResources } from './apiserver/registry';
import { createDefaultTolerationSeconds } from './apiserver/registry/admission-defaults';
import { createDefaultStorageClassAdmission } from './apiserver/admission/default-storage-class';
import { createPodSecurityAdmission } from './apiserver/admission/pod-security';
import { createLimitRangerAdmission } from './apiserver/admission/limit-ranger';
import { createResourceQuotaAdmission } from './apiserver/admission/resource-quota';
import { createServiceAccountAdmission } from './apiserver/admission/service-account';
import { createPodDisruptionPolicy } from './apiserver/admission/pod-disruption';
import { createServiceAllocator } from './apiserver/registry/service-allocator';
import { RestHandler } from './apiserver/rest/handler';
import { ServedVersionsHandler } from './apiserver/rest/served-versions';
import { horizontalpodautoscalersV1, hpaV1 } from './apiserver/registry/hpas-v1';
import type { ApiHandler } from './apiserver/types';
import { RealClock, type Clock } from './client/clock';
import { KubeClient } from './client/client';
import { CONFIGMAPS, LIMITRANGES, NODES, PODS, RESOURCEQUOTAS, SERVICEACCOUNTS } from './client/gvr';
import { EventRecorder } from './client/events';
import { PvProvisioner, STORAGECLASSES } from './controllers/pv-provisioner';
import { ensureKubernetesService } from './controllers/service-kubernetes';
import { createEnvResolver } from './kubelet/env';
import { ClusterNames } from './kubelet/cluster-names';
import { createHandlerRunner } from './kubelet/handlers';
import { createNodeMetricsProvider, createPodMetricsProvider, nodeMetricsResource, podMetricsResource, ResourceMetrics } from './kubelet/resource-metrics';
import { hpaTimingFor } from './controllers/hpa';
import { PodHostsFiles } from './kubelet/hosts-file';
import { LabNodes, labIdForDataDir } from './kubelet/lab-nodes';
import { createProbeManager } from './kubelet/probes/manager';
import { createPodProbesProvider, podProbesResource, type PodProbesSource } from './kubelet/probes/podprobes';
import { registerPodStreaming } from './kubelet/streaming';
import { createVolumeManager, type KubeletVolumeManager } from './kubelet/volumes/manager';
import type { KubeletTiming } from './kubelet/types';
import { DEFAULT_TIME_SCALE, labTimingConfigMap, labTimingFor, type LabTiming } from './lab-timing';
import { createRuntime, SIMULATED_NODE_SIGTERM_EXIT_MS } from './runtime';
import { LabStatsPublisher } from './lab-stats';
import { dockerEndpoint, LabRuntimeStatus } from './lab-status';
import { publishedPortResolver } from './proxy/published-ports';
import { clientServiceEnvironment } from './proxy/service-env';
import { ServiceProxy } from './proxy/service-proxy';
import { warmSchemas } from './apiserver/schema/shape';
import { startChaos, type Chaos } from './chaos';
import { startControllers } from './controllers';
import { startScheduler } from './scheduler';
import { MemoryStore } from './store/memory-store';
import { openNedbStore } from './store/nedb-store';
import type { Store } from './store/store';
import type { RuntimeKind } from './lab-defaults';

export { defaultDataDir, DEFAULT_NODES, DEFAULT_PAUSE_IMAGE, DEFAULT_PORT, type RuntimeKind } from './lab-defaults';

export interface LabOptions {
  dataDir: string;
  /** 0 = any free port. */
  port: number;
  nodes: number;
  runtime: RuntimeKind;
  pauseImage: string;
  /** Fixed admin token; by default one is generated once per data dir and kept there (mode 0600). */
  token?: string;
  /** Built dashboard to serve at `/`. */
  staticDir?: string;
  store?: 'nedb' | 'memory';
  clock?: Clock;
  /** Kubelet timing overrides over the time scale's; BOSUN_BACKOFF_BASE_MS sets backoffBaseMs too. */
  timing?: Partial<KubeletTiming>;
  /** Divides Kubernetes' timers (grace periods, tolerations, backoffs); 1 = real Kubernetes. See lab-timing.ts. */
  timeScale?: number;
  /** DOCKER_HOST-style engine address (unix:///path, tcp://host:port); default DOCKER_HOST, else /var/run/docker.sock. */
  dockerHost?: string;
}

export interface Lab {
  /** Plain HTTP: the dashboard and browsers (the token travels in a header the renderer sets). */
  url: string;
  /**
   * HTTPS on the same port, for kubectl and client libraries: client-go attaches a kubeconfig's bearer
   * token only to TLS connections, so the kubeconfig points here and trusts `caCertificate`.
   */
  httpsUrl: string;
  /** PEM of the lab's self-signed serving certificate (kept in the data dir across restarts). */
  caCertificate: string;
  port: number;
  token: string;
  dataDir: string;
  /** performance.now() at start, and how long until the API answered. */
  startedAt: number;
  readyMs: number;
  /** The in-process API (same semantics as HTTP), for components and tests. */
  handler: ApiHandler;
  /** Lab instance id (the `bosun.lab` label of every Docker object), derived from the data dir. */
  labId: string;
  /** The lab's nodes and their kubelets. */
  nodes: LabNodes;
  /** The service proxy serving NodePorts on 127.0.0.1; its setServiceFaults() is the chaos hook. */
  proxy: ServiceProxy;
  /** Faults (chaos.bosun.dev): the fault controller; stopped before the kubelets so every fault is reverted. */
  chaos: Chaos;
  /** Every compressed timer of this lab (also in the ConfigMap kube-system/bosun-lab-timing). */
  timing: LabTiming;
  /** Whether the container engine answers (also the ConfigMap kube-system/bosun-lab-status); nodes wait for it. */
  runtimeStatus: LabRuntimeStatus;
  /** Stops the control plane and the kubelets; pod containers keep running for the next start to adopt. */
  stop(): Promise<void>;
}

/** Kubelet timing: the time scale's values, the lab's overrides, then the documented environment knob. */
export function labTiming(overrides: Partial<KubeletTiming> = {}, env: NodeJS.ProcessEnv = process.env, timeScale = DEFAULT_TIME_SCALE): KubeletTiming {
  const timing = { ...labTimingFor(timeScale, {}).kubelet, ...overrides };
  const base = Number(env.BOSUN_BACKOFF_BASE_MS);
  if (env.BOSUN_BACKOFF_BASE_MS && Number.isFinite(base) && base > 0) {
    timing.backoffBaseMs = base;
    // Keep Kubernetes' proportions (10 s → 5 min cap) so the doubling stays visible at lab speed.
    timing.backoffCapMs = Math.max(base, Math.min(timing.backoffCapMs, base * 30));
  }
  return timing;
}

/** The namespaces every Kubernetes cluster starts with. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** kube-system/bosun-lab-timing: the lab's timers next to Kubernetes' defaults, rewritten at each start. */
async function publishLabTiming(client: KubeClient, timing: LabTiming): Promise<void> {
  const configMaps = client.resource<ConfigMap>(CONFIGMAPS);
  const desired = labTimingConfigMap(timing);
  try {
    await configMaps.create('kube-system', desired);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const current = await configMaps.get('kube-system', desired.metadata.name!);
    await configMaps.update('kube-system', {
      ...current,
      metadata: { ...current.metadata, ...desired.metadata, resourceVersion: current.metadata.resourceVersion },
      data: desired.data,
    });
  }
}

async function loadOrCreateToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'token');
  if (existsSync(path)) {
    const token = (await readFile(path, 'utf8')).trim();
    if (token) return token;
  }
  const token = randomBytes(32).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return token;
}

async function ensureSystemNamespaces(handler: ApiHandler): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await handler.handle({
        verb: 'create',
        group: '',
        version: 'v1',
        resource: 'namespaces',
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        user: 'system:apiserver',
      });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}

export async function startLab(options: LabOptions): Promise<Lab> {
  const startedAt = performance.now();
  const clock = options.clock ?? new RealClock();
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const store: Store = options.store === 'memory' ? new MemoryStore() : await openNedbStore({ dataDir: options.dataDir });
  const stops: Array<() => Promise<void>> = [() => store.close()];
  const stop = async (): Promise<void> => {
    // Last started, first stopped; keep going so one failure never leaves the store locked.
    const errors: unknown[] = [];
    for (const s of stops.splice(0).reverse()) await s().catch((e) => errors.push(e));
    if (errors.length) throw errors[0];
  };
  try {
    const token = options.token ?? (await loadOrCreateToken(options.dataDir));
    const timing = labTimingFor(options.timeScale ?? DEFAULT_TIME_SCALE);
    timing.kubelet = labTiming(options.timing, process.env, timing.timeScale);
    const handler = new RestHandler({ store, resources: builtinResources, clock, admission: [createDefaultTolerationSeconds(timing.defaultTolerationSeconds)] });
    // Admission that reads other objects asks the API like any component (namespace labels, storage classes).
    const apiserverClient = new KubeClient(handler, 'system:apiserver');
    // ClusterIP/NodePort allocation, rebuilt from the stored Services before the first write.
    const serviceAllocator = createServiceAllocator(store);
    stops.push(async () => serviceAllocator.stop());
    await serviceAllocator.ready;
    handler.addAdmission(serviceAllocator);
    handler.addAdmission(
      createPodSecurityAdmission({
        namespaceLabels: async (ns) => (await apiserverClient.namespaces().get(undefined, ns).catch(() => undefined))?.metadata.labels,
      }),
    );
    handler.addAdmission(createDefaultStorageClassAdmission({ listStorageClasses: async () => (await apiserverClient.resource(STORAGECLASSES).list()).items }));
    // kube-apiserver's order: LimitRanger and ServiceAccount, then ResourceQuota last so it charges the final object.
    handler.addAdmission(createLimitRangerAdmission({ listLimitRanges: async (ns) => (await apiserverClient.resource(LIMITRANGES).list(ns)).items }));
    handler.addAdmission(createServiceAccountAdmission({ getServiceAccount: (ns, name) => apiserverClient.resource(SERVICEACCOUNTS).get(ns, name).catch(() => undefined) }));
    handler.addAdmission(createResourceQuotaAdmission({
      listQuotas: async (ns) => (await apiserverClient.resource(RESOURCEQUOTAS).list(ns)).items,
      updateQuotaStatus: (quota) => apiserverClient.resource(RESOURCEQUOTAS).updateStatus(quota.metadata.namespace, quota),
      nowMs: () => clock.nowMs(),
    }));
    // pods/eviction honours PodDisruptionBudgets (kubectl drain); the disruption controller keeps their status.
    handler.setEvictionPolicy(createPodDisruptionPolicy({ client: apiserverClient, clock }));
    await ensureSystemNamespaces(handler);
    await publishLabTiming(apiserverClient, timing);
    const tls = await loadOrCreateServingCertificate(options.dataDir);
    const http = await startApiHttpServer({
      // HTTP clients may also speak the older served versions (autoscaling/v1 HPAs: kubectl ≤ 1.32's autoscale).
      handler: new ServedVersionsHandler(handler, [hpaV1]),
      resources: [...builtinResources, horizontalpodautoscalersV1, podProbesResource, podMetricsResource, nodeMetricsResource],
      token,
      port: options.port,
      staticDir: options.staticDir,
      tls,
    });
    stops.push(() => http.close());
    await ensureKubernetesService(apiserverClient, { host: new URL(http.url).hostname, port: http.port });

    // Nodes: the container runtime, one kubelet per lab node, the scheduler binding pods to them.
    const labId = labIdForDataDir(options.dataDir);
    // Simulated nodes record no calls: the call log is for unit tests, and at scale it held every spec.
    const runtime = createRuntime(options.runtime, { docker: { dockerHost: options.dockerHost }, fake: { maxCalls: 0, sigtermExitMs: SIMULATED_NODE_SIGTERM_EXIT_MS } });
    stops.push(() => runtime.close());
    const controlPlane = new KubeClient(handler, 'system:kube-controller-manager');
    const volumeManagers: KubeletVolumeManager[] = [];
    stops.push(async () => volumeManagers.forEach((v) => v.stop()));
    // In-cluster Service names in each pod's kubelet-managed /etc/hosts (real containers only).
    const clusterNames = options.runtime === 'docker' ? new ClusterNames({ client: controlPlane, clock }) : undefined;
    const hostsFiles: PodHostsFiles[] = [];
    if (clusterNames) {
      await clusterNames.start();
      stops.push(async () => {
        hostsFiles.forEach((h) => h.stop());
        clusterNames.stop();
      });
    }
    const nodes = new LabNodes({
      client: controlPlane,
      runtime,
      clock,
      timing: timing.kubelet,
      labId,
      pauseImage: options.pauseImage,
      dataDir: join(options.dataDir, 'kubelet'),
      parts: (deps) => {
        const handlers = createHandlerRunner({ runtime: deps.runtime, clock: deps.clock });
        // No recorder here: the kubelet core already records FailedMount.
        const volumes = createVolumeManager({ dataDir: deps.dataDir, runtime: deps.runtime, client: deps.client, labId: deps.labId, nodeName: deps.node.name });
        volumeManagers.push(volumes);
        const hosts = clusterNames ? new PodHostsFiles({ dataDir: deps.dataDir, names: clusterNames }) : undefined;
        if (hosts) hostsFiles.push(hosts);
        return {
          ...(hosts ? { hosts } : {}),
          env: createEnvResolver({ client: deps.client, runtime: deps.runtime, serviceEnvironment: clientServiceEnvironment(deps.client) }),
          volumes,
          handlers,
          probes: (events, recorder) => createProbeManager({ clock: deps.clock, runner: handlers, events, recorder }),
        };
      },
    });
    stops.push(() => nodes.stop());
    registerPodStreaming(http, { client: controlPlane, runtimeForNode: (name) => (nodes.kubelets.has(name) ? runtime : undefined) });
    handler.registerVirtualResource(
      podProbesResource,
      createPodProbesProvider({
        client: controlPlane,
        probesOnNode: (name) => nodes.kubelets.get(name)?.ctx.probes as unknown as PodProbesSource | undefined,
      }),
    );
    // Without a reachable engine the control plane still serves; the nodes start when the engine answers.
    const runtimeStatus = new LabRuntimeStatus({
      client: controlPlane,
      runtime,
      runtimeKind: options.runtime,
      endpoint: dockerEndpoint(options.dockerHost),
      clock,
      monitor: options.runtime === 'docker',
      logger: console,
    });
    stops.push(async () => runtimeStatus.stop());
    await runtimeStatus.start();
    await runtimeStatus.whenReachable(() => nodes.start(options.nodes));
    const hpaTiming = hpaTimingFor(timing.timeScale);
    const scheduler = startScheduler({ client: new KubeClient(handler, 'system:kube-scheduler'), clock });
    stops.push(() => scheduler.stop());
    const controllers = startControllers({
      client: controlPlane,
      resources: builtinResources,
      clock,
      rootCaCertificate: tls.cert,
      jobBackoff: timing.jobBackoff,
      nodeLifecycle: timing.nodeLifecycle,
      podGc: timing.podGc,
      hpa: hpaTiming,
    });
    stops.push(async () => controllers.stop());
    // metrics.k8s.io (kubectl top, the HPA): scraped on demand, at most once per HPA sync period; the pods'
    // and nodes' labels come from the controllers' shared informers, not from a list per request.
    const pods = controllers.informers.informerFor<Pod>(PODS).lister;
    const nodeLister = controllers.informers.informerFor<Node>(NODES).lister;
    const metricsDeps = {
      metrics: new ResourceMetrics({ runtime, labId, clock, resolutionMs: hpaTiming.syncPeriodMs }),
      podLabels: async (ns?: string) => new Map((ns ? pods.listNamespace(ns) : pods.list()).map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.metadata.labels ?? {}])),
      nodes: async () => nodeLister.list().map((n) => ({ name: n.metadata.name ?? '', labels: n.metadata.labels })),
    };
    handler.registerVirtualResource(podMetricsResource, createPodMetricsProvider(metricsDeps));
    handler.registerVirtualResource(nodeMetricsResource, createNodeMetricsProvider(metricsDeps));
    const pvProvisioner = new PvProvisioner({
      client: controlPlane,
      informers: controllers.informers,
      runtime,
      labId,
      recorder: new EventRecorder(controlPlane, { component: 'persistentvolume-controller', clock }),
      clock,
    });
    await pvProvisioner.start();
    stops.push(async () => pvProvisioner.stop());
    const proxy = new ServiceProxy({ client: new KubeClient(handler, 'system:kube-proxy'), informers: controllers.informers, resolver: publishedPortResolver(runtime), clock });
    await proxy.start();
    stops.push(() => proxy.stop());
    // Last started, so first stopped: faults are reverted while kubelets, runtime and proxy still run.
    const chaos = await startChaos({ client: new KubeClient(handler, 'system:chaos-controller'), runtime, nodes, proxy, clock, labId });
    stops.push(() => chaos.stop());
    const readyMs = performance.now() - startedAt;
    // "Ready in N ms" and the lab's RSS for the dashboard overview (annotations on kube-system/bosun-lab-timing).
    const labStats = new LabStatsPublisher({ client: apiserverClient, clock, readyMs, logger: console });
    labStats.start();
    stops.push(() => labStats.stop());
    // Off the start-up path: ready first, then the one-time schema build strict field validation needs.
    setImmediate(() => warmSchemas(builtinResources));
    return {
      url: http.url,
      httpsUrl: http.httpsUrl ?? http.url,
      caCertificate: tls.cert,
      port: http.port,
      token,
      dataDir: options.dataDir,
      startedAt,
      readyMs,
      handler,
      labId,
      nodes,
      proxy,
      chaos,
      timing,
      runtimeStatus,
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

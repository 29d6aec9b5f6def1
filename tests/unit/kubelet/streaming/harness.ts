// A real apiserver (RestHandler + MemoryStore over HTTP) with the streaming handlers registered and a
// FakeRuntime standing in for node-1's engine: pods are API objects, containers are runtime objects
// carrying RuntimeLabels, as the kubelet would create them.
import { builtinResources } from '../../../../main/apiserver/registry';
import { RestHandler } from '../../../../main/apiserver/rest';
import { startApiHttpServer, type ApiHttpServer } from '../../../../main/apiserver/http/server';
import { KubeClient } from '../../../../main/client/client';
import { registerPodStreaming } from '../../../../main/kubelet/streaming';
import { FakeRuntime } from '../../../../main/runtime/fake';
import { RuntimeLabels } from '../../../../main/runtime/runtime';
import { MemoryStore } from '../../../../main/store/memory-store';
import type { ContainerStatus, Pod } from '../../../../shared/api/pod';

export const TOKEN = 'streaming-test-token';

export interface Harness {
  server: ApiHttpServer;
  client: KubeClient;
  runtime: FakeRuntime;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(options: { tls?: boolean } = {}): Promise<Harness> {
  const store = new MemoryStore();
  const handler = new RestHandler({ store, resources: builtinResources });
  await handler.handle({ verb: 'create', group: '', version: 'v1', resource: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } });
  const client = new KubeClient(handler, 'system:admin');
  const runtime = new FakeRuntime({ allImagesPresent: true });
  const server = await startApiHttpServer({ handler, resources: builtinResources, token: TOKEN, port: 0, ...(options.tls ? {} : { tls: false }) });
  registerPodStreaming(server, { client, runtimeForNode: (node) => (node === 'node-1' ? runtime : undefined) });
  return {
    server,
    client,
    runtime,
    url: server.url,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}

export async function createPod(h: Harness, name: string, containers: string[], options: { nodeName?: string; statuses?: ContainerStatus[] } = {}): Promise<Pod> {
  const pod = await h.client.pods<Pod>().create('default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: containers.map((c) => ({ name: c, image: 'busybox' })), nodeName: options.nodeName ?? 'node-1' },
  } as Pod);
  if (!options.statuses) return pod;
  return h.client.pods<Pod>().updateStatus('default', { ...pod, status: { phase: 'Running', containerStatuses: options.statuses } });
}

const sandboxes = new Map<string, string>();

/** The pod's sandbox (pause) container, publishing container ports on 127.0.0.1 host ports. */
export async function startSandbox(h: Harness, pod: Pod, ports: Array<{ containerPort: number; hostPort?: number }> = []): Promise<string> {
  const existing = sandboxes.get(pod.metadata!.uid!);
  if (existing) return existing;
  await h.runtime.ensureNetwork('bosun-test', { subnet: '10.244.0.0/16', gateway: '10.244.0.1', labels: {} });
  const id = await h.runtime.createContainer({
    name: `k8s_POD_${pod.metadata!.name}_default_${pod.metadata!.uid}_0`,
    image: 'busybox',
    labels: { [RuntimeLabels.podUid]: pod.metadata!.uid!, [RuntimeLabels.container]: 'POD', [RuntimeLabels.role]: 'sandbox' },
    network: { sandbox: { network: 'bosun-test', ports: ports.map((p) => ({ ...p, protocol: 'TCP' as const })) } },
  });
  await h.runtime.startContainer(id);
  sandboxes.set(pod.metadata!.uid!, id);
  return id;
}

/** Starts one instance (attempt) of a pod's container on the fake engine, as the kubelet would. */
export async function startInstance(h: Harness, pod: Pod, container: string, attempt: number): Promise<string> {
  const sandbox = await startSandbox(h, pod);
  const id = await h.runtime.createContainer({
    name: `k8s_${container}_${pod.metadata!.name}_default_${pod.metadata!.uid}_${attempt}`,
    image: 'busybox',
    labels: {
      [RuntimeLabels.managed]: 'true',
      [RuntimeLabels.podUid]: pod.metadata!.uid!,
      [RuntimeLabels.podName]: pod.metadata!.name!,
      [RuntimeLabels.podNamespace]: 'default',
      [RuntimeLabels.container]: container,
      [RuntimeLabels.attempt]: String(attempt),
    },
    network: { joinContainer: sandbox },
  });
  await h.runtime.startContainer(id);
  return id;
}

export const running = (name: string): ContainerStatus => ({ name, ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: new Date().toISOString() } } });
export const waiting = (name: string, reason: string): ContainerStatus => ({ name, ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { waiting: { reason } } });

export function api(h: Harness, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${h.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) } });
}

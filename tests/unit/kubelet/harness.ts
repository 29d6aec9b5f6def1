// A kubelet on the real in-process apiserver (RestHandler + MemoryStore) with a FakeRuntime and a
// FakeClock: what the kubelet writes is what Kubernetes clients would read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../../shared/api/pod';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { FakeClock } from '../../../main/client/clock';
import { KubeClient } from '../../../main/client/client';
import { Kubelet, type KubeletOptions } from '../../../main/kubelet/kubelet';
import { DEFAULT_KUBELET_TIMING, type KubeletTiming } from '../../../main/kubelet/types';
import { FakeRuntime } from '../../../main/runtime/fake';
import { RuntimeLabels } from '../../../main/runtime/runtime';
import { MemoryStore } from '../../../main/store/memory-store';

export const LAB = 'testlab';
export const NETWORK = 'bosun-testlab';
export const PAUSE = 'bosun-test/pause:1.0';
export const BUSYBOX = 'bosun-test/busybox:1.0';

export interface Harness {
  clock: FakeClock;
  runtime: FakeRuntime;
  client: KubeClient;
  admin: KubeClient;
  kubelet: Kubelet;
  dataDir: string;
  timing: KubeletTiming;
  createPod(pod: Partial<Pod> & { metadata: Pod['metadata'] }): Promise<Pod>;
  getPod(name: string, namespace?: string): Promise<Pod | undefined>;
  /** Polls (real time) until fn returns a truthy value. */
  until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what?: string, timeoutMs?: number): Promise<T>;
  /** Advances the fake clock and lets async work settle. */
  step(ms: number): Promise<void>;
  newKubelet(options?: KubeletOptions): Kubelet;
  podContainers(uid: string): ReturnType<FakeRuntime['listContainers']>;
  close(): Promise<void>;
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export async function startHarness(options: { timing?: Partial<KubeletTiming>; kubelet?: KubeletOptions; runtime?: FakeRuntime } = {}): Promise<Harness> {
  const clock = new FakeClock(Date.now());
  const store = new MemoryStore();
  const handler = new RestHandler({ store, resources: builtinResources, clock });
  const admin = new KubeClient(handler, 'system:admin');
  for (const name of ['default', 'kube-node-lease']) {
    await admin.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const runtime = options.runtime ?? new FakeRuntime({ clock, images: [PAUSE, BUSYBOX] });
  await runtime.ensureNetwork(NETWORK, { subnet: '10.244.0.0/16', gateway: '10.244.0.1', labels: {} });
  const client = admin.as('system:node:node-1');
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-kubelet-'));
  const timing = { ...DEFAULT_KUBELET_TIMING, ...options.timing };
  const newKubelet = (kopts: KubeletOptions = options.kubelet ?? {}): Kubelet =>
    new Kubelet(
      {
        node: { name: 'node-1', labels: {}, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, podCIDR: '10.244.1.0/24' },
        client,
        runtime,
        clock,
        timing,
        labId: LAB,
        podNetwork: NETWORK,
        pauseImage: PAUSE,
        dataDir,
      },
      { logger: { warn: () => undefined }, retryMs: 2000, ...kopts },
    );
  const kubelet = newKubelet();
  await kubelet.start();
  const until = async <T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what = 'condition', timeoutMs = 5000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const v = await fn();
        if (v) return v as T;
        last = v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 2000)})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const h: Harness = {
    clock,
    runtime,
    client,
    admin,
    kubelet,
    dataDir,
    timing,
    newKubelet,
    createPod: async (pod) => {
      const body = { apiVersion: 'v1', kind: 'Pod', ...pod, spec: { nodeName: 'node-1', ...pod.spec } } as Pod;
      return admin.pods<Pod>().create(pod.metadata.namespace ?? 'default', body);
    },
    getPod: async (name, namespace = 'default') => admin.pods<Pod>().get(namespace, name).catch(() => undefined),
    until,
    step: async (ms) => {
      await settle();
      h.clock.step(ms);
      await settle();
    },
    podContainers: (uid) => runtime.listContainers({ [RuntimeLabels.podUid]: uid }),
    close: async () => {
      await h.kubelet.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

export const statusOf = (pod: Pod | undefined, name: string) =>
  [...(pod?.status?.containerStatuses ?? []), ...(pod?.status?.initContainerStatuses ?? [])].find((s) => s.name === name);
export const conditionOf = (pod: Pod | undefined, type: string) => pod?.status?.conditions?.find((c) => c.type === type);

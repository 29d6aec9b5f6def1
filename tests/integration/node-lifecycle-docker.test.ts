// The node lifecycle controller against real containers: node-2's kubelet is stopped and every
// container it ran is killed (a power loss, done by hand here — the NodeFault modes are the chaos
// suite's). The control plane must notice through the missing heartbeats alone: NotReady, unreachable
// taints, eviction after the scaled toleration, replacements Ready on the other nodes. When the kubelet
// comes back it finishes the evicted pods' deletion and removes their dead containers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';
import { KubeClient } from '../../main/client/client';
import { DEPLOYMENTS } from '../../main/client/gvr';
import { startLab, type Lab } from '../../main/lab';
import { createRuntime } from '../../main/runtime';
import { RuntimeLabels, type ContainerRuntime } from '../../main/runtime/runtime';
import { removeLabDockerObjects } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';

let lab: Lab;
let dataDir: string;
let client: KubeClient;
let runtime: ContainerRuntime;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const pods = async (): Promise<Pod[]> => (await client.pods<Pod>().list('default', { labelSelector: 'app=web' })).items;
const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const readyOf = async (name: string): Promise<string | undefined> => (await client.nodes<Node>().get(undefined, name)).status?.conditions?.find((c) => c.type === 'Ready')?.status;
const nodeContainers = (node: string) => runtime.listContainers({ [RuntimeLabels.lab]: lab.labId, [RuntimeLabels.node]: node });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bosun-node-lifecycle-docker-'));
  lab = await startLab({ dataDir, port: 0, nodes: 3, runtime: 'docker', pauseImage: PAUSE, store: 'memory' });
  client = new KubeClient(lab.handler, 'system:admin');
  runtime = createRuntime('docker');
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  await runtime?.close();
  if (lab) removeLabDockerObjects(lab.labId);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('node lifecycle with the Docker engine', () => {
  it('evicts and replaces the pods of a crashed node, and cleans up after it when it returns', async () => {
    await client.resource(DEPLOYMENTS).create('default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'web', image: BUSYBOX, imagePullPolicy: 'Never', command: ['sleep', '3600'] }],
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
          },
        },
      },
    });
    await until('3 ready pods', async () => (await pods()).filter(isReady).length === 3);
    const victims = (await pods()).filter((p) => p.spec!.nodeName === 'node-2').map((p) => p.metadata.name!);
    expect(victims.length).toBeGreaterThan(0);

    // Power loss: the kubelet stops talking and every container of the node dies.
    const crashedAt = Date.now();
    await lab.nodes.suspend('node-2', 'node-lifecycle-docker-test');
    for (const c of await nodeContainers('node-2')) await runtime.killContainer(c.id, 'SIGKILL').catch(() => undefined);

    await until('node-2 NotReady', async () => (await readyOf('node-2')) === 'Unknown');
    await until('victims marked for deletion', async () => (await pods()).filter((p) => victims.includes(p.metadata.name!)).every((p) => p.metadata.deletionTimestamp));
    await until('3 ready replacements off node-2', async () => (await pods()).filter((p) => !p.metadata.deletionTimestamp && isReady(p) && p.spec!.nodeName !== 'node-2').length === 3);
    console.log(`node-2 crashed → 3 replicas Ready elsewhere in ${((Date.now() - crashedAt) / 1000).toFixed(1)} s`);
    // Nobody can finish them while the node is away: still Terminating.
    expect((await pods()).filter((p) => victims.includes(p.metadata.name!))).toHaveLength(victims.length);

    await lab.nodes.resume('node-2', 'node-lifecycle-docker-test');
    await until('node-2 Ready', async () => (await readyOf('node-2')) === 'True');
    await until('taints lifted', async () => ((await client.nodes<Node>().get(undefined, 'node-2')).spec?.taints ?? []).length === 0);
    await until('evicted pods gone', async () => (await pods()).every((p) => !victims.includes(p.metadata.name!)));
    await until('their containers removed', async () => (await nodeContainers('node-2')).every((c) => !victims.includes(c.labels[RuntimeLabels.podName] ?? '')));
    expect((await pods()).filter(isReady)).toHaveLength(3);
  }, 180_000);
});

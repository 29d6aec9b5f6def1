// Node lifecycle end to end on an in-process lab with the simulated runtime (fast, no Docker) at the
// default time scale: a node whose kubelet stops goes NotReady, is tainted unreachable, its pods are
// marked NotReady and — after the scaled default toleration — for deletion; the Deployment's
// replacements become Ready elsewhere; when the kubelet returns the taints go and the old pods' deletion
// completes. Then `kubectl taint … :NoExecute` evicts at once, or after a pod's tolerationSeconds.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';
import { KubeClient } from '../../main/client/client';
import { DEPLOYMENTS } from '../../main/client/gvr';
import { writeKubeconfig } from '../../main/kubeconfig';
import { startLab, type Lab } from '../../main/lab';
import { KUBECTL } from '../support/serve';

let lab: Lab;
let dataDir: string;
let kubeconfig: string;
let client: KubeClient;

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dataDir, 'kubectl-cache'), ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      res({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout, stderr }),
    );
  });
}

async function kubectlOk(args: string[]): Promise<string> {
  const r = await kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pods = async (): Promise<Pod[]> => (await client.pods<Pod>().list('default', { labelSelector: 'app=web' })).items;
const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const node = (name: string): Promise<Node> => client.nodes<Node>().get(undefined, name);
const taints = async (name: string): Promise<string[]> => ((await node(name)).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bosun-node-lifecycle-'));
  lab = await startLab({ dataDir, port: 0, nodes: 3, runtime: 'fake', pauseImage: 'registry.k8s.io/pause:3.10', store: 'memory' });
  kubeconfig = join(dataDir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, { server: lab.httpsUrl, caCertificate: lab.caCertificate, token: lab.token });
  client = new KubeClient(lab.handler, 'system:admin');
}, 60_000);

afterAll(async () => {
  await lab?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('node lifecycle on a 3-node lab (simulated runtime, default time scale)', () => {
  it('shows the compressed timers next to Kubernetes’ in kube-system/bosun-lab-timing', async () => {
    const cm = JSON.parse(await kubectlOk(['-n', 'kube-system', 'get', 'configmap', 'bosun-lab-timing', '-o', 'json']));
    expect(cm.data).toMatchObject({ timeScale: '20', nodeMonitorGracePeriod: '4s (Kubernetes: 50s)', defaultTolerationSeconds: '15 (Kubernetes: 300)' });
  });

  it('replaces the pods of a node whose kubelet stopped, then lets the node and its old pods finish when it returns', async () => {
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
            containers: [{ name: 'web', image: 'registry.example/web:1' }],
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
          },
        },
      },
    });
    await until('3 ready pods', async () => (await pods()).filter(isReady).length === 3);
    const before = await pods();
    // Admission wrote the lab's scaled default toleration into every pod.
    expect(before[0].spec!.tolerations).toContainEqual({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 15 });
    const victims = before.filter((p) => p.spec!.nodeName === 'node-2').map((p) => p.metadata.name!);
    expect(victims.length).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    await lab.nodes.suspend('node-2', 'node-lifecycle-test');

    await until('node-2 Ready=Unknown', async () => (await node('node-2')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown');
    const ready = (await node('node-2')).status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const rows = (await kubectlOk(['get', 'nodes', '--no-headers'])).trim().split('\n').map((r) => r.split(/\s+/).slice(0, 2).join(' '));
    expect(rows).toEqual(['node-1 Ready', 'node-2 NotReady', 'node-3 Ready']);
    await until('unreachable taints', async () => (await taints('node-2')).length === 2);
    expect(await taints('node-2')).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    await until('victims NotReady', async () => (await pods()).filter((p) => victims.includes(p.metadata.name!)).every((p) => !isReady(p)));

    // After the 15 s toleration: marked for deletion, held Terminating (no kubelet to finish), replaced elsewhere.
    await until('victims marked for deletion', async () => (await pods()).filter((p) => victims.includes(p.metadata.name!)).every((p) => p.metadata.deletionTimestamp), 60_000);
    const replaced = await until('3 ready replacements off node-2', async () => {
      const live = (await pods()).filter((p) => !p.metadata.deletionTimestamp && isReady(p) && p.spec!.nodeName !== 'node-2');
      return live.length === 3 ? live : undefined;
    });
    console.log(`node-2 stopped → 3 replicas Ready elsewhere in ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s`);
    expect(replaced.every((p) => !victims.includes(p.metadata.name!))).toBe(true);
    const wide = await kubectlOk(['get', 'pods', '-l', 'app=web', '--no-headers']);
    // As in Kubernetes: only the Ready condition is marked False, the silent kubelet's container statuses stay.
    for (const v of victims) expect(wide).toMatch(new RegExp(`^${v}\\s+\\d/1\\s+Terminating\\s`, 'm'));
    const events = (await client.events().list('default')).items as Array<{ reason?: string; message?: string }>;
    expect(events.some((e) => e.reason === 'TaintManagerEviction' && e.message === `Marking for deletion Pod default/${victims[0]}`)).toBe(true);
    expect(events.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node node-2 status is now: NodeNotReady')).toBe(true);

    await lab.nodes.resume('node-2', 'node-lifecycle-test');
    await until('node-2 Ready again', async () => (await node('node-2')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    await until('taints lifted', async () => (await taints('node-2')).length === 0);
    await until('old pods deleted by the returning kubelet', async () => (await pods()).every((p) => !victims.includes(p.metadata.name!)));
    expect((await pods()).filter(isReady)).toHaveLength(3);
  }, 120_000);

  it('kubectl taint … :NoExecute evicts non-tolerating pods at once and tolerating ones after tolerationSeconds', async () => {
    await client.pods<Pod>().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'patient', labels: { role: 'patient' } },
      spec: {
        nodeName: 'node-3',
        containers: [{ name: 'c', image: 'registry.example/web:1' }],
        tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }],
      },
    });
    await until('patient ready', async () => isReady(await client.pods<Pod>().get('default', 'patient')));
    const onNode3 = (await pods()).filter((p) => p.spec!.nodeName === 'node-3' && !p.metadata.deletionTimestamp).map((p) => p.metadata.name!);
    expect(onNode3.length).toBeGreaterThan(0);

    await kubectlOk(['taint', 'nodes', 'node-3', 'maintenance=now:NoExecute']);
    await until('web pods on node-3 evicted', async () => (await pods()).every((p) => !onNode3.includes(p.metadata.name!) || p.metadata.deletionTimestamp));
    expect((await client.pods<Pod>().get('default', 'patient')).metadata.deletionTimestamp).toBeUndefined();
    await until('patient evicted after its 5 s', async () => (await client.pods<Pod>().get('default', 'patient').catch(() => undefined))?.metadata.deletionTimestamp ?? !(await client.pods<Pod>().get('default', 'patient').catch(() => undefined)), 30_000);
    await until('replacements ready off node-3', async () => (await pods()).filter((p) => !p.metadata.deletionTimestamp && isReady(p) && p.spec!.nodeName !== 'node-3').length === 3);

    await kubectlOk(['taint', 'nodes', 'node-3', 'maintenance=now:NoExecute-']);
    expect(await taints('node-3')).toEqual([]);
  }, 90_000);

  it('kubectl delete node takes the node’s pods with it (pod GC, after its quarantine)', async () => {
    await client.nodes<Node>().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-4', labels: { 'lab.bosun.dev/managed': 'true' } } });
    await until('node-4 Ready', async () => (await node('node-4')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    await client.pods<Pod>().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'on-node-4' },
      spec: { nodeName: 'node-4', containers: [{ name: 'c', image: 'registry.example/web:1' }] },
    });
    await until('pod on node-4 ready', async () => isReady(await client.pods<Pod>().get('default', 'on-node-4')));
    await kubectlOk(['delete', 'node', 'node-4']);
    await until('pod of the deleted node gone', async () => !(await client.pods<Pod>().get('default', 'on-node-4').catch(() => undefined)), 30_000);
  }, 60_000);
});

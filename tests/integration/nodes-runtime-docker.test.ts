// Lab nodes added and removed at runtime through the API (docs/NODES.md "Which nodes exist"): a Node
// labelled lab.bosun.dev/managed=true applied with kubectl gets a kubelet, registers Ready with its
// capacity and pod range, and runs pods on Docker; `kubectl delete node` stops that kubelet, its
// containers go, and the pods bound there are replaced on the other nodes.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';
import { until } from '../support/until';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';
let serve: ServeHandle;

const NODE_4 = `
apiVersion: v1
kind: Node
metadata:
  name: node-4
  labels: {lab.bosun.dev/managed: "true", disk: ssd}
status:
  capacity: {cpu: "2", memory: 2Gi, pods: "20"}
`;

const PINNED = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: pinned}
spec:
  replicas: 2
  selector: {matchLabels: {app: pinned}}
  template:
    metadata: {labels: {app: pinned}}
    spec:
      terminationGracePeriodSeconds: 0
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference: {matchExpressions: [{key: disk, operator: In, values: [ssd]}]}
      containers:
      - {name: app, image: ${BUSYBOX}, command: [sleep, "3600"]}
`;

const json = async (args: string[]): Promise<any> => JSON.parse(await kubectlOk(serve, [...args, '-o', 'json']));
const containersOfNode = (node: string): string[] =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=bosun.node=${node}`, '--filter', `label=bosun.lab=${serve.labId}`], { encoding: 'utf8' }).split('\n').filter(Boolean);

describe('lab nodes added and removed through the API (Docker)', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'docker', args: ['--nodes', '1', '--pause-image', PAUSE], timeoutMs: 60_000 });
  }, 90_000);
  afterAll(async () => {
    if (!serve) return;
    await kubectl(serve, ['delete', 'deployment', 'pinned', '--wait=true', '--timeout=60s']);
    await serve.stop();
    serve.cleanup();
  }, 120_000);

  it('starts a kubelet for an applied Node and runs pods there', async () => {
    await kubectlOk(serve, ['apply', '-f', '-'], NODE_4);
    const node = await until('node-4 Ready', async () => {
      const n = await json(['get', 'node', 'node-4']);
      return n.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True' ? n : undefined;
    });
    expect(node.status.capacity).toMatchObject({ cpu: '2', memory: '2Gi', pods: '20' });
    expect(node.spec.podCIDR).toMatch(/^10\.\d+\.4\.0\/24$/);
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'node-4', disk: 'ssd' });
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^docker:\/\//);

    await kubectlOk(serve, ['apply', '-f', '-'], PINNED);
    await kubectlOk(serve, ['rollout', 'status', 'deployment/pinned', '--timeout=90s']);
    const pods = await json(['get', 'pods', '-l', 'app=pinned']);
    expect(pods.items.map((p: any) => p.spec.nodeName)).toEqual(['node-4', 'node-4']);
    for (const p of pods.items) expect(p.status.podIP.split('.')[2]).toBe('4');
    expect(containersOfNode('node-4').length).toBeGreaterThanOrEqual(4); // 2 × (pause + app)
  }, 150_000);

  it('removes a deleted Node\'s kubelet and containers; its pods are replaced elsewhere', async () => {
    const before = (await json(['get', 'pods', '-l', 'app=pinned'])).items.map((p: any) => p.metadata.name);
    await kubectlOk(serve, ['delete', 'node', 'node-4']);
    await until('node-4 containers removed', async () => containersOfNode('node-4').length === 0, 60_000);
    await until('replacements on node-1', async () => {
      const pods = (await json(['get', 'pods', '-l', 'app=pinned'])).items;
      const ready = pods.filter((p: any) => p.spec.nodeName === 'node-1' && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 2 && pods.every((p: any) => !before.includes(p.metadata.name));
    }, 120_000);
    // The Node stays deleted: the lab stopped its kubelet instead of letting it re-register.
    const nodes = await json(['get', 'nodes']);
    expect(nodes.items.map((n: any) => n.metadata.name)).toEqual(['node-1']);
  }, 200_000);
});

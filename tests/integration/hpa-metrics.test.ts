// metrics.k8s.io and the HorizontalPodAutoscaler on simulated nodes, driven by real kubectl 1.32:
// `kubectl top pods|nodes` read the usage the runtime reports, and `kubectl autoscale` scales a
// Deployment up on high CPU and back down once it drops (after a short stabilisation window).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../main/lab';
import { writeKubeconfig } from '../../main/kubeconfig';
import type { FakeRuntime } from '../../main/runtime/fake';
import { RuntimeLabels } from '../../main/runtime/runtime';
import { KUBECTL } from '../support/serve';
import { until } from '../support/until';

const run = promisify(execFile);
let lab: Lab;
let dir: string;
let kubeconfig: string;

const kubectl = async (...args: string[]): Promise<string> => (await run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 })).stdout;


const runtime = (): FakeRuntime => lab.nodes.kubelets.get('node-1')!.deps.runtime as FakeRuntime;

/** Every running app container of the Deployment uses this much CPU (millicores) and memory. */
async function setUsage(milliCpu: number, memoryMi = 20): Promise<number> {
  const containers = (await runtime().listContainers({ [RuntimeLabels.lab]: lab.labId, [RuntimeLabels.role]: 'app' })).filter((c) => c.state === 'running' && c.labels[RuntimeLabels.podName]?.startsWith('burn-'));
  for (const c of containers) runtime().setStats(c.id, { cpuNanoCores: milliCpu * 1_000_000, memoryWorkingSetBytes: memoryMi * 1024 * 1024 });
  return containers.length;
}

const replicas = async (): Promise<number> => Number(await kubectl('get', 'deployment', 'burn', '-o', 'jsonpath={.spec.replicas}'));

describe('metrics.k8s.io and the HorizontalPodAutoscaler (simulated nodes, kubectl 1.32)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-hpa-'));
    lab = await startLab({ dataDir: dir, port: 0, nodes: 2, runtime: 'fake', pauseImage: 'bosun-test/pause:1.0', store: 'memory' });
    kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, { server: lab.httpsUrl, caCertificate: lab.caCertificate, token: lab.token });
    await kubectl('create', 'deployment', 'burn', '--image=bosun-test/busybox:1.0', '--replicas=2');
    await kubectl('set', 'resources', 'deployment', 'burn', '--requests=cpu=100m,memory=32Mi');
    await kubectl('rollout', 'status', 'deployment/burn', '--timeout=60s');
    // The rollout is complete once the new pods are available; the replaced ones are still exiting
    // (their containers run until they have handled SIGTERM), and their usage would be counted too.
    await until('the replaced pods gone', async () => (await kubectl('get', 'pods', '-l', 'app=burn', '--no-headers')).trim().split('\n').length === 2);
  }, 90_000);
  afterAll(async () => {
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves kubectl top pods and nodes from the runtime\'s stats', async () => {
    expect(await setUsage(150, 20)).toBe(2);
    const top = await until('kubectl top pods', async () => {
      const out = await kubectl('top', 'pods', '-l', 'app=burn', '--no-headers');
      return out.trim().split('\n').length === 2 && /150m/.test(out) ? out : undefined;
    });
    for (const line of top.trim().split('\n')) expect(line.trim()).toMatch(/^burn-\S+\s+150m\s+20Mi$/);
    const containers = await kubectl('top', 'pods', '-l', 'app=burn', '--containers', '--no-headers');
    expect(containers).toMatch(/burn-\S+\s+busybox\s+150m\s+20Mi/);
    const nodes = await kubectl('top', 'nodes', '--no-headers');
    expect(nodes).toMatch(/^node-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/m);
    const raw = JSON.parse(await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods'));
    expect(raw.kind).toBe('PodMetricsList');
    expect(raw.items[0].containers[0].usage).toEqual({ cpu: '150000000n', memory: '20480Ki' });
  });

  it('scales a Deployment up on CPU and back down when the load ends', async () => {
    await kubectl('autoscale', 'deployment', 'burn', '--cpu-percent=50', '--min=1', '--max=4');
    // A short scale-down window so the test need not wait the (scaled) default.
    await kubectl('patch', 'hpa', 'burn', '--type=merge', '-p', '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":2}}}}');
    await until('scale-up to the maximum', async () => {
      await setUsage(150); // new pods burn too
      return (await replicas()) === 4;
    });
    const hpa = JSON.parse(await kubectl('get', 'hpa', 'burn', '-o', 'json'));
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    const limited = hpa.status.conditions.find((c: any) => c.type === 'ScalingLimited');
    expect(limited).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    expect(hpa.status.conditions.find((c: any) => c.type === 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound' });
    const events = await kubectl('get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={.items[*].message}');
    expect(events).toMatch(/New size: 4; reason: cpu resource utilization \(percentage of request\) above target/);
    expect(await kubectl('get', 'hpa', 'burn', '--no-headers')).toMatch(/cpu: \d+%\/50%/);

    await until('scale-down to the minimum', async () => {
      await setUsage(5);
      return (await replicas()) === 1;
    }, 90_000);
    const after = await kubectl('get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={.items[*].message}');
    expect(after).toMatch(/New size: 1; reason: All metrics below target/);
  }, 150_000);

  it('reports a missing CPU request the way Kubernetes does', async () => {
    await kubectl('create', 'deployment', 'norequest', '--image=bosun-test/busybox:1.0');
    await kubectl('autoscale', 'deployment', 'norequest', '--cpu-percent=50', '--max=3');
    const cond = await until('ScalingActive=False', async () => {
      const hpa = JSON.parse(await kubectl('get', 'hpa', 'norequest', '-o', 'json'));
      return hpa.status?.conditions?.find((c: any) => c.type === 'ScalingActive' && c.status === 'False');
    });
    expect(cond.reason).toBe('FailedGetResourceMetric');
    expect(cond.message).toMatch(/missing request for cpu in container busybox of Pod norequest-/);
  });
});

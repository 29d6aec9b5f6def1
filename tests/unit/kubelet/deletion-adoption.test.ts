import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../../shared/api/coordination';
import type { Node } from '../../../shared/api/node';
import type { Container, Pod } from '../../../shared/api/pod';
import type { ContainerInfo } from '../../../main/runtime/runtime';
import { RuntimeLabels } from '../../../main/runtime/runtime';
import type { HandlerRunner } from '../../../main/kubelet/types';
import { BUSYBOX, LAB, startHarness, statusOf, type Harness } from './harness';

let h: Harness;
afterEach(async () => h?.close());

describe('graceful deletion', () => {
  it('runs preStop, then stops with the remaining grace, removes everything, and deletes the pod last', async () => {
    const order: string[] = [];
    const handlers: HandlerRunner = {
      async run(_pod: Pod, c: Container) {
        order.push(`preStop:${c.name}`);
        return { time: '', ok: true, latencyMs: 0, message: '' };
      },
    };
    h = await startHarness({ kubelet: { parts: { handlers } } });
    const pod = await h.createPod({
      metadata: { name: 'bye', namespace: 'default' },
      spec: { terminationGracePeriodSeconds: 20, containers: [{ name: 'c', image: BUSYBOX, lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } } }] },
    });
    await h.until(async () => (await h.getPod('bye'))?.status?.phase === 'Running', 'running');
    const rt = h.runtime;
    const origStop = rt.stopContainer.bind(rt);
    rt.stopContainer = async (id: string, grace: number) => {
      order.push(`stop:${grace}`);
      return origStop(id, grace);
    };
    const origDelete = h.client.pods().delete.bind(h.client.pods());
    h.client.pods().delete = async (ns, name, opts) => {
      order.push(`delete:${opts?.gracePeriodSeconds}:${opts?.preconditions?.uid === pod.metadata.uid}:${(await h.podContainers(pod.metadata.uid!)).length}`);
      return origDelete(ns, name, opts);
    };
    await h.admin.pods().delete('default', 'bye', { gracePeriodSeconds: 5 });
    await h.until(async () => (await h.getPod('bye')) === undefined, 'pod gone');
    // preStop first, then SIGTERM with the delete's grace, sandbox last; the final delete when nothing is left.
    expect(order).toEqual(['preStop:c', 'stop:5', 'stop:0', 'delete:0:true:0']);
    expect(await h.podContainers(pod.metadata.uid!)).toEqual([]);
    expect(h.kubelet.ctx.ips.ipOf(pod.metadata.uid!)).toBeUndefined();
  });

  it('force delete (grace 0) removes the containers of a pod already gone from the API', async () => {
    h = await startHarness();
    const pod = await h.createPod({ metadata: { name: 'force', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX }] } });
    await h.until(async () => (await h.getPod('force'))?.status?.phase === 'Running', 'running');
    await h.admin.pods().delete('default', 'force', { gracePeriodSeconds: 0 });
    await h.until(async () => (await h.podContainers(pod.metadata.uid!)).length === 0, 'containers removed');
  });
});

describe('adoption after a kubelet restart', () => {
  it('keeps running containers of known pods (no restart) and removes orphans', async () => {
    h = await startHarness();
    h.runtime.script({ command: ['crash'] }, { exitAfterMs: 1, exitCode: 1 });
    const keep = await h.createPod({ metadata: { name: 'keep', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX }] } });
    const gone = await h.createPod({ metadata: { name: 'gone', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX }] } });
    await h.createPod({ metadata: { name: 'crash', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX, command: ['crash'] }] } });
    await h.until(async () => (await h.getPod('gone'))?.status?.phase === 'Running', 'gone running');
    await h.until(async () => statusOf(await h.getPod('keep'), 'c')?.state?.running, 'keep running');
    await h.step(1);
    await h.until(async () => statusOf(await h.getPod('crash'), 'c')?.restartCount === 1, 'crash restarted once');
    const before = await h.podContainers(keep.metadata.uid!);
    const ipBefore = (await h.getPod('keep'))?.status?.podIP;

    await h.kubelet.stop();
    // While the kubelet is away: one pod is deleted from the API, and a stray container appears.
    await h.admin.pods().delete('default', 'gone', { gracePeriodSeconds: 0 });
    await h.runtime.createContainer({
      name: 'k8s_c_ghost_default_ghost-uid_0',
      image: BUSYBOX,
      labels: { [RuntimeLabels.managed]: 'true', [RuntimeLabels.lab]: LAB, [RuntimeLabels.node]: 'node-1', [RuntimeLabels.podUid]: 'ghost-uid', [RuntimeLabels.container]: 'c', [RuntimeLabels.role]: 'app', [RuntimeLabels.attempt]: '0' },
      network: { joinContainer: before.find((c) => c.labels[RuntimeLabels.role] === 'sandbox')!.id },
    });
    const creates = h.runtime.callsOf('createContainer').length;

    h.kubelet = h.newKubelet();
    await h.kubelet.start();
    await h.until(async () => (await h.podContainers(gone.metadata.uid!)).length === 0, 'orphan pod removed');
    await h.until(async () => (await h.podContainers('ghost-uid')).length === 0, 'stray container removed');
    await h.kubelet.waitIdle();
    const after = await h.podContainers(keep.metadata.uid!);
    expect(after.map((c: ContainerInfo) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
    expect(h.runtime.callsOf('createContainer').length).toBe(creates);
    const crashStatus = statusOf(await h.getPod('crash'), 'c');
    expect(crashStatus?.restartCount).toBe(1);
    // The adopted pod keeps its IP, and a new pod never gets it.
    const fresh = await h.createPod({ metadata: { name: 'fresh', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX }] } });
    const freshPod = await h.until(async () => {
      const p = await h.getPod('fresh');
      return p?.status?.podIP ? p : undefined;
    }, 'fresh IP');
    expect(fresh.metadata.uid).toBeTruthy();
    expect(freshPod.status?.podIP).not.toBe(ipBefore);
    expect((await h.getPod('keep'))?.status?.podIP).toBe(ipBefore);
  });
});

describe('node registration and heartbeats', () => {
  it('registers the Node like a kubelet, renews its Lease, and re-registers a deleted Node', async () => {
    h = await startHarness({ timing: { leaseRenewMs: 10_000, nodeStatusUpdateMs: 10_000 } });
    const node = await h.admin.nodes<Node>().get(undefined, 'node-1');
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'node-1',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'bosun-lab',
    });
    expect(node.metadata.labels?.['kubernetes.io/arch']).toMatch(/^(amd64|arm64)$/);
    expect(node.spec?.podCIDR).toBe('10.244.1.0/24');
    expect(node.status?.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(node.status?.allocatable).toEqual(node.status?.capacity);
    expect(node.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['MemoryPressure', 'False'], ['DiskPressure', 'False'], ['PIDPressure', 'False'], ['Ready', 'True'],
    ]);
    expect(node.status?.addresses).toEqual([{ type: 'InternalIP', address: '10.244.1.1' }, { type: 'Hostname', address: 'node-1' }]);
    expect(node.status?.nodeInfo).toMatchObject({ containerRuntimeVersion: 'fake://1.0.0', kubeletVersion: 'v1.32.0-bosun', operatingSystem: 'linux' });
    expect(node.status?.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });

    const lease1 = await h.admin.leases<Lease>().get('kube-node-lease', 'node-1');
    expect(lease1.spec).toMatchObject({ holderIdentity: 'node-1', leaseDurationSeconds: 40 });
    expect(lease1.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'node-1', uid: node.metadata.uid });
    await h.step(10_000);
    const lease2 = await h.until(async () => {
      const l = await h.admin.leases<Lease>().get('kube-node-lease', 'node-1');
      return l.spec?.renewTime !== lease1.spec?.renewTime ? l : undefined;
    }, 'lease renewed');
    expect(Date.parse(lease2.spec!.renewTime!) - Date.parse(lease1.spec!.renewTime!)).toBe(10_000);
    const ready1 = node.status!.conditions!.find((c) => c.type === 'Ready')!;
    const node2 = await h.admin.nodes<Node>().get(undefined, 'node-1');
    const ready2 = node2.status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(Date.parse(ready2.lastHeartbeatTime!)).toBeGreaterThan(Date.parse(ready1.lastHeartbeatTime!));
    expect(ready2.lastTransitionTime).toBe(ready1.lastTransitionTime);

    await h.admin.nodes().delete(undefined, 'node-1');
    await h.step(10_000);
    const again = await h.until(async () => h.admin.nodes<Node>().get(undefined, 'node-1').catch(() => undefined), 're-registered');
    expect(again.metadata.uid).not.toBe(node.metadata.uid);
  });
});

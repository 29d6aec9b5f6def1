// The lab pod network: 10.244.0.0/16 when free, the next free /16 when another lab holds it, and the
// range a lab chose before when it restarts; node ranges follow the chosen prefix.
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../../shared/api/node';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { FakeClock } from '../../../main/client/clock';
import { KubeClient } from '../../../main/client/client';
import { LabNodes } from '../../../main/kubelet/lab-nodes';
import { DEFAULT_KUBELET_TIMING } from '../../../main/kubelet/types';
import { FakeRuntime } from '../../../main/runtime/fake';
import { MemoryStore } from '../../../main/store/memory-store';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function startLab(runtime: FakeRuntime, labId: string): Promise<{ nodes: LabNodes; client: KubeClient }> {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'system:test');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } });
  const nodes = new LabNodes({ client, runtime, clock: new FakeClock(), timing: DEFAULT_KUBELET_TIMING, labId, pauseImage: 'pause', dataDir: '/tmp/bosun-lab-nodes-test' });
  stops.push(() => nodes.stop());
  await nodes.start(2);
  return { nodes, client };
}

describe('lab pod network', () => {
  it('takes 10.244.0.0/16 and gives node-N the range 10.244.N.0/24', async () => {
    const { nodes, client } = await startLab(new FakeRuntime(), 'one');
    expect(nodes.podPrefix).toBe('10.244');
    const node = (await client.nodes<Node>().get(undefined, 'node-2')) as Node;
    expect(node.spec?.podCIDR).toBe('10.244.2.0/24');
  });

  it('moves to the next free range when another lab on the same engine holds 10.244.0.0/16', async () => {
    const runtime = new FakeRuntime();
    await runtime.ensureNetwork('bosun-other', { subnet: '10.244.0.0/16', gateway: '10.244.0.1', labels: {} });
    const { nodes, client } = await startLab(runtime, 'two');
    expect(nodes.podPrefix).toBe('10.245');
    const node = (await client.nodes<Node>().get(undefined, 'node-1')) as Node;
    expect(node.spec?.podCIDR).toBe('10.245.1.0/24');
  });

  it('keeps the range its network already has when the lab starts again', async () => {
    const runtime = new FakeRuntime();
    await runtime.ensureNetwork('bosun-three', { subnet: '10.250.0.0/16', gateway: '10.250.0.1', labels: {} });
    const { nodes } = await startLab(runtime, 'three');
    expect(nodes.podPrefix).toBe('10.250');
  });
});

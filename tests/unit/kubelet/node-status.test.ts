// Node pressure conditions: the kubelet's eviction signals against its default hard thresholds, from an
// injected probe (the host's memory, disk and PIDs for real engines; nothing for the simulated runtime).
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../../shared/api/coordination';
import type { Node } from '../../../shared/api/node';
import type { KubeClient } from '../../../main/client/client';
import { hostPressureProbe, NodeStatusReporter, pressureFrom, type NodePressureSample } from '../../../main/kubelet/node-status';
import { settle, startHarness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const Mi = 1024 * 1024;
const conditions = async (harness: Harness) =>
  Object.fromEntries(((await harness.admin.nodes<Node>().get(undefined, 'node-1')).status?.conditions ?? []).map((c) => [c.type, `${c.status}:${c.reason}`]));

describe('node pressure conditions', () => {
  it('applies memory.available<100Mi, nodefs.available<10% and pid.available<10%', () => {
    expect(pressureFrom({})).toEqual({ memory: false, disk: false, pid: false });
    expect(pressureFrom({ memoryAvailableBytes: 99 * Mi })).toMatchObject({ memory: true });
    expect(pressureFrom({ memoryAvailableBytes: 101 * Mi })).toMatchObject({ memory: false });
    expect(pressureFrom({ diskAvailableBytes: 9, diskCapacityBytes: 100 })).toMatchObject({ disk: true });
    expect(pressureFrom({ diskAvailableBytes: 11, diskCapacityBytes: 100 })).toMatchObject({ disk: false });
    expect(pressureFrom({ pidsInUse: 95, pidMax: 100 })).toMatchObject({ pid: true });
    expect(pressureFrom({ pidsInUse: 50, pidMax: 100 })).toMatchObject({ pid: false });
  });

  it('reports no pressure with the usual reasons on the simulated runtime', async () => {
    h = await startHarness();
    expect(await conditions(h)).toEqual({
      MemoryPressure: 'False:KubeletHasSufficientMemory',
      DiskPressure: 'False:KubeletHasNoDiskPressure',
      PIDPressure: 'False:KubeletHasSufficientPID',
      Ready: 'True:KubeletReady',
    });
  });

  it('reports what the probe measures, and clears it when the pressure goes', async () => {
    h = await startHarness();
    await h.kubelet.stop();
    let sample: NodePressureSample = { memoryAvailableBytes: 50 * Mi, diskAvailableBytes: 1, diskCapacityBytes: 100, pidsInUse: 10, pidMax: 100 };
    const reporter = new NodeStatusReporter(h.kubelet.deps, { warn: () => undefined }, async () => sample);
    await reporter.start();
    expect(await conditions(h)).toMatchObject({
      MemoryPressure: 'True:KubeletHasInsufficientMemory',
      DiskPressure: 'True:KubeletHasDiskPressure',
      PIDPressure: 'False:KubeletHasSufficientPID',
      Ready: 'True:KubeletReady',
    });
    const node = await h.admin.nodes<Node>().get(undefined, 'node-1');
    expect(node.status!.conditions!.find((c) => c.type === 'MemoryPressure')!.message).toBe('kubelet has insufficient memory available');
    sample = { memoryAvailableBytes: 4096 * Mi };
    await reporter.registerOrUpdate();
    expect(await conditions(h)).toMatchObject({ MemoryPressure: 'False:KubeletHasSufficientMemory', DiskPressure: 'False:KubeletHasNoDiskPressure' });
    await reporter.stop();
  });

  it('measures the host where it can', async () => {
    const sample = await hostPressureProbe(h?.dataDir ?? process.cwd())();
    expect(sample.memoryAvailableBytes).toBeGreaterThan(0);
    expect(sample.diskCapacityBytes).toBeGreaterThan(0);
    expect(sample.diskAvailableBytes).toBeGreaterThanOrEqual(0);
    if (process.platform === 'linux') {
      expect(sample.pidMax).toBeGreaterThan(0);
      expect(sample.pidsInUse).toBeGreaterThan(0);
    }
  });
});

describe('heartbeats while the apiserver lags', () => {
  it('keep at most one Lease renewal and one status update waiting behind the one in flight', async () => {
    h = await startHarness();
    await h.kubelet.stop();
    let hold = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let leaseReads = 0;
    let nodeReads = 0;
    const leases = h.client.leases<Lease>();
    const nodes = h.client.nodes<Node>();
    const slowLeases = Object.create(leases, {
      get: { value: async (ns: string, name: string) => (leaseReads++, hold && (await gate), leases.get(ns, name)) },
    }) as typeof leases;
    const countedNodes = Object.create(nodes, {
      get: { value: async (ns: undefined, name: string) => (nodeReads++, nodes.get(ns, name)) },
    }) as typeof nodes;
    const client = Object.create(h.client, { leases: { value: () => slowLeases }, nodes: { value: () => countedNodes } }) as KubeClient;
    const reporter = new NodeStatusReporter({ ...h.kubelet.deps, client }, { warn: () => undefined }, async () => ({}));
    await reporter.start();
    leaseReads = 0;
    nodeReads = 0;
    hold = true;
    const period = Math.max(h.timing.leaseRenewMs, h.timing.nodeStatusUpdateMs);
    // One status update goes through, then a Lease renewal hangs; 49 more periods pass meanwhile.
    await h.step(period);
    expect([leaseReads, nodeReads]).toEqual([1, 1]);
    await h.step(49 * period);
    expect([leaseReads, nodeReads]).toEqual([1, 1]);
    expect(reporter.queuedHeartbeats).toBe(2);
    hold = false;
    release();
    await h.until(() => reporter.queuedHeartbeats === 0 && leaseReads === 2 && nodeReads === 2, 'the waiting heartbeats');
    await settle();
    // The hung renewal and one each waiting behind it; the 96 other ticks would have written the same.
    expect([leaseReads, nodeReads]).toEqual([2, 2]);
    await reporter.stop();
  });
});

// Node pressure conditions: the kubelet's eviction signals against its default hard thresholds, from an
// injected probe (the host's memory, disk and PIDs for real engines; nothing for the simulated runtime).
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../../shared/api/node';
import { hostPressureProbe, NodeStatusReporter, pressureFrom, type NodePressureSample } from '../../../main/kubelet/node-status';
import { startHarness, type Harness } from './harness';

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

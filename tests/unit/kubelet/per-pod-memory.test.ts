// What a kubelet keeps per pod once the pod runs: 10,000 simulated pods multiply every per-pod entry,
// so pods that run with nothing to wait for and no probes leave no waiting map and no prober entry,
// while a pod that does wait (CrashLoopBackOff) still shows why.
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { Kubelet } from '../../../main/kubelet/kubelet';
import { createProbeManager } from '../../../main/kubelet/probes/manager';
import { noHandlers } from '../../../main/kubelet/kubelet-context';
import { BUSYBOX, startHarness, statusOf, type Harness } from './harness';

let h: Harness | undefined;
let stopLater: Kubelet | undefined;
afterEach(async () => {
  await stopLater?.stop();
  await h?.close();
  h = undefined;
  stopLater = undefined;
});

describe('kubelet per-pod state', () => {
  it('running pods leave no waiting map and no prober entry; a crash-looping one keeps its reason', async () => {
    h = await startHarness();
    const harness = h;
    // The lab's prober instead of the harness default (no prober at all).
    await harness.kubelet.stop();
    const kubelet = harness.newKubelet({ parts: { probes: (events) => createProbeManager({ clock: harness.clock, runner: noHandlers, events }) } });
    await kubelet.start();
    stopLater = kubelet;
    harness.runtime.script({ command: ['crash'] }, { exitAfterMs: 1, exitCode: 1 });
    for (let i = 0; i < 5; i++) {
      await harness.createPod({ metadata: { name: `web-${i}`, namespace: 'default' }, spec: { containers: [{ name: 'app', image: BUSYBOX }] } });
    }
    const ready = async (): Promise<boolean> => {
      const pods = (await harness.admin.pods<Pod>().list('default')).items;
      return pods.length === 5 && pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    };
    await harness.until(ready, 'five Ready pods');
    await kubelet.waitIdle();
    expect(kubelet.ctx.waiting.size).toBe(0);
    const prober = kubelet.ctx.probes as unknown as { containers: Map<string, unknown> };
    expect(prober.containers.size).toBe(0);
    expect(kubelet.ctx.probes.state((await harness.getPod('web-0'))!.metadata.uid!, 'app')).toEqual({ ready: true, started: true });

    await harness.createPod({ metadata: { name: 'crash', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX, command: ['crash'] }] } });
    await harness.until(async () => statusOf(await harness.getPod('crash'), 'c')?.state?.running, 'first start');
    await harness.step(1); // dies; restarted at once
    await harness.until(async () => statusOf(await harness.getPod('crash'), 'c')?.restartCount === 1, 'first restart');
    await harness.step(1); // dies again: now it waits
    const waiting = await harness.until(async () => {
      const p = await harness.getPod('crash');
      return statusOf(p, 'c')?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    }, 'CrashLoopBackOff');
    expect(kubelet.ctx.waiting.get(waiting.metadata.uid!)?.get('c')?.reason).toBe('CrashLoopBackOff');
  });
});

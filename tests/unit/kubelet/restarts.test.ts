import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import { RuntimeLabels } from '../../../main/runtime/runtime';
import { BUSYBOX, startHarness, statusOf, type Harness } from './harness';

let h: Harness;
afterEach(async () => h?.close());

const events = async (h: Harness, reason: string): Promise<string[]> => {
  await h.kubelet.ctx.recorder.flush();
  const list = await h.admin.events<any>().list('default');
  return list.items.filter((e) => e.reason === reason).map((e) => e.message);
};

describe('kubelet restarts and image pulls', () => {
  it('CrashLoopBackOff: first restart at once, then 10 s, 20 s, 40 s after each death', async () => {
    h = await startHarness();
    h.runtime.script({ command: ['crash'] }, { exitAfterMs: 1, exitCode: 1 });
    const pod = await h.createPod({ metadata: { name: 'crash', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX, command: ['crash'] }] } });
    const uid = pod.metadata.uid!;
    const starts = async () => (await h.podContainers(uid)).filter((c) => c.labels[RuntimeLabels.container] === 'c');
    const startTimes: number[] = [];
    const attempt = async (n: number) => h.until(async () => {
      const p = await h.getPod('crash');
      return statusOf(p, 'c')?.restartCount === n ? p : undefined;
    }, `restartCount ${n}`);
    await h.until(async () => (await starts()).length === 1, 'first start');
    startTimes.push(h.clock.nowMs());
    await h.step(1); // dies; restarted at once
    await attempt(1);
    startTimes.push(h.clock.nowMs());
    for (const [n, delay] of [[2, 10_000], [3, 20_000], [4, 40_000]] as const) {
      await h.step(1); // dies again: now it waits
      const waiting = await h.until(async () => {
        const p = await h.getPod('crash');
        return statusOf(p, 'c')?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
      }, `CrashLoopBackOff before restart ${n}`);
      expect(statusOf(waiting, 'c')?.state?.waiting?.message).toBe(`back-off ${delay / 1000}s restarting failed container=c pod=crash_default(${uid})`);
      expect(statusOf(waiting, 'c')?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
      expect(waiting.status?.phase).toBe('Running');
      await h.step(delay - 1);
      expect(statusOf(await h.getPod('crash'), 'c')?.restartCount).toBe(n - 1);
      await h.step(1);
      await attempt(n);
    }
    // Only the newest instance and the previous one are kept.
    expect((await starts()).map((c) => c.labels[RuntimeLabels.attempt]).sort()).toEqual(['3', '4']);
    expect(await events(h, 'BackOff')).toContain(`Back-off restarting failed container c in pod crash_default(${uid})`);
  });

  it('imagePullPolicy: IfNotPresent uses the local image, Always pulls, Never fails without it', async () => {
    h = await startHarness();
    await h.createPod({ metadata: { name: 'local', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX, imagePullPolicy: 'IfNotPresent' }] } });
    await h.createPod({ metadata: { name: 'always', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'example/app:2', imagePullPolicy: 'Always' }] } });
    await h.createPod({ metadata: { name: 'never', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'example/absent:1', imagePullPolicy: 'Never' }] } });
    await h.until(async () => statusOf(await h.getPod('local'), 'c')?.state?.running, 'local running');
    await h.until(async () => statusOf(await h.getPod('always'), 'c')?.state?.running, 'always running');
    const never = await h.until(async () => {
      const p = await h.getPod('never');
      return statusOf(p, 'c')?.state?.waiting?.reason === 'ErrImageNeverPull' ? p : undefined;
    }, 'ErrImageNeverPull');
    expect(statusOf(never, 'c')?.state?.waiting?.message).toBe('Container image "example/absent:1" is not present with pull policy of Never');
    expect(never.status?.phase).toBe('Pending');
    const pulls = h.runtime.callsOf('pullImage').map((a) => a[0]);
    expect(pulls).toContain('example/app:2');
    expect(pulls).not.toContain(BUSYBOX);
    expect(pulls).not.toContain('example/absent:1');
    expect(await events(h, 'Pulled')).toEqual(expect.arrayContaining([`Container image "${BUSYBOX}" already present on machine`, expect.stringMatching(/^Successfully pulled image "example\/app:2" in /)]));
  });

  it('a failed pull shows ErrImagePull, then ImagePullBackOff, and retries after the backoff', async () => {
    h = await startHarness();
    h.runtime.failPull('nowhere.invalid/app:1', 'dial tcp: lookup nowhere.invalid: no such host');
    await h.createPod({ metadata: { name: 'pull', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nowhere.invalid/app:1' }] } });
    const first = await h.until(async () => {
      const p = await h.getPod('pull');
      return statusOf(p, 'c')?.state?.waiting?.reason === 'ErrImagePull' ? p : undefined;
    }, 'ErrImagePull');
    expect(statusOf(first, 'c')?.state?.waiting?.message).toContain('no such host');
    await h.step(1000);
    const backoff = await h.until(async () => {
      const p = await h.getPod('pull');
      return statusOf(p, 'c')?.state?.waiting?.reason === 'ImagePullBackOff' ? p : undefined;
    }, 'ImagePullBackOff');
    expect(statusOf(backoff, 'c')?.state?.waiting?.message).toBe('Back-off pulling image "nowhere.invalid/app:1": ErrImagePull: dial tcp: lookup nowhere.invalid: no such host');
    const pullsBefore = h.runtime.callsOf('pullImage').filter((a) => a[0] === 'nowhere.invalid/app:1').length;
    expect(pullsBefore).toBe(1);
    await h.step(10_000);
    await h.until(async () => h.runtime.callsOf('pullImage').filter((a) => a[0] === 'nowhere.invalid/app:1').length === 2, 'second pull after backoff');
  });

  it('a liveness-style kill of one container restarts only that container', async () => {
    h = await startHarness();
    const pod = await h.createPod({ metadata: { name: 'two', namespace: 'default' }, spec: { containers: [{ name: 'a', image: BUSYBOX }, { name: 'b', image: BUSYBOX }] } as Pod['spec'] });
    await h.until(async () => (await h.getPod('two'))?.status?.phase === 'Running', 'running');
    const a = (await h.podContainers(pod.metadata.uid!)).find((c) => c.labels[RuntimeLabels.container] === 'a')!;
    await h.runtime.stopContainer(a.id, 0);
    const p = await h.until(async () => {
      const x = await h.getPod('two');
      return statusOf(x, 'a')?.restartCount === 1 && statusOf(x, 'a')?.state?.running ? x : undefined;
    }, 'a restarted');
    expect(statusOf(p, 'b')?.restartCount).toBe(0);
  });
});

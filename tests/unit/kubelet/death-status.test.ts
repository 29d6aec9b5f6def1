// A container death reaches the API before the kubelet restarts anything (the status comes from the
// runtime listing of that very sync, not from the one after the replacement started), with the same
// Kubernetes fields as before: terminated reason/exitCode, then restartCount and lastState.
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { ContainerSpec } from '../../../main/runtime/runtime';
import { RuntimeLabels } from '../../../main/runtime/runtime';
import { BUSYBOX, startHarness, statusOf, type Harness } from './harness';

let h: Harness;
afterEach(async () => h?.close());

/** The stored pod as it was each time the kubelet asked the runtime to create container `name`. */
function statusAtCreate(h: Harness, podName: string, name: string): Pod[] {
  const seen: Pod[] = [];
  const create = h.runtime.createContainer.bind(h.runtime);
  h.runtime.createContainer = async (spec: ContainerSpec) => {
    if (spec.labels[RuntimeLabels.container] === name) seen.push((await h.getPod(podName))!);
    return create(spec);
  };
  return seen;
}

describe('container death → pod status', () => {
  it('a killed container shows terminated (Error, 137) before its replacement is created', async () => {
    h = await startHarness();
    const pod = await h.createPod({ metadata: { name: 'victim', namespace: 'default' }, spec: { containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'] }] } });
    await h.until(async () => statusOf(await h.getPod('victim'), 'main')?.state?.running, 'running');
    const atCreate = statusAtCreate(h, 'victim', 'main');
    const [first] = (await h.podContainers(pod.metadata.uid!)).filter((c) => c.labels[RuntimeLabels.container] === 'main');
    await h.runtime.killContainer(first.id, 'SIGKILL');

    const restarted = await h.until(async () => {
      const p = await h.getPod('victim');
      return statusOf(p, 'main')?.restartCount === 1 && statusOf(p, 'main')?.state?.running ? p : undefined;
    }, 'restart');
    expect(atCreate).toHaveLength(1);
    const before = statusOf(atCreate[0], 'main');
    expect(before?.restartCount).toBe(0);
    expect(before?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'Error', containerID: `fake://${first.id}` });
    expect(atCreate[0].status?.phase).toBe('Running');
    expect(atCreate[0].status?.conditions?.find((c) => c.type === 'ContainersReady')?.status).toBe('False');
    // After the restart: the dead instance is lastState, as kubectl shows it.
    expect(statusOf(restarted, 'main')?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error', containerID: `fake://${first.id}` });
    expect(h.kubelet.ctx.deaths.size).toBe(0);
  });

  it('an OOM kill is reported as OOMKilled at once, and a crash loop still backs off', async () => {
    h = await startHarness();
    h.runtime.script({ command: ['hog'] }, { oomAfterMs: 1 });
    await h.createPod({ metadata: { name: 'hog', namespace: 'default' }, spec: { containers: [{ name: 'c', image: BUSYBOX, command: ['hog'] }] } });
    await h.until(async () => statusOf(await h.getPod('hog'), 'c')?.state?.running, 'running');
    const atCreate = statusAtCreate(h, 'hog', 'c');
    await h.step(1); // OOM-killed; the first restart is immediate
    await h.until(async () => statusOf(await h.getPod('hog'), 'c')?.restartCount === 1, 'first restart');
    expect(statusOf(atCreate[0], 'c')?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });

    await h.step(1); // OOM-killed again: now within the backoff, so it waits
    const waiting = await h.until(async () => {
      const p = await h.getPod('hog');
      return statusOf(p, 'c')?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    }, 'CrashLoopBackOff');
    expect(statusOf(waiting, 'c')?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(statusOf(waiting, 'c')?.restartCount).toBe(1);
    expect(atCreate).toHaveLength(1);
  });

  it('a container that completes under restartPolicy Never ends the pod Succeeded with one final status', async () => {
    h = await startHarness();
    h.runtime.script({ command: ['job'] }, { exitAfterMs: 1, exitCode: 0 });
    await h.createPod({ metadata: { name: 'job', namespace: 'default' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: BUSYBOX, command: ['job'] }] } });
    await h.until(async () => statusOf(await h.getPod('job'), 'c')?.state?.running, 'running');
    await h.step(1);
    const done = await h.until(async () => {
      const p = await h.getPod('job');
      return p?.status?.phase === 'Succeeded' ? p : undefined;
    }, 'Succeeded');
    expect(statusOf(done, 'c')?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(statusOf(done, 'c')?.restartCount).toBe(0);
    expect(done.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import { RuntimeLabels } from '../../../main/runtime/runtime';
import { BUSYBOX, conditionOf, startHarness, statusOf, type Harness } from './harness';

let h: Harness;
afterEach(async () => h?.close());

const runningPod = (name: string, extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: {
    initContainers: [{ name: 'init', image: BUSYBOX, command: ['true'] }],
    containers: [
      { name: 'web', image: BUSYBOX, command: ['httpd', '-f'], ports: [{ containerPort: 80 }] },
      { name: 'side', image: BUSYBOX, command: ['sleep', '3600'] },
    ],
    ...extra,
  },
});

describe('kubelet pod lifecycle (fake runtime, real apiserver)', () => {
  it('runs init first, then the app containers joined to the sandbox, and reports Running like Kubernetes', async () => {
    h = await startHarness();
    h.runtime.script({ command: ['true'] }, { exitAfterMs: 1000, exitCode: 0 });
    const created = await h.createPod(runningPod('web'));
    const uid = created.metadata.uid!;
    // Init container running, app containers waiting for it.
    const initializing = await h.until(async () => {
      const p = await h.getPod('web');
      return statusOf(p, 'init')?.state?.running ? p : undefined;
    }, 'init running');
    expect(initializing.status?.phase).toBe('Pending');
    expect(statusOf(initializing, 'web')?.state?.waiting?.reason).toBe('PodInitializing');
    expect(conditionOf(initializing, 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init]' });
    expect(conditionOf(initializing, 'PodReadyToStartContainers')?.status).toBe('True');
    expect((await h.podContainers(uid)).map((c) => c.labels[RuntimeLabels.container]).sort()).toEqual(['POD', 'init']);

    await h.step(1000);
    const running = await h.until(async () => {
      const p = await h.getPod('web');
      return p?.status?.phase === 'Running' && statusOf(p, 'side')?.state?.running ? p : undefined;
    }, 'Running');
    const st = running.status!;
    expect(st.podIP).toMatch(/^10\.244\.1\.\d+$/);
    expect(st.podIPs).toEqual([{ ip: st.podIP }]);
    expect(st.hostIP).toBe('10.244.1.1');
    expect(st.startTime).toBeTruthy();
    expect(st.qosClass).toBe('BestEffort');
    expect(statusOf(running, 'init')).toMatchObject({ ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(statusOf(running, 'init')?.containerID).toMatch(/^fake:\/\/[0-9a-f]+$/);
    expect(statusOf(running, 'web')).toMatchObject({ ready: true, started: true, restartCount: 0, image: BUSYBOX, lastState: {} });
    expect(statusOf(running, 'web')?.imageID).toMatch(/^fake:\/\/sha256:/);
    for (const type of ['Initialized', 'Ready', 'ContainersReady', 'PodReadyToStartContainers']) expect(conditionOf(running, type)?.status).toBe('True');
    expect(st.conditions!.map((c) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

    // Runtime view: sandbox publishes the containerPort; app containers join it; names like the Docker shim.
    const containers = await h.podContainers(uid);
    const sandbox = containers.find((c) => c.labels[RuntimeLabels.role] === 'sandbox')!;
    expect(sandbox.name.replace(/^\//, '')).toBe(`k8s_POD_web_default_${uid}_0`);
    expect(sandbox.ip).toBe(st.podIP);
    expect(sandbox.ports?.map((p) => p.containerPort)).toEqual([80]);
    const creates = h.runtime.callsOf('createContainer').map((a) => a[0] as { name: string; network: unknown });
    expect(creates.map((s) => s.name)).toEqual([
      `k8s_POD_web_default_${uid}_0`, `k8s_init_web_default_${uid}_0`, `k8s_web_web_default_${uid}_0`, `k8s_side_web_default_${uid}_0`,
    ]);
    expect(creates[2].network).toEqual({ joinContainer: sandbox.id });
  });

  it('updates the status from the die event alone (no clock step, no polling)', async () => {
    h = await startHarness();
    const created = await h.createPod({ metadata: { name: 'once', namespace: 'default' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '1'] }] } });
    await h.until(async () => statusOf(await h.getPod('once'), 'c')?.state?.running, 'running');
    const app = (await h.podContainers(created.metadata.uid!)).find((c) => c.labels[RuntimeLabels.container] === 'c')!;
    h.runtime.writeLog(app.id, 'stdout', 'bye\n');
    await h.runtime.killContainer(app.id, 'SIGKILL');
    const done = await h.until(async () => {
      const p = await h.getPod('once');
      return p?.status?.phase === 'Failed' ? p : undefined;
    }, 'Failed');
    expect(statusOf(done, 'c')?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(conditionOf(done, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
  });

  it('restartPolicy: Never leaves a completed pod Succeeded; OnFailure restarts only failures', async () => {
    h = await startHarness();
    h.runtime.script({ command: ['ok'] }, { exitAfterMs: 100, exitCode: 0 });
    h.runtime.script({ command: ['fail'] }, { exitAfterMs: 100, exitCode: 3 });
    await h.createPod({ metadata: { name: 'job', namespace: 'default' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: BUSYBOX, command: ['ok'] }] } });
    await h.createPod({ metadata: { name: 'retry', namespace: 'default' }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: BUSYBOX, command: ['fail'] }] } });
    await h.until(async () => statusOf(await h.getPod('retry'), 'c')?.state?.running, 'retry running');
    await h.step(100);
    const job = await h.until(async () => {
      const p = await h.getPod('job');
      return p?.status?.phase === 'Succeeded' ? p : undefined;
    }, 'Succeeded');
    expect(statusOf(job, 'c')?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(conditionOf(job, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    // First failure restarts at once (attempt 1), as the kubelet does.
    const retry = await h.until(async () => {
      const p = await h.getPod('retry');
      return statusOf(p, 'c')?.restartCount === 1 && statusOf(p, 'c')?.state?.running ? p : undefined;
    }, 'restarted once');
    expect(retry.status?.phase).toBe('Running');
    expect(statusOf(retry, 'c')?.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('init container failure: Never fails the pod; Always retries it with backoff before any app container', async () => {
    h = await startHarness();
    h.runtime.script({ command: ['fail'] }, { exitAfterMs: 10, exitCode: 1 });
    await h.createPod({ metadata: { name: 'never', namespace: 'default' }, spec: { restartPolicy: 'Never', initContainers: [{ name: 'i', image: BUSYBOX, command: ['fail'] }], containers: [{ name: 'c', image: BUSYBOX }] } });
    await h.createPod({ metadata: { name: 'always', namespace: 'default' }, spec: { initContainers: [{ name: 'i', image: BUSYBOX, command: ['fail'] }], containers: [{ name: 'c', image: BUSYBOX }] } });
    await h.until(async () => statusOf(await h.getPod('always'), 'i')?.state?.running, 'init running');
    await h.step(10);
    const never = await h.until(async () => {
      const p = await h.getPod('never');
      return p?.status?.phase === 'Failed' ? p : undefined;
    }, 'Failed');
    expect(statusOf(never, 'i')?.state?.terminated?.exitCode).toBe(1);
    expect(statusOf(never, 'c')?.state?.waiting?.reason).toBe('PodInitializing');
    await h.until(async () => statusOf(await h.getPod('always'), 'i')?.restartCount === 1, 'init restarted');
    await h.step(10);
    const backoff = await h.until(async () => {
      const p = await h.getPod('always');
      return statusOf(p, 'i')?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    }, 'init CrashLoopBackOff');
    expect(backoff.status?.phase).toBe('Pending');
    const apps = (await h.podContainers(backoff.metadata.uid!)).filter((c) => c.labels[RuntimeLabels.container] === 'c');
    expect(apps).toEqual([]);
  });
});

// PodFault injector on a real kubelet (FakeRuntime, FakeClock, real prober and in-process apiserver):
// what Kubernetes clients see after each action, and that revert restores it.
import { afterEach, describe, expect, it } from 'vitest';
import type { PodFault, PodFaultSpec } from '../../../shared/api/chaos';
import { ApiError } from '../../../shared/api/errors';
import type { Container, Pod } from '../../../shared/api/pod';
import { createPodFaultInjector } from '../../../main/chaos/pod-faults';
import { cpuStressCommand, memoryStressCommand, stopStressCommand } from '../../../main/chaos/pod-stress';
import { createHandlerRunner } from '../../../main/kubelet/handlers';
import { createProbeManager, type KubeletProbeManager } from '../../../main/kubelet/probes/manager';
import { BUSYBOX, LAB, conditionOf, startHarness, statusOf, type Harness } from '../kubelet/harness';

let h: Harness;
afterEach(async () => h?.close());

/** A harness whose kubelet has the real prober (simulated probes answer healthy on the FakeRuntime). */
async function probedHarness(): Promise<Harness> {
  h = await startHarness({ timing: { backoffBaseMs: 1000, backoffCapMs: 4000 } });
  await h.kubelet.stop();
  h.kubelet = h.newKubelet({
    logger: { warn: () => undefined },
    parts: {
      probes: (events, recorder) => createProbeManager({ clock: h.clock, runner: createHandlerRunner({ runtime: h.runtime, clock: h.clock }), events, recorder }),
    },
  });
  await h.kubelet.start();
  return h;
}

const injector = () => createPodFaultInjector({ client: h.admin, runtime: h.runtime, labId: LAB, node: (n) => (n === 'node-1' ? h.kubelet : undefined), clock: h.clock, oomWaitMs: 0 });

const fault = (spec: Partial<PodFaultSpec>): PodFault => ({
  kind: 'PodFault',
  metadata: { name: 'f', namespace: 'default', uid: 'fault-uid-1' },
  spec: { action: 'kill', selector: { labelSelector: { matchLabels: { app: 'web' } } }, ...spec },
});

async function webPod(container: Partial<Container> = {}, name = 'web'): Promise<Pod> {
  const pod = await h.createPod({ metadata: { name, namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: BUSYBOX, ...container }] } });
  await h.until(async () => statusOf(await h.getPod(name), 'c')?.state?.running, `${name} running`);
  return pod;
}

const eventMessages = async (reason: string): Promise<string[]> => {
  await h.kubelet.ctx.recorder.flush();
  return (await h.admin.events<any>().list('default')).items.filter((e) => e.reason === reason).map((e) => e.message);
};

const probe = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1, failureThreshold: 2 };

describe('PodFault kill and delete', () => {
  it('kill SIGKILLs the main process; the kubelet restarts it (restartCount 1, exit 137 reason Error)', async () => {
    await probedHarness();
    await webPod();
    const inj = injector();
    const f = fault({ action: 'kill' });
    const [target] = await inj.selectTargets(f);
    expect(target).toMatchObject({ kind: 'Pod', namespace: 'default', name: 'web', containers: ['c'] });
    const done = await inj.inject(f, target);
    expect(h.runtime.callsOf('killContainer').map((c) => c[1])).toEqual(['SIGKILL']);
    expect(done.message).toMatch(/^SIGKILL sent to c \(\w+\); nothing to revert$/);
    const pod = await h.until(async () => {
      const p = await h.getPod('web');
      return statusOf(p, 'c')?.restartCount === 1 && statusOf(p, 'c')?.state?.running ? p : undefined;
    }, 'restarted');
    expect(statusOf(pod, 'c')?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    await inj.revert(f, done);
    expect(statusOf(await h.getPod('web'), 'c')?.restartCount).toBe(1);
  });

  it('delete deletes the pod through the API', async () => {
    await probedHarness();
    const pod = await webPod();
    const inj = injector();
    const f = fault({ action: 'delete' });
    const [target] = await inj.selectTargets(f);
    await inj.inject(f, target);
    await h.until(async () => {
      const p = await h.getPod('web');
      return !p || p.metadata.uid !== pod.metadata.uid || !!p.metadata.deletionTimestamp;
    }, 'pod deleted');
  });
});

describe('PodFault probe failures', () => {
  it('failReadiness: NotReady with the injected message in history and events; revert → Ready again', async () => {
    await probedHarness();
    const pod = await webPod({ readinessProbe: probe });
    const ready = async (want: boolean) =>
      h.until(async () => {
        await h.step(1000);
        const p = await h.getPod('web');
        return conditionOf(p, 'Ready')?.status === (want ? 'True' : 'False') ? p : undefined;
      }, `Ready=${want}`);
    await ready(true);
    const inj = injector();
    const f = fault({ action: 'failReadiness' });
    const [target] = await inj.selectTargets(f);
    const done = await inj.inject(f, target);
    expect(done.message).toMatch(/readiness probe of c fails from its next period/);
    await ready(false);
    const prober = h.kubelet.ctx.probes as KubeletProbeManager;
    const [snap] = prober.snapshot((await h.getPod('web'))!);
    expect(snap.probes[0]).toMatchObject({ type: 'readiness', result: 'Failure', injectedFailure: 'probe failure injected by PodFault default/f' });
    expect(snap.probes[0].history.at(-1)).toMatchObject({ ok: false, message: 'probe failure injected by PodFault default/f' });
    expect(await eventMessages('Unhealthy')).toContain('Readiness probe failed: probe failure injected by PodFault default/f');
    await inj.revert(f, done);
    await ready(true);
    expect(statusOf(await h.getPod('web'), 'c')?.restartCount).toBe(0);
    expect(prober.snapshot((await h.getPod('web'))!)[0].probes[0].injectedFailure).toBeUndefined();
    expect(pod.metadata.uid).toBe((await h.getPod('web'))?.metadata.uid);
  });

  it('failLiveness: the kubelet restarts the container; after revert it stays up', async () => {
    await probedHarness();
    await webPod({ livenessProbe: probe });
    const inj = injector();
    const f = fault({ action: 'failLiveness' });
    const [target] = await inj.selectTargets(f);
    const done = await inj.inject(f, target);
    await h.until(async () => {
      await h.step(1000);
      return (statusOf(await h.getPod('web'), 'c')?.restartCount ?? 0) >= 1;
    }, 'restart after liveness failures');
    expect(await eventMessages('Killing')).toContain('Container c failed liveness probe, will be restarted');
    expect(await eventMessages('Unhealthy')).toContain('Liveness probe failed: probe failure injected by PodFault default/f');
    await inj.revert(f, done);
    await h.until(async () => statusOf(await h.getPod('web'), 'c')?.state?.running, 'running again');
    const restarts = statusOf(await h.getPod('web'), 'c')?.restartCount;
    for (let i = 0; i < 6; i++) await h.step(1000);
    expect(statusOf(await h.getPod('web'), 'c')?.restartCount).toBe(restarts);
  });

  it('refuses a probe fault when no matching pod has that probe (422 on spec.action)', async () => {
    await probedHarness();
    await webPod({ livenessProbe: probe });
    const err = await injector().selectTargets(fault({ action: 'failReadiness' })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).causes[0].field).toBe('spec.action');
    expect((err as ApiError).message).toMatch(/none of the 1 matching pods has a readiness probe/);
  });

  it('only pods with the probe are candidates, so mode "one" always hits one that can fail', async () => {
    await probedHarness();
    await webPod({}, 'plain');
    await webPod({ readinessProbe: probe }, 'probed');
    for (const r of [0, 0.5, 0.99]) {
      const inj = createPodFaultInjector({ client: h.admin, runtime: h.runtime, labId: LAB, node: () => h.kubelet, random: () => r });
      expect((await inj.selectTargets(fault({ action: 'failReadiness', mode: 'one' }))).map((t) => t.name)).toEqual(['probed']);
    }
  });
});

describe('PodFault stress', () => {
  it('cpuStress execs marked busy loops; revert kills them by the marker', async () => {
    await probedHarness();
    await webPod({ resources: { limits: { cpu: '500m' } } });
    const inj = injector();
    const f = fault({ action: 'cpuStress', cpuWorkers: 2 });
    const [target] = await inj.selectTargets(f);
    const done = await inj.inject(f, target);
    expect(done.message).toBe('c: 2 busy workers (capped by its 500m CPU limit)');
    const execs = () => h.runtime.callsOf('exec').map((c) => c[1]);
    expect(execs()).toEqual([cpuStressCommand('fault-uid-1', 2)]);
    expect(cpuStressCommand('fault-uid-1', 2).join(' ')).toContain("while :; do :; done");
    await inj.revert(f, done);
    expect(execs()).toEqual([cpuStressCommand('fault-uid-1', 2), stopStressCommand('fault-uid-1')]);
  });

  it('an image without a shell makes the injection fail with the reason', async () => {
    await probedHarness();
    await webPod();
    h.runtime.scriptExec(cpuStressCommand('fault-uid-1', 1), { exitCode: 127, stderr: 'exec: "sh": executable file not found in $PATH' });
    const inj = injector();
    const f = fault({ action: 'cpuStress' });
    const [target] = await inj.selectTargets(f);
    await expect(inj.inject(f, target)).rejects.toThrow(/container c \(image bosun-test\/busybox:1.0\) has no usable \/bin\/sh/);
  });

  it('memoryStress holds the bytes below the limit, and reports an allocation above it', async () => {
    await probedHarness();
    await webPod({ resources: { limits: { memory: '32Mi' } } });
    const inj = injector();
    const below = fault({ action: 'memoryStress', memory: '16Mi' });
    const [target] = await inj.selectTargets(below);
    const done = await inj.inject(below, target);
    expect(done.message).toBe('c: holding 16Mi of its 32Mi limit');
    expect(h.runtime.callsOf('exec').map((c) => c[1])).toEqual([memoryStressCommand('fault-uid-1', 16 * 1024 * 1024)]);
    await inj.revert(below, done);
    // The fake engine runs no kernel: no OOM kill happens, and the message says so rather than pretending.
    const above = await inj.inject(fault({ action: 'memoryStress', memory: '64Mi' }), target);
    expect(above.message).toBe('c: 64Mi is above its 32Mi limit but no OOM kill was seen yet');
  });
});

describe('PodFault memoryStress OOM detection', () => {
  it('sees the kernel OOM kill in the cgroup counter and kills the container as cgroup v2 group-OOM does', async () => {
    await probedHarness();
    await webPod({ resources: { limits: { memory: '32Mi' } } });
    // The fake engine has no kernel: answer the cgroup counter as one would (0 before the allocation, 1 after).
    let reads = 0;
    const runtime = Object.create(h.runtime) as typeof h.runtime;
    runtime.exec = async (id, command, options) => {
      if (command.join(' ').includes('memory.events')) return { exitCode: 0, stdout: `oom 0\noom_kill ${reads++ === 0 ? 0 : 1}\n`, stderr: '', timedOut: false };
      return h.runtime.exec(id, command, options);
    };
    const inj = createPodFaultInjector({ client: h.admin, runtime, labId: LAB, node: () => h.kubelet, clock: h.clock, oomWaitMs: 0 });
    const f = fault({ action: 'memoryStress', memory: '64Mi' });
    const [target] = await inj.selectTargets(f);
    const done = await inj.inject(f, target);
    expect(done.message).toBe('c: 64Mi is above its 32Mi limit; the kernel OOM-killed it (OOMKilled)');
    expect(h.runtime.callsOf('killContainer').map((c) => c[1])).toEqual(['SIGKILL']);
    await h.until(async () => statusOf(await h.getPod('web'), 'c')?.restartCount === 1, 'restarted');
  });
});

describe('PodFault imagePullFailure', () => {
  it('restarts the container into ErrImagePull/ImagePullBackOff without asking the engine; revert recovers', async () => {
    await probedHarness();
    await webPod({ imagePullPolicy: 'IfNotPresent' });
    const inj = injector();
    const f = fault({ action: 'imagePullFailure' });
    const [target] = await inj.selectTargets(f);
    const done = await inj.inject(f, target);
    expect(done.message).toMatch(/image pulls of c fail \(ErrImagePull → ImagePullBackOff\); restarted c/);
    const reason = async (want: string) =>
      h.until(async () => {
        const p = await h.getPod('web');
        return statusOf(p, 'c')?.state?.waiting?.reason === want ? statusOf(p, 'c') : undefined;
      }, want);
    const pullErr = await reason('ErrImagePull');
    expect(pullErr?.state?.waiting?.message).toBe(
      'Error response from daemon: pull access denied for bosun-test/busybox:1.0: denied: the registry refused the pull (injected by PodFault default/f)',
    );
    const backoff = await h.until(async () => {
      await h.step(200);
      const s = statusOf(await h.getPod('web'), 'c');
      return s?.state?.waiting?.reason === 'ImagePullBackOff' ? s : undefined;
    }, 'ImagePullBackOff');
    expect(backoff?.state?.waiting?.message).toMatch(/^Back-off pulling image "bosun-test\/busybox:1.0": ErrImagePull: .*injected by PodFault/);
    expect(await eventMessages('Pulling')).toContain('Pulling image "bosun-test/busybox:1.0"');
    expect(h.runtime.callsOf('pullImage')).toEqual([]);
    await inj.revert(f, done);
    const back = await h.until(async () => {
      await h.step(1000);
      const s = statusOf(await h.getPod('web'), 'c');
      return s?.state?.running ? s : undefined;
    }, 'running after revert');
    expect(back?.restartCount).toBe(1);
  });

  it('skips containers with imagePullPolicy Never, saying why', async () => {
    await probedHarness();
    await webPod({ imagePullPolicy: 'Never' });
    const inj = injector();
    const f = fault({ action: 'imagePullFailure' });
    const [target] = await inj.selectTargets(f);
    const done = await inj.inject(f, target);
    expect(done.message).toBe('skipped c: imagePullPolicy Never never pulls, so a registry failure cannot affect it');
    expect(h.runtime.callsOf('killContainer')).toEqual([]);
  });
});

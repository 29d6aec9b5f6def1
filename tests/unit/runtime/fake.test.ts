import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../main/client/clock';
import { FakeRuntime } from '../../../main/runtime/fake';
import { createRuntime } from '../../../main/runtime/index';
import { RuntimeError, isRuntimeError, type ContainerSpec, type RuntimeEvent } from '../../../main/runtime/runtime';

const IMAGE = 'busybox:1';

async function withNetwork(rt: FakeRuntime): Promise<void> {
  await rt.ensureNetwork('pods', { subnet: '10.244.0.0/16', gateway: '10.244.0.1', labels: {} });
}

const sandbox = (name: string, labels: Record<string, string> = {}): ContainerSpec => ({
  name,
  image: IMAGE,
  labels: { 'bosun.managed': 'true', ...labels },
  network: { sandbox: { network: 'pods', ports: [{ containerPort: 80, protocol: 'TCP' }] } },
});

const tick = () => new Promise((r) => setTimeout(r, 0));

/** stopContainer(id, grace) returns after exactly `ms` of fake time, with the process still there until then. */
async function expectStopTakes(rt: FakeRuntime, clock: FakeClock, id: string, graceSeconds: number, ms: number): Promise<void> {
  let stopped = false;
  const stop = rt.stopContainer(id, graceSeconds).then(() => (stopped = true));
  clock.step(ms - 1);
  await tick();
  expect(stopped).toBe(false);
  expect(await rt.inspectContainer(id)).toMatchObject({ state: 'running' });
  clock.step(1);
  await stop;
}

describe('FakeRuntime', () => {
  it('is what createRuntime("fake") builds', () => {
    expect(createRuntime('fake', { fake: { images: [IMAGE] } })).toBeInstanceOf(FakeRuntime);
  });

  it('gives deterministic ids, distinct IPs in the subnet and distinct published ports', async () => {
    const ids: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const rt = new FakeRuntime({ images: [IMAGE] });
      await withNetwork(rt);
      ids.push([await rt.createContainer(sandbox('a')), await rt.createContainer(sandbox('b'))]);
      const [a, b] = await Promise.all(ids[run].map((id) => rt.inspectContainer(id)));
      expect(a!.ip).toMatch(/^10\.244\./);
      expect(a!.ip).not.toBe(b!.ip);
      expect(a!.ports![0].hostPort).not.toBe(b!.ports![0].hostPort);
      expect(a!.ports![0].hostIP).toBe('127.0.0.1');
    }
    expect(ids[0]).toEqual(ids[1]);
    expect(ids[0][0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records every call and fails the next call of a method on demand, once per failNext', async () => {
    const rt = new FakeRuntime({ images: [IMAGE] });
    await withNetwork(rt);
    rt.failNext('createContainer', new RuntimeError('CreateContainerError', 'injected'));
    await expect(rt.createContainer(sandbox('a'))).rejects.toThrow('injected');
    const id = await rt.createContainer(sandbox('a'));
    await rt.startContainer(id);
    expect(rt.callsOf('createContainer')).toHaveLength(2);
    expect(rt.calls.map((c) => c.method)).toEqual(['ensureNetwork', 'createContainer', 'createContainer', 'startContainer']);
    expect(rt.callsOf('startContainer')).toEqual([[id]]);
  });

  it('keeps the call log bounded', async () => {
    const rt = new FakeRuntime({ maxCalls: 10 });
    for (let i = 0; i < 100; i++) await rt.ping();
    expect(rt.calls.length).toBeLessThanOrEqual(20);
    expect(rt.calls.length).toBeGreaterThanOrEqual(10);
  });

  it('records no calls with maxCalls 0 (the lab), and keeps no container environment', async () => {
    const rt = new FakeRuntime({ images: [IMAGE], maxCalls: 0 });
    await withNetwork(rt);
    const env = [{ name: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' }];
    const spec: ContainerSpec = { ...sandbox('a'), env };
    const id = await rt.createContainer(spec);
    await rt.startContainer(id);
    expect(rt.calls).toEqual([]);
    expect(spec.env).toBe(env); // the caller's spec is left alone
    const stored = (rt as unknown as { byId: Map<string, { spec: ContainerSpec }> }).byId.get(id)!.spec;
    expect(stored.env).toBeUndefined();
    expect(stored.labels).toEqual(spec.labels);
    expect((await rt.inspectContainer(id))?.state).toBe('running');
    // Failures can still be injected without a call log.
    rt.failNext('stopContainer', new RuntimeError('NotFound', 'injected'));
    await expect(rt.stopContainer(id, 0)).rejects.toThrow('injected');
  });

  it('runs scripted behaviour on the injected clock: exit after N ms with a code, OOM, SIGTERM handling', async () => {
    const clock = new FakeClock();
    const rt = new FakeRuntime({ images: [IMAGE], clock });
    await withNetwork(rt);
    rt.script({ image: IMAGE }, { exitAfterMs: 5_000, exitCode: 2 });
    rt.script({ labels: { kind: 'hog' } }, { oomAfterMs: 100 });
    const events: RuntimeEvent[] = [];
    rt.watchEvents({ onEvent: (e) => events.push(e) });
    const a = await rt.createContainer(sandbox('a'));
    const hog = await rt.createContainer(sandbox('hog', { kind: 'hog' }));
    await rt.startContainer(a);
    await rt.startContainer(hog);
    clock.step(100);
    expect(await rt.inspectContainer(hog)).toMatchObject({ state: 'exited', exitCode: 137, oomKilled: true });
    expect((await rt.inspectContainer(a))!.state).toBe('running');
    clock.step(4_900);
    expect(await rt.inspectContainer(a)).toMatchObject({ state: 'exited', exitCode: 2, oomKilled: false });
    await tick();
    expect(events.filter((e) => e.id === hog).map((e) => e.type)).toEqual(['create', 'start', 'oom', 'die']);
    expect(events.find((e) => e.id === a && e.type === 'die')!.exitCode).toBe(2);
    expect(events[0].time).toBe(clock.nowMs() - 5_000);
  });

  it('stops a process that ignores SIGTERM only after the grace period', async () => {
    const clock = new FakeClock();
    const rt = new FakeRuntime({ images: [IMAGE], clock });
    await withNetwork(rt);
    rt.script({ name: 'stubborn' }, { onTerm: 'ignore' });
    const id = await rt.createContainer(sandbox('stubborn'));
    await rt.startContainer(id);
    await expectStopTakes(rt, clock, id, 30, 30_000);
    expect(await rt.inspectContainer(id)).toMatchObject({ state: 'exited', exitCode: 137 });
  });

  it('lets a process take sigtermExitMs to exit after SIGTERM, and a SIGKILL before that wins', async () => {
    const clock = new FakeClock();
    const rt = new FakeRuntime({ images: [IMAGE], clock, sigtermExitMs: 500 });
    await withNetwork(rt);
    const id = await rt.createContainer(sandbox('calm'));
    await rt.startContainer(id);
    await expectStopTakes(rt, clock, id, 30, 500);
    expect(await rt.inspectContainer(id)).toMatchObject({ state: 'exited', exitCode: 143 });

    // A grace period shorter than the exit: SIGKILL (137), and the late SIGTERM exit changes nothing.
    const quick = await rt.createContainer(sandbox('quick'));
    await rt.startContainer(quick);
    const dies: RuntimeEvent[] = [];
    rt.watchEvents({ onEvent: (e) => e.type === 'die' && e.id === quick && dies.push(e), onResync: () => undefined, onError: () => undefined });
    const killed = rt.stopContainer(quick, 0);
    clock.step(0);
    await killed;
    clock.step(1_000);
    await tick();
    expect(await rt.inspectContainer(quick)).toMatchObject({ state: 'exited', exitCode: 137 });
    expect(dies).toHaveLength(1);
  });

  it('answers simulated probes: healthy by default, overridden per id or per label selector', async () => {
    const rt = new FakeRuntime({ images: [IMAGE] });
    await withNetwork(rt);
    const a = await rt.createContainer(sandbox('a', { app: 'web' }));
    const b = await rt.createContainer(sandbox('b', { app: 'db' }));
    const probe = { handler: 'httpGet' as const, port: 80, path: '/' };
    expect((await rt.simulateProbe(a, probe)).ok).toBe(false); // not running yet
    await rt.startContainer(a);
    await rt.startContainer(b);
    expect(await rt.simulateProbe(a, probe)).toEqual({ ok: true, message: 'simulated probe succeeded' });
    rt.setProbeResult({ app: 'web' }, false, 'HTTP probe failed with statuscode: 500');
    expect(await rt.simulateProbe(a, probe)).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 500' });
    expect((await rt.simulateProbe(b, probe)).ok).toBe(true);
    rt.setProbeResult(a, true);
    expect((await rt.simulateProbe(a, probe)).ok).toBe(true);
  });

  it('pulls with per-layer progress, and fails scripted or unresolvable pulls', async () => {
    const rt = new FakeRuntime();
    expect(await rt.imagePresent('nginx')).toBe(false);
    const progress: string[] = [];
    await rt.pullImage('nginx', (p) => progress.push(`${p.id}:${p.status}`));
    expect(progress).toContain('f4ce0001:Pull complete');
    expect(await rt.imagePresent('nginx:latest')).toBe(true);
    rt.failPull('private/app:1', 'pull access denied for private/app, repository does not exist', 'ImageNotFound');
    await expect(rt.pullImage('private/app:1')).rejects.toSatisfy((e) => isRuntimeError(e, 'ImageNotFound'));
    await expect(rt.pullImage('nowhere.invalid/x:1')).rejects.toSatisfy((e) => isRuntimeError(e, 'ErrImagePull'));
  });

  it('simulates an engine restart: running containers die and watchers re-list', async () => {
    const rt = new FakeRuntime({ images: [IMAGE] });
    await withNetwork(rt);
    let resyncs = 0;
    rt.watchEvents({ onEvent: () => {}, onResync: () => resyncs++ });
    const id = await rt.createContainer(sandbox('a'));
    await rt.startContainer(id);
    rt.restartEngine();
    await tick();
    expect(resyncs).toBe(1);
    expect((await rt.inspectContainer(id))!.state).toBe('exited');
  });

  it('holds 10,000 simulated containers in well under 100 MB', async () => {
    const rt = new FakeRuntime({ allImagesPresent: true, maxCalls: 1_000 });
    await rt.ensureNetwork('pods', { subnet: '10.200.0.0/16', gateway: '10.200.0.1', labels: {} });
    const pause: ContainerSpec = sandbox('x');
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 5_000; i++) {
      const labels = { 'bosun.managed': 'true', 'bosun.pod.uid': `uid-${i}`, 'bosun.pod.name': `pod-${i}`, 'bosun.pod.namespace': 'default' };
      const sb = await rt.createContainer({ ...pause, name: `k8s_POD_${i}`, labels: { ...labels, 'bosun.container.name': 'POD' } });
      await rt.startContainer(sb);
      const app = await rt.createContainer({ name: `k8s_app_${i}`, image: 'app:1', labels: { ...labels, 'bosun.container.name': 'app' }, network: { joinContainer: sb } });
      await rt.startContainer(app);
    }
    const used = process.memoryUsage().heapUsed - before;
    expect(rt.containerCount).toBe(10_000);
    expect(used).toBeLessThan(100 * 1024 * 1024);
    expect(await rt.listContainers({ 'bosun.pod.uid': 'uid-4321' })).toHaveLength(2);
  });
});

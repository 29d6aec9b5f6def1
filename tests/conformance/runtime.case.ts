// The one conformance suite of the ContainerRuntime interface (DESIGN.md rule 4): FakeRuntime and
// DockerRuntime (real engine) both run it. Each test creates what it needs under a test-unique lab id and
// the fixture removes it afterwards; the global teardown fails the run if any bosun.managed object remains.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeLabels, isRuntimeError, type ContainerRuntime, type RuntimeEvent } from '../../main/runtime/runtime';
import {
  Fixture,
  collect,
  execs,
  expectRuntimeError,
  newLabId,
  programs,
  waitFor,
  waitForState,
  type RuntimeConformanceOptions,
  type RuntimeFactory,
} from './runtime-helpers.case';
import { describeRuntimeStreams } from './runtime-streams.case';

export type { RuntimeConformanceOptions, RuntimeFactory } from './runtime-helpers.case';

/** A /24 unlikely to overlap what other labs on this engine use; retried on overlap. */
async function ensureTestNetwork(rt: ContainerRuntime, name: string, labels: Record<string, string>): Promise<string> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 8; attempt++) {
    const third = 1 + Math.floor(Math.random() * 250);
    const prefix = `10.213.${third}`;
    try {
      await rt.ensureNetwork(name, { subnet: `${prefix}.0/24`, gateway: `${prefix}.1`, labels });
      return prefix;
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

export function describeRuntimeConformance(name: string, makeRuntime: RuntimeFactory, opts: RuntimeConformanceOptions): void {
  describe(`ContainerRuntime conformance: ${name}`, () => {
    const labId = newLabId();
    const network = `bosun-${labId}`;
    let rt: ContainerRuntime;
    let fx: Fixture;
    let prefix: string;

    beforeAll(async () => {
      rt = await makeRuntime(labId);
      fx = new Fixture(rt, labId, network, opts);
      prefix = await ensureTestNetwork(rt, network, fx.labels({ [RuntimeLabels.role]: 'network' }));
    });
    afterEach(async () => {
      await fx.cleanup();
    });
    afterAll(async () => {
      if (!rt) return;
      await fx.cleanup();
      await rt.removeNetwork(network).catch(() => undefined);
      await rt.close();
    });

    it('answers ping and reports its version and capacity', async () => {
      await rt.ping();
      const v = await rt.version();
      expect(v.runtimeName).toBe(rt.kind);
      expect(v.runtimeVersion).not.toBe('');
      expect(v.cpus).toBeGreaterThan(0);
      expect(v.memTotalBytes).toBeGreaterThan(0);
      expect(v.kernelVersion).not.toBe('');
    });

    it('knows present images, treats pulling one as a no-op, and fails an unresolvable pull with ErrImagePull', async () => {
      expect(await rt.imagePresent(opts.busybox)).toBe(true);
      expect(await rt.imagePresent(`bosun-test/absent-${labId}:1.0`)).toBe(false);
      const progress: string[] = [];
      await rt.pullImage(opts.busybox, (p) => progress.push(p.status));
      expect(progress.join('\n')).toMatch(/up to date/i);
      const e = await expectRuntimeError(rt.pullImage('bosun-nowhere.invalid/nothing:1.0'), 'ErrImagePull');
      expect(e.message).toContain('bosun-nowhere.invalid');
    });

    it('refuses to create a container from an image that is not present (ImageNotFound) or under a taken name (Conflict)', async () => {
      await expectRuntimeError(fx.create({ image: `bosun-test/absent-${labId}:1.0` }), 'ImageNotFound');
      const name = fx.name('dup');
      await fx.create({ name, argv: programs.sleeper.argv }, false);
      await expectRuntimeError(fx.create({ name, argv: programs.sleeper.argv }, false), 'Conflict');
    });

    it('runs a sandbox with a static IP and published 127.0.0.1 port, and an app container in its namespaces', async () => {
      const ip = `${prefix}.10`;
      const sandbox = await fx.create({
        image: opts.pause,
        labels: fx.labels({ [RuntimeLabels.container]: 'POD', [RuntimeLabels.role]: 'sandbox' }),
        network: {
          sandbox: {
            network,
            ip,
            aliases: ['web-pod'],
            hostname: 'web-pod',
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            dnsOptions: ['ndots:5'],
            extraHosts: ['lab-host:10.0.0.1'],
          },
        },
      });
      const info = await waitForState(rt, sandbox, 'running');
      expect(info.ip).toBe(ip);
      expect(info.ports).toHaveLength(1);
      expect(info.ports![0]).toMatchObject({ containerPort: 8080, protocol: 'TCP', hostIP: '127.0.0.1' });
      const hostPort = info.ports![0].hostPort;
      expect(hostPort).toBeGreaterThan(0);

      const app = await fx.create({ argv: programs.web.argv, network: { joinContainer: sandbox } });
      const appInfo = await waitForState(rt, app, 'running');
      expect(appInfo.ip).toBeUndefined();
      // Same network namespace: the app answers on the sandbox's localhost.
      const local = await waitFor('app reachable on localhost from its pod', async () => {
        const r = await rt.exec(app, execs.localhost.argv, { timeoutMs: 5_000 });
        return r.exitCode === 0 ? r : undefined;
      });
      expect(local.stdout).toBe('hello-from-pod\n');
      if (opts.realEngine) {
        const body = await waitFor('app reachable through the published port', async () => {
          const res = await fetch(`http://127.0.0.1:${hostPort}/`).catch(() => undefined);
          return res?.ok ? res.text() : undefined;
        });
        expect(body).toBe('hello-from-pod\n');
        const hosts = await rt.exec(app, ['cat', '/etc/hosts', '/etc/resolv.conf', '/etc/hostname']);
        expect(hosts.stdout).toContain('lab-host');
        expect(hosts.stdout).toContain('ndots:5');
        expect(hosts.stdout).toContain('web-pod');
      }
    });

    it('round-trips labels and filters listContainers by every given label', async () => {
      const a = await fx.create({ argv: programs.sleeper.argv, labels: fx.labels({ [RuntimeLabels.podUid]: 'uid-a', 'x.test/extra': 'yes' }) }, false);
      const b = await fx.create({ argv: programs.sleeper.argv, labels: fx.labels({ [RuntimeLabels.podUid]: 'uid-b' }) }, false);
      const onlyA = await rt.listContainers({ [RuntimeLabels.lab]: labId, [RuntimeLabels.podUid]: 'uid-a' });
      expect(onlyA.map((c) => c.id)).toEqual([a]);
      expect(onlyA[0].labels).toMatchObject({ [RuntimeLabels.podUid]: 'uid-a', 'x.test/extra': 'yes', [RuntimeLabels.managed]: 'true' });
      expect(onlyA[0].state).toBe('created');
      expect(onlyA[0].exitCode).toBeUndefined();
      const both = await rt.listContainers({ [RuntimeLabels.lab]: labId });
      expect(both.map((c) => c.id).sort()).toEqual([a, b].sort());
      expect(await rt.listContainers({ [RuntimeLabels.lab]: labId, [RuntimeLabels.podUid]: 'uid-none' })).toEqual([]);
    });

    it('moves created → running → exited with the exit code and times', async () => {
      const id = await fx.create({ argv: programs.exit3.argv }, false);
      const created = await rt.inspectContainer(id);
      expect(created).toMatchObject({ id, state: 'created', image: opts.busybox });
      expect(created!.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      await rt.startContainer(id);
      const done = await waitForState(rt, id, 'exited');
      expect(done.exitCode).toBe(3);
      expect(done.oomKilled).toBe(false);
      expect(Date.parse(done.startedAt!)).toBeLessThanOrEqual(Date.parse(done.finishedAt!));
    });

    it('delivers create, start and die events once each, with labels and the exit code', async () => {
      const events: RuntimeEvent[] = [];
      const watch = rt.watchEvents({ onEvent: (e) => events.push(e) });
      try {
        const uid = `uid-${labId}-events`;
        const id = await fx.create({ argv: programs.exit7.argv, labels: fx.labels({ [RuntimeLabels.podUid]: uid }) });
        const die = await waitFor('die event', async () => events.find((e) => e.id === id && e.type === 'die'));
        expect(die.exitCode).toBe(7);
        expect(die.labels[RuntimeLabels.podUid]).toBe(uid);
        expect(die.time).toBeGreaterThan(0);
        await rt.removeContainer(id);
        await waitFor('destroy event', async () => events.some((e) => e.id === id && e.type === 'destroy'));
        const mine = events.filter((e) => e.id === id).map((e) => e.type);
        for (const type of ['create', 'start', 'die', 'destroy'] as const) expect(mine.filter((t) => t === type)).toHaveLength(1);
        expect(mine.indexOf('create')).toBeLessThan(mine.indexOf('start'));
        expect(mine.indexOf('start')).toBeLessThan(mine.indexOf('die'));
        // Only this lab's managed containers are reported.
        expect(events.every((e) => e.labels[RuntimeLabels.managed] === 'true')).toBe(true);
      } finally {
        watch.stop();
      }
    });

    it('stops with a grace period: SIGTERM honoured, SIGKILL after the grace for a process that ignores it', async () => {
      const graceful = await fx.create({ argv: programs.graceful.argv });
      await waitForState(rt, graceful, 'running');
      await waitFor('trap installed', async () => (await rt.exec(graceful, ['true'])).exitCode === 0);
      await rt.stopContainer(graceful, 20);
      const g = await rt.inspectContainer(graceful);
      expect(g).toMatchObject({ state: 'exited', exitCode: 0 });
      const lines = await collect(await rt.logs(graceful, {}));
      expect(lines.map((l) => l.text).join('')).toContain('got-term');

      const stubborn = await fx.create({ argv: programs.stubborn.argv });
      await waitForState(rt, stubborn, 'running');
      await rt.stopContainer(stubborn, 1);
      expect(await rt.inspectContainer(stubborn)).toMatchObject({ state: 'exited', exitCode: 137 });
      // Stopping what is already stopped is not an error.
      await rt.stopContainer(stubborn, 1);
    });

    it('kills with a signal, and pauses and unpauses', async () => {
      const id = await fx.create({ argv: programs.sleeper.argv });
      await waitForState(rt, id, 'running');
      await rt.pauseContainer(id);
      expect((await rt.inspectContainer(id))!.state).toBe('paused');
      await rt.unpauseContainer(id);
      expect((await rt.inspectContainer(id))!.state).toBe('running');
      await rt.killContainer(id, 'SIGKILL');
      const info = await waitForState(rt, id, 'exited');
      expect(info.exitCode).toBe(137);
      await expectRuntimeError(rt.killContainer(id, 'SIGKILL'), 'Conflict');
    });

    it('reports OOMKilled for a container that allocates past its memory limit', async () => {
      const events: RuntimeEvent[] = [];
      const watch = rt.watchEvents({ onEvent: (e) => events.push(e) });
      try {
        const id = await fx.create({ argv: programs.hog.argv, memoryLimitBytes: 16 * 1024 * 1024 });
        const info = await waitForState(rt, id, 'exited');
        expect(info.oomKilled).toBe(true);
        expect(info.exitCode).toBe(137);
        await waitFor('oom event', async () => events.some((e) => e.id === id && e.type === 'oom'));
      } finally {
        watch.stop();
      }
    });

    it('creates, lists by label, shares and removes volumes', async () => {
      const name = `bosun-${labId}-vol`;
      fx.volumes.push(name);
      const vol = await rt.createVolume(name, fx.labels({ [RuntimeLabels.role]: 'volume', [RuntimeLabels.podUid]: 'uid-v' }));
      expect(vol.name).toBe(name);
      expect(vol.labels[RuntimeLabels.podUid]).toBe('uid-v');
      const listed = await rt.listVolumes({ [RuntimeLabels.lab]: labId, [RuntimeLabels.podUid]: 'uid-v' });
      expect(listed.map((v) => v.name)).toEqual([name]);
      const writer = await fx.create({ argv: programs.writer.argv, mounts: [{ kind: 'volume', source: name, target: '/data' }] });
      await waitForState(rt, writer, 'running');
      const reader = await fx.create({ argv: programs.sleeper.argv, mounts: [{ kind: 'volume', source: name, target: '/data', readOnly: true }] });
      const read = await waitFor('file written through the shared volume', async () => {
        const r = await rt.exec(reader, execs.readVolume.argv);
        return r.exitCode === 0 ? r : undefined;
      });
      expect(read.stdout).toBe('persisted\n');
      await expectRuntimeError(rt.removeVolume(name), 'Conflict');
      await fx.cleanup();
      expect(await rt.listVolumes({ [RuntimeLabels.lab]: labId, [RuntimeLabels.podUid]: 'uid-v' })).toEqual([]);
      await expectRuntimeError(rt.removeVolume(name), 'NotFound');
    });

    it('disconnects a sandbox from the pod network and reconnects it with its IP and aliases', async () => {
      const ip = `${prefix}.20`;
      const id = await fx.create({ image: opts.pause, network: { sandbox: { network, ip, aliases: ['p1'], ports: [] } } });
      expect((await waitForState(rt, id, 'running')).ip).toBe(ip);
      await rt.disconnectNetwork(id, network);
      expect((await rt.inspectContainer(id))!.ip).toBeUndefined();
      await rt.connectNetwork(id, network, { ip, aliases: ['p1'] });
      expect((await rt.inspectContainer(id))!.ip).toBe(ip);
    });

    it('answers NotFound for ids that do not exist', async () => {
      const missing = 'f'.repeat(64);
      expect(await rt.inspectContainer(missing)).toBeUndefined();
      await expectRuntimeError(rt.startContainer(missing), 'NotFound');
      await expectRuntimeError(rt.stopContainer(missing, 1), 'NotFound');
      await expectRuntimeError(rt.killContainer(missing), 'NotFound');
      await expectRuntimeError(rt.removeContainer(missing), 'NotFound');
      await expectRuntimeError(rt.pauseContainer(missing), 'NotFound');
      await expectRuntimeError(rt.exec(missing, ['true']), 'NotFound');
      await expectRuntimeError(rt.logs(missing, {}), 'NotFound');
      await expectRuntimeError(rt.removeNetwork(`bosun-${labId}-nonet`), 'NotFound');
      expect(isRuntimeError(new Error('x'))).toBe(false);
    });

    describeRuntimeStreams(() => ({ rt, fx }), opts);
  });
}

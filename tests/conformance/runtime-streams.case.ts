// Conformance for the streaming side of ContainerRuntime: exec (output, exit code, stdin, timeout),
// interactive exec, logs (stdout/stderr separation, tail, since, timestamps, follow) and stats.
import { describe, expect, it } from 'vitest';
import type { ContainerRuntime, LogChunk } from '../../main/runtime/runtime';
import { type Fixture, type RuntimeConformanceOptions, collect, execs, programs, waitFor, waitForState } from './runtime-helpers.case';

export function describeRuntimeStreams(get: () => { rt: ContainerRuntime; fx: Fixture }, opts: RuntimeConformanceOptions): void {
  describe('streams', () => {
    it('execs with stdout and stderr apart, the exit code, stdin, and a timeout', async () => {
      const { rt, fx } = get();
      const id = await fx.create({ argv: programs.sleeper.argv });
      await waitForState(rt, id, 'running');
      expect(await rt.exec(id, execs.mixed.argv)).toEqual({ exitCode: 4, stdout: 'out\n', stderr: 'err\n', timedOut: false });
      expect(await rt.exec(id, execs.cat.argv, { input: 'from-stdin' })).toMatchObject({ exitCode: 0, stdout: 'from-stdin' });
      const slow = await rt.exec(id, execs.slow.argv, { timeoutMs: 300 });
      expect(slow.timedOut).toBe(true);
      // The container itself is unaffected by an exec that timed out.
      expect((await rt.inspectContainer(id))!.state).toBe('running');
    });

    it('runs an interactive exec with stdin and reports its exit code', async () => {
      const { rt, fx } = get();
      const id = await fx.create({ argv: programs.sleeper.argv });
      await waitForState(rt, id, 'running');
      const session = await rt.execInteractive(id, execs.cat.argv, { tty: false, stdin: true });
      const out: Buffer[] = [];
      session.stdout.on('data', (d: Buffer) => out.push(d));
      session.stdin!.end('from-stdin');
      expect(await session.wait()).toBe(0);
      await waitFor('interactive output', async () => Buffer.concat(out).toString().includes('from-stdin'));
      expect(session.stderr).toBeDefined();
    });

    it('reads logs with streams apart, tail, since and timestamps, and follows new lines until closed', async () => {
      const { rt, fx } = get();
      const id = await fx.create({ argv: programs.talker.argv });
      await waitForState(rt, id, 'running');
      const all = await waitFor('first three lines', async () => {
        const lines = await collect(await rt.logs(id, {}));
        return lines.length >= 3 ? lines : undefined;
      });
      expect(all).toEqual([
        { stream: 'stdout', text: 'one\n' },
        { stream: 'stderr', text: 'two\n' },
        { stream: 'stdout', text: 'three\n' },
      ]);
      expect(await collect(await rt.logs(id, { tail: 1 }))).toEqual([{ stream: 'stdout', text: 'three\n' }]);
      expect(await collect(await rt.logs(id, { tail: 0 }))).toEqual([]);
      expect(await collect(await rt.logs(id, { since: Math.floor(Date.now() / 1000) + 3600 }))).toEqual([]);
      const stamped = await collect(await rt.logs(id, { timestamps: true }));
      expect(stamped).toHaveLength(3);
      for (const l of stamped) expect(l.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (one|two|three)\n$/);

      const follow = await rt.logs(id, { follow: true });
      const received: LogChunk[] = [];
      const reading = (async () => {
        for await (const c of follow) received.push(c);
      })();
      await waitFor('followed backlog', async () => received.length >= 3);
      expect((await rt.exec(id, execs.go.argv)).exitCode).toBe(0);
      await waitFor('followed new line', async () => received.some((c) => c.data.toString() === 'four\n'));
      follow.close();
      await reading; // close() ends the iteration
    });

    it('ends a follow when the container exits', async () => {
      const { rt, fx } = get();
      const id = await fx.create({ argv: programs.sleeper.argv });
      await waitForState(rt, id, 'running');
      const follow = await rt.logs(id, { follow: true });
      const done = collect(follow);
      await rt.killContainer(id, 'SIGKILL');
      expect(await done).toEqual([]);
    });

    it('reports stats of a running container and none of a stopped one', async () => {
      const { rt, fx } = get();
      const id = await fx.create({ argv: programs.sleeper.argv });
      await waitForState(rt, id, 'running');
      const first = await rt.stats(id);
      expect(first).toBeDefined();
      expect(first!.cpuNanoCores).toBeGreaterThanOrEqual(0);
      expect(first!.timestamp).toBeGreaterThan(0);
      if (opts.realEngine) expect(first!.memoryWorkingSetBytes).toBeGreaterThan(0);
      const second = await rt.stats(id);
      expect(second!.timestamp).toBeGreaterThanOrEqual(first!.timestamp);
      await rt.killContainer(id, 'SIGKILL');
      await waitForState(rt, id, 'exited');
      expect(await rt.stats(id)).toBeUndefined();
    });
  });
}

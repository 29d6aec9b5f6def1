// docker exec for the DockerRuntime: one-shot commands (probes, lifecycle hooks) with a timeout, and
// interactive sessions (kubectl exec -it) over the hijacked connection. The dockerode client is passed
// in, so this file does not import dockerode itself.
import { PassThrough, type Duplex } from 'node:stream';
import { FrameDemuxer } from './docker-streams';
import { RuntimeError, type ExecOptions, type ExecResult, type ExecSession } from './runtime';

type Any = any; // dockerode objects (see docker.ts)

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class DockerExec {
  constructor(
    private readonly docker: Any,
    private readonly fail: (err: unknown, what: string) => never,
    private readonly openStreams: Set<{ destroy(): void }>,
  ) {}

  private async create(id: string, command: string[], config: Record<string, unknown>): Promise<Any> {
    try {
      return await this.docker.getContainer(id).exec({ Cmd: command, AttachStdout: true, AttachStderr: true, ...config });
    } catch (err) {
      this.fail(err, `exec ${JSON.stringify(command)} in container ${id}`);
    }
  }

  private async start(exec: Any, id: string, command: string[], stdin: boolean, tty: boolean): Promise<Duplex> {
    try {
      return await exec.start({ hijack: true, stdin, Detach: false, Tty: tty });
    } catch (err) {
      this.fail(err, `exec ${JSON.stringify(command)} in container ${id}`);
    }
  }

  /** The exit code once Docker has recorded it (the stream can end a moment before). */
  private async exitCode(exec: Any): Promise<number> {
    for (let i = 0; i < 50; i++) {
      const info = await exec.inspect().catch(() => undefined);
      if (info && !info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return Number(info.ExitCode);
      await sleep(Math.min(100, 5 * 2 ** i));
    }
    throw new RuntimeError('Unknown', 'exec ended but the engine reported no exit code');
  }

  /**
   * Kills the exec's process by its host pid. Docker has no API for this; it works where the engine
   * runs on this Linux host and we may signal its processes (root, as in CI). Elsewhere the process is
   * left to finish on its own, and the caller still gets timedOut at once.
   */
  private async killProcess(exec: Any): Promise<void> {
    const info = await exec.inspect().catch(() => undefined);
    if (info?.Pid > 0 && info.Running) {
      try {
        process.kill(info.Pid, 'SIGKILL');
      } catch {
        // Not ours to signal (remote engine, Docker Desktop VM, no permission).
      }
    }
  }

  async run(id: string, command: string[], options: ExecOptions): Promise<ExecResult> {
    const withInput = options.input !== undefined;
    const exec = await this.create(id, command, {
      AttachStdin: withInput,
      Tty: false,
      ...(options.env ? { Env: options.env } : {}),
      ...(options.user ? { User: options.user } : {}),
    });
    const stream = await this.start(exec, id, command, withInput, false);
    this.openStreams.add(stream);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const demuxer = new FrameDemuxer((c) => (c.stream === 'stderr' ? err : out).push(c.data));
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<'ended'>((resolve) => {
      stream.on('data', (d: Buffer) => demuxer.push(d));
      stream.on('end', () => resolve('ended'));
      stream.on('close', () => resolve('ended'));
      stream.on('error', () => resolve('ended'));
    });
    const timeout = options.timeoutMs && options.timeoutMs > 0 ? new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs))) : undefined;
    if (withInput) {
      stream.write(options.input);
      stream.end(); // half-close: the process sees EOF on stdin
    }
    try {
      const outcome = await (timeout ? Promise.race([ended, timeout]) : ended);
      const text = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (outcome === 'timeout') {
        await this.killProcess(exec);
        return { exitCode: -1, ...text, timedOut: true };
      }
      return { exitCode: await this.exitCode(exec), ...text, timedOut: false };
    } finally {
      if (timer) clearTimeout(timer);
      this.openStreams.delete(stream);
      stream.destroy();
    }
  }

  async interactive(id: string, command: string[], options: { tty: boolean; stdin: boolean }): Promise<ExecSession> {
    const exec = await this.create(id, command, { AttachStdin: options.stdin, Tty: options.tty });
    const socket = await this.start(exec, id, command, options.stdin, options.tty);
    return this.session(socket, options, {
      resize: (cols, rows) => exec.resize({ h: rows, w: cols }),
      exitCode: () => this.exitCode(exec),
      kill: () => this.killProcess(exec),
      what: `exec terminal in container ${id}`,
    });
  }

  /**
   * kubectl attach: the container's own stdio over a hijacked connection. Ending the session detaches
   * and leaves the container running; wait() resolves with its exit code once it stops.
   */
  async attach(id: string, options: { tty: boolean; stdin: boolean }): Promise<ExecSession> {
    const container = this.docker.getContainer(id);
    let socket: Duplex;
    try {
      socket = await container.attach({ stream: true, stdin: options.stdin, stdout: true, stderr: true, hijack: true });
    } catch (err) {
      this.fail(err, `attaching to container ${id}`);
    }
    return this.session(socket, options, {
      resize: (cols, rows) => container.resize({ h: rows, w: cols }),
      // The stream also ends when the client detaches or Docker closes it on stdin EOF (without
      // StdinOnce); a container still running then means "detached", not an exit.
      exitCode: async () => {
        const state = (await container.inspect().catch(() => undefined))?.State;
        return state && !state.Running ? Number(state.ExitCode ?? 0) : 0;
      },
      kill: async () => undefined,
      what: `attached terminal of container ${id}`,
    });
  }

  /** Streams of a hijacked exec/attach connection: raw with a TTY, demultiplexed without. */
  private session(
    socket: Duplex,
    options: { tty: boolean; stdin: boolean },
    ops: { resize(cols: number, rows: number): Promise<unknown>; exitCode(): Promise<number>; kill(): Promise<void>; what: string },
  ): ExecSession {
    this.openStreams.add(socket);
    const stdout = new PassThrough();
    const stderr = options.tty ? undefined : new PassThrough();
    const demuxer = new FrameDemuxer((c) => (c.stream === 'stderr' ? stderr! : stdout).write(c.data));
    socket.on('data', (d: Buffer) => (options.tty ? stdout.write(d) : demuxer.push(d)));
    let exitCode: Promise<number> | undefined;
    const closed = new Promise<void>((resolve) => {
      const done = (): void => {
        this.openStreams.delete(socket);
        stdout.end();
        stderr?.end();
        resolve();
      };
      socket.on('end', done);
      socket.on('close', done);
      socket.on('error', done);
    });
    return {
      stdin: options.stdin ? socket : undefined,
      stdout,
      stderr,
      resize: async (cols, rows) => {
        try {
          await ops.resize(cols, rows);
        } catch (err) {
          this.fail(err, `resizing ${ops.what}`);
        }
      },
      wait: () => (exitCode ??= closed.then(() => ops.exitCode())),
      kill: () => {
        void ops.kill().finally(() => socket.destroy());
      },
    };
  }
}

// Shared pieces of the ContainerRuntime conformance suite: the programs it runs (a real command for
// Docker plus what it does, which teaches the FakeRuntime the same behaviour), a fixture that tracks and
// removes everything a test creates, and polling helpers (generous deadlines, never speed assertions).
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { FakeBehavior, FakeExecScript } from '../../main/runtime/fake-script';
import {
  RuntimeLabels,
  isRuntimeError,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type Labels,
  type RuntimeErrorReason,
} from '../../main/runtime/runtime';

export interface RuntimeConformanceOptions {
  /** Images present on the engine (offline test images). */
  busybox: string;
  pause: string;
  /** A real engine: traffic through published ports, real memory stats, real OOM. */
  realEngine: boolean;
  /** Simulated runtimes only: what a program does (Docker just runs the command). */
  script?(runtime: ContainerRuntime, argv: string[], behavior: FakeBehavior): void;
  scriptExec?(runtime: ContainerRuntime, argv: string[], result: FakeExecScript): void;
}

export type RuntimeFactory = (labId: string) => ContainerRuntime | Promise<ContainerRuntime>;

export interface Program {
  argv: string[];
  fake: FakeBehavior;
}

const sh = (script: string): string[] => ['sh', '-c', script];

/** The programs of the suite: each is a real busybox command and its simulated equivalent. */
export const programs = {
  exit3: { argv: sh('echo bye; exit 3'), fake: { exitAfterMs: 20, exitCode: 3, output: [{ stream: 'stdout', text: 'bye\n' }] } },
  exit7: { argv: sh('exit 7'), fake: { exitAfterMs: 20, exitCode: 7 } },
  sleeper: { argv: ['sleep', '300'], fake: {} },
  graceful: {
    argv: sh('trap "echo got-term; exit 0" TERM; while true; do sleep 1 & wait $!; done'),
    fake: { onTerm: 0, termOutput: 'got-term\n' },
  },
  stubborn: { argv: sh('trap "" TERM; while true; do sleep 1; done'), fake: { onTerm: 'ignore' } },
  talker: {
    // Pauses between lines: Docker copies stdout and stderr separately, so their relative order is only
    // defined when the writes are apart in time.
    argv: sh('echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo four; sleep 300'),
    fake: {
      output: [
        { stream: 'stdout', text: 'one\n' },
        { stream: 'stderr', text: 'two\n' },
        { stream: 'stdout', text: 'three\n' },
      ],
    },
  },
  hog: { argv: sh('head -c 64m /dev/zero | tail'), fake: { oomAfterMs: 30 } },
  web: { argv: sh('mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www'), fake: {} },
  writer: { argv: sh('echo persisted > /data/file && sleep 300'), fake: {} },
} satisfies Record<string, Program>;

export const execs = {
  mixed: { argv: sh('echo out; echo err >&2; exit 4'), fake: { exitCode: 4, stdout: 'out\n', stderr: 'err\n' } },
  cat: { argv: ['cat'], fake: { exitCode: 0, stdout: 'from-stdin' } },
  slow: { argv: ['sleep', '30'], fake: { durationMs: 30_000 } },
  go: { argv: ['touch', '/tmp/go'], fake: { containerOutput: [{ stream: 'stdout', text: 'four\n' }] } },
  readVolume: { argv: ['cat', '/data/file'], fake: { stdout: 'persisted\n' } },
  localhost: { argv: ['wget', '-qO-', 'http://127.0.0.1:8080/'], fake: { stdout: 'hello-from-pod\n' } },
} satisfies Record<string, { argv: string[]; fake: FakeExecScript }>;

export function newLabId(): string {
  return `conf-${randomBytes(4).toString('hex')}`;
}

/** Tracks what a test creates and removes it; every object carries the lab's labels. */
export class Fixture {
  readonly containers: string[] = [];
  readonly volumes: string[] = [];
  private seq = 0;

  constructor(
    readonly rt: ContainerRuntime,
    readonly labId: string,
    readonly network: string,
    readonly opts: RuntimeConformanceOptions,
  ) {
    for (const p of Object.values(programs)) opts.script?.(rt, p.argv, p.fake as FakeBehavior);
    for (const e of Object.values(execs)) opts.scriptExec?.(rt, e.argv, e.fake);
  }

  labels(extra: Labels = {}): Labels {
    return { [RuntimeLabels.managed]: 'true', [RuntimeLabels.lab]: this.labId, ...extra };
  }

  name(what: string): string {
    return `bosun-${this.labId}-${what}-${++this.seq}`;
  }

  async create(spec: Partial<ContainerSpec> & { argv?: string[] }, start = true): Promise<string> {
    const { argv, ...rest } = spec;
    const id = await this.rt.createContainer({
      name: this.name('c'),
      image: this.opts.busybox,
      labels: this.labels(),
      network: { sandbox: { network: this.network, ports: [] } },
      ...(argv ? { command: argv } : {}),
      ...rest,
    } as ContainerSpec);
    this.containers.push(id);
    if (start) await this.rt.startContainer(id);
    return id;
  }

  async cleanup(): Promise<void> {
    // Joined containers first: a sandbox's namespaces outlive it only while others use them.
    for (const id of this.containers.splice(0).reverse()) {
      await this.rt.removeContainer(id).catch((e) => {
        if (!isRuntimeError(e, 'NotFound')) throw e;
      });
    }
    for (const name of this.volumes.splice(0)) {
      await this.rt.removeVolume(name).catch((e) => {
        if (!isRuntimeError(e, 'NotFound')) throw e;
      });
    }
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value as T;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export async function waitForState(rt: ContainerRuntime, id: string, state: ContainerInfo['state']): Promise<ContainerInfo> {
  return waitFor(`container ${id.slice(0, 12)} to be ${state}`, async () => {
    const info = await rt.inspectContainer(id);
    return info?.state === state ? info : undefined;
  });
}

export async function expectRuntimeError(p: Promise<unknown>, reason: RuntimeErrorReason): Promise<Error> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected RuntimeError ${reason}`).toBeDefined();
  expect(isRuntimeError(error), `expected a RuntimeError, got ${String(error)}`).toBe(true);
  expect((error as { reason: string }).reason).toBe(reason);
  return error as Error;
}

export async function collect(iterable: AsyncIterable<{ stream: string; data: Buffer }>): Promise<Array<{ stream: string; text: string }>> {
  const out: Array<{ stream: string; text: string }> = [];
  for await (const c of iterable) out.push({ stream: c.stream, text: c.data.toString('utf8') });
  return out;
}

// What simulated containers "do". A FakeRuntime runs no processes, so tests (and the conformance suite,
// which runs the same scenarios on Docker with real commands) tell it what a program would do: exit after
// a while, get OOM-killed, print lines, answer exec and probes.
import type { ExecResult, Labels, LogChunk } from './runtime';

export interface FakeBehavior {
  /** The main process ends by itself after this long with `exitCode` (default 0). Absent: runs until stopped. */
  exitAfterMs?: number;
  exitCode?: number;
  /** The kernel OOM-kills the container after this long (exit 137, oomKilled). */
  oomAfterMs?: number;
  /** Printed when the container starts. */
  output?: Array<{ stream: 'stdout' | 'stderr'; text: string }>;
  /** SIGTERM handling: exit with this code at once (default 143), or 'ignore' (only SIGKILL ends it). */
  onTerm?: number | 'ignore';
  /** Printed when SIGTERM arrives (a trap handler's echo). */
  termOutput?: string;
  /** startContainer fails with RunContainerError and this message (e.g. executable not found). */
  startError?: string;
}

export interface FakeExecScript extends Partial<Omit<ExecResult, 'timedOut'>> {
  /** How long the simulated command runs; an exec with a shorter timeout reports timedOut. */
  durationMs?: number;
  /** What the command makes the container's main process print (e.g. it touched a file the process waits for). */
  containerOutput?: Array<{ stream: 'stdout' | 'stderr'; text: string }>;
}

/** Which containers a script applies to; every given field must match. */
export interface FakeMatch {
  image?: string;
  /** Exact argv: command followed by args, as the container would run it. */
  command?: string[];
  name?: string;
  labels?: Labels;
}

export interface ScriptTarget {
  image: string;
  argv: string[];
  name: string;
  labels: Labels;
}

export function matches(match: FakeMatch, target: ScriptTarget): boolean {
  if (match.image !== undefined && match.image !== target.image) return false;
  if (match.name !== undefined && match.name !== target.name) return false;
  if (match.command !== undefined && !sameArgv(match.command, target.argv)) return false;
  if (match.labels) {
    for (const [k, v] of Object.entries(match.labels)) if (target.labels[k] !== v) return false;
  }
  return true;
}

export function sameArgv(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function labelsMatch(selector: Labels, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

/** One line of simulated output with the engine time it was written, for since/tail/timestamps. */
export interface FakeLogLine {
  stream: 'stdout' | 'stderr';
  data: Buffer;
  time: number;
}

/** Docker's `--timestamps` prefix: RFC 3339 with nanoseconds, then a space. */
export function timestampPrefix(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z') + ' ';
}

/** Selects lines per LogOptions the way `docker logs` does: since first, then the last `tail` lines. */
export function selectLines(lines: FakeLogLine[], since?: number, tail?: number): FakeLogLine[] {
  let out = since !== undefined ? lines.filter((l) => l.time >= since * 1000) : lines;
  if (tail !== undefined && tail >= 0) out = tail === 0 ? [] : out.slice(-tail);
  return out;
}

export function toChunk(line: FakeLogLine, timestamps: boolean): LogChunk {
  return {
    stream: line.stream,
    data: timestamps ? Buffer.concat([Buffer.from(timestampPrefix(line.time)), line.data]) : line.data,
  };
}

/**
 * What a handful of well-known one-shot commands do without a script, so Jobs run to completion on
 * simulated nodes (`bosun serve --runtime fake`): `true` exits 0, `false` exits 1, and `sh -c "exit N"`
 * (also `/bin/sh`) exits N, each after a short run. Anything else runs until stopped. Scripts override.
 */
export const BUILTIN_EXIT_AFTER_MS = 200;

export function builtinBehavior(argv: string[]): FakeBehavior {
  const base = (s: string | undefined): string => (s ?? '').split('/').pop() ?? '';
  if (argv.length === 1 && base(argv[0]) === 'true') return { exitAfterMs: BUILTIN_EXIT_AFTER_MS, exitCode: 0 };
  if (argv.length === 1 && base(argv[0]) === 'false') return { exitAfterMs: BUILTIN_EXIT_AFTER_MS, exitCode: 1 };
  if (argv.length === 3 && base(argv[0]) === 'sh' && argv[1] === '-c') {
    const m = /^\s*exit\s+(\d{1,3})\s*$/.exec(argv[2]);
    if (m) return { exitAfterMs: BUILTIN_EXIT_AFTER_MS, exitCode: Number(m[1]) };
  }
  return {};
}

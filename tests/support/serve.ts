// Starts a real `bosun serve` child process for integration tests and drives kubectl against it.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { labIdForDataDir, podNetworkName } from '../../main/kubelet/lab-nodes';

const ROOT = resolve(__dirname, '../..');
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface ServeHandle {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  kubeconfig: string;
  child: ChildProcess;
  output: string[];
  /** SIGTERM and wait; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The lab id (`bosun.lab` label of its Docker objects), derived from the data dir. */
  labId: string;
  /** Remove the data dir and every Docker object of this lab (after stop: stopping keeps pods running). */
  cleanup(): void;
}

export interface ServeOptions {
  dataDir?: string;
  args?: string[];
  timeoutMs?: number;
  /** Run the shipped bundle (`bin/bosun.js`, needs `npm run build`) instead of the sources. */
  built?: boolean;
  /** Container runtime of the lab (default fake). */
  runtime?: 'docker' | 'fake';
  /** Extra environment for the child (e.g. BOSUN_BACKOFF_BASE_MS). */
  env?: Record<string, string>;
}

/** Blocks the (synchronous) cleanup for a moment without spinning the CPU. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes every container, the pod network and the volumes labelled with this lab's id (docker CLI).
 * Order matters: the network goes only once its containers are gone — right after a lab stopped, the
 * engine may still be removing some (a killed `docker rm` keeps going engine-side), and removing the
 * network then fails with "has active endpoints" and leaves its /16 to push every later lab off 10.244.
 * Pause (sandbox) containers, which own the endpoints, are removed one at a time: Docker Engines before
 * 28.1 can lose count of endpoints torn down at once, and such a network cannot be removed at all until
 * the engine restarts.
 */
export function removeLabDockerObjects(labId: string, options: { timeoutMs?: number } = {}): void {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const run = (args: string[]): { ok: boolean; out: string } => {
    try {
      return { ok: true, out: execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }).trim() };
    } catch (e) {
      return { ok: false, out: String((e as { stderr?: string }).stderr ?? (e as Error).message) };
    }
  };
  const filter = `label=bosun.lab=${labId}`;
  const containers = (): Array<{ id: string; role: string }> =>
    run(['ps', '-a', '--no-trunc', '--filter', filter, '--format', '{{.ID}} {{.Label "bosun.role"}}'])
      .out.split('\n')
      .filter(Boolean)
      .map((line) => ({ id: line.split(' ')[0], role: line.split(' ')[1] ?? '' }));
  for (let left = containers(); left.length > 0; left = containers()) {
    const apps = left.filter((c) => c.role !== 'sandbox').map((c) => c.id);
    if (apps.length) run(['rm', '-f', '-v', ...apps]);
    for (const c of left.filter((s) => s.role === 'sandbox')) run(['rm', '-f', '-v', c.id]);
    if (Date.now() > deadline) break;
    // Whatever is still listed is being removed by someone else (the engine finishing a stopped lab's requests).
    if (containers().length) pause(250);
  }
  const network = podNetworkName(labId);
  let unattachedSince: number | undefined;
  for (;;) {
    const rm = run(['network', 'rm', network]);
    if (rm.ok || /not found|no such network/i.test(rm.out)) break;
    const attached = run(['network', 'inspect', '--format', '{{len .Containers}}', network]).out;
    // No container attached, yet "active endpoints" for seconds: the engine's count is stale; waiting won't help.
    unattachedSince = attached === '0' ? (unattachedSince ?? Date.now()) : undefined;
    const stale = unattachedSince !== undefined && Date.now() - unattachedSince > 5_000;
    if (!/active endpoints/i.test(rm.out) || stale || Date.now() > deadline) {
      console.warn(
        `[removeLabDockerObjects] network ${network} left behind (${attached} container(s) attached): ${rm.out.trim()}` +
          (stale ? ' — the engine miscounted its endpoints; only restarting the Docker engine removes it' : ''),
      );
      break;
    }
    pause(250);
  }
  const volumes = run(['volume', 'ls', '-q', '--filter', filter]).out.split('\n').filter(Boolean);
  if (volumes.length) run(['volume', 'rm', '-f', ...volumes]);
}

/** Runs the CLI from source through tsx, so tests always exercise the current code. */
export function serveCommand(args: string[], built = false): { command: string; args: string[] } {
  if (built) return { command: process.execPath, args: [join(ROOT, 'bin/bosun.js'), 'serve', ...args] };
  return { command: process.execPath, args: ['--import', 'tsx', join(ROOT, 'main/cli.ts'), 'serve', ...args] };
}

export async function startServe(options: ServeOptions = {}): Promise<ServeHandle> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bosun-it-'));
  const kubeconfig = join(dataDir, 'kubeconfig');
  const { command, args } = serveCommand(['--port', '0', '--data-dir', dataDir, '--runtime', options.runtime ?? 'fake', ...(options.args ?? [])], options.built);
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  const labId = labIdForDataDir(dataDir);
  const output: string[] = [];
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(`[stderr] ${l}`));
  const ready = new Promise<{ url: string; token: string }>((res, rej) => {
    let url = '';
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const api = /^Bosun API ready at (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (api) url = api[1];
      const dash = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)$/.exec(line);
      if (dash) res({ url: url || dash[1], token: dash[2] });
    });
    void exited.then((code) => rej(new Error(`bosun serve exited with ${code} before ready:\n${output.join('\n')}`)));
    const timer = setTimeout(() => rej(new Error(`bosun serve not ready in time:\n${output.join('\n')}`)), options.timeoutMs ?? 30_000);
    // Unref'd: a script that is done must not linger until this fires (the benches did, for a minute).
    timer.unref();
  });
  const { url, token } = await ready.catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    url,
    port: Number(new URL(url).port),
    token,
    dataDir,
    kubeconfig,
    child,
    output,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    labId,
    cleanup: () => {
      if (options.runtime === 'docker') removeLabDockerObjects(labId);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(serve: ServeHandle, args: string[], stdin?: string): Promise<CommandResult> {
  const full = ['--kubeconfig', serve.kubeconfig, '--cache-dir', join(serve.dataDir, 'kubectl-cache'), ...args];
  return new Promise((res) => {
    const p = execFile(KUBECTL, full, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      res({ code, stdout, stderr });
    });
    if (stdin !== undefined) p.stdin!.end(stdin);
  });
}

/** kubectl that must succeed; its stderr is in the failure message. */
export async function kubectlOk(serve: ServeHandle, args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(serve, args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Raw HTTP against the lab's API with the admin token. */
export async function api(serve: ServeHandle, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${serve.token}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return fetch(`${serve.url}${path}`, { ...init, headers });
}


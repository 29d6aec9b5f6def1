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

/** Removes every container, the pod network and the volumes labelled with this lab's id (docker CLI). */
export function removeLabDockerObjects(labId: string): void {
  const docker = (args: string[]): string => {
    try {
      return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }).trim();
    } catch {
      return '';
    }
  };
  const filter = `label=bosun.lab=${labId}`;
  const containers = docker(['ps', '-aq', '--filter', filter]).split('\n').filter(Boolean);
  if (containers.length) docker(['rm', '-f', '-v', ...containers]);
  docker(['network', 'rm', podNetworkName(labId)]);
  const volumes = docker(['volume', 'ls', '-q', '--filter', filter]).split('\n').filter(Boolean);
  if (volumes.length) docker(['volume', 'rm', '-f', ...volumes]);
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
    setTimeout(() => rej(new Error(`bosun serve not ready in time:\n${output.join('\n')}`)), options.timeoutMs ?? 30_000);
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


// The dashboard as a person opens it: the built `bosun serve` (fake runtime) and headless Chromium
// (playwright-core driving Debian's /usr/bin/chromium). Shared by every e2e file.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startServe } from './serve';

const ROOT = resolve(__dirname, '../..');
export const ARTIFACTS = join(ROOT, 'tests/.artifacts');
export const CHROMIUM = '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps trying hosts this machine cannot reach. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export interface Served {
  process: ChildProcess;
  apiUrl: string;
  dashboardUrl: string;
  token: string;
  output: string[];
}

/** `npm test` builds first; a lone `npx vitest run tests/e2e` builds here if nothing is built yet. */
export function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'out/main/cli.js')) && existsSync(join(ROOT, 'out/renderer/index.html'))) return;
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

/** The built CLI on a free port with simulated nodes; resolves once it printed its Dashboard link. */
export async function serveDashboard(dataDir: string, nodes = 3): Promise<Served> {
  ensureBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const handle = await startServe({ built: true, dataDir, args: ['--nodes', String(nodes)] });
  const dashboard = handle.output.map((l) => /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/.exec(l)?.[1]).find(Boolean)!;
  return { process: handle.child, apiUrl: handle.url, dashboardUrl: dashboard, token: handle.token, output: handle.output };
}

/** SIGTERM, then SIGKILL if the lab has not stopped within 10 s. */
export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

export function launchBrowser(profileDir: string, viewport = { width: 1200, height: 800 }, extraArgs: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], viewport, locale: 'en-US' });
}

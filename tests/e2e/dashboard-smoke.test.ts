// End to end: the real `bosun serve` (built CLI, fake runtime) and its dashboard in headless Chromium,
// exactly as a person opens the Dashboard link it prints.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = join(ROOT, 'tests/.artifacts');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
const NO_TOKEN_HELP = 'Open the Dashboard link printed by `bosun serve`';

interface Served {
  process: ChildProcess;
  apiUrl: string;
  dashboardUrl: string;
  token: string;
  output: string[];
}

/** `npm test` builds first; a lone `npx vitest run tests/e2e` builds here if nothing is built yet. */
function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'out/main/cli.js')) && existsSync(join(ROOT, 'out/renderer/index.html'))) return;
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

function serve(dataDir: string): Promise<Served> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/bosun.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--runtime', 'fake'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  return new Promise((resolvePromise, reject) => {
    let apiUrl = '';
    const timer = setTimeout(() => reject(new Error(`bosun serve printed no Dashboard line in 30s:\n${output.join('')}`)), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bosun serve exited with ${code} before it was ready:\n${output.join('')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(`${line}\n`);
      const ready = /^Bosun API ready at (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (ready) apiUrl = ready[1];
      const dashboard = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=(\S+))$/.exec(line);
      if (dashboard) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolvePromise({ process: child, apiUrl, dashboardUrl: dashboard[1], token: decodeURIComponent(dashboard[2]), output });
      }
    });
  });
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function connectionState(page: Page): Promise<string | null> {
  return page.getByTestId('connection-state').getAttribute('data-state');
}

async function namespaceNames(page: Page): Promise<string[]> {
  return page.getByTestId('namespace-name').allTextContents();
}

describe('dashboard smoke (bosun serve + Chromium)', () => {
  let dataDir = '';
  let profileDir = '';
  let served: Served | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-data-'));
    profileDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-chromium-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    served = await serve(dataDir);
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 800 },
      locale: 'en-US',
    });
  });

  // Each dashboard page holds a few watch streams, and a browser allows six connections per origin:
  // close every page a test opened so the next one can load.
  afterEach(async () => {
    for (const page of context?.pages() ?? []) if (page.url() !== 'about:blank') await page.close();
  });

  afterAll(async () => {
    await context?.close();
    if (served) await stopServe(served.process);
    for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens the Dashboard link, drops the token from the address bar and lists the system namespaces', async () => {
    const page = await context!.newPage();
    await page.goto(served!.dashboardUrl);
    await expect.poll(() => connectionState(page), { timeout: 15_000 }).toBe('connected');

    // The hash router owns the fragment once the token is out of it: `/#/` is the Overview.
    expect(page.url()).toBe(`${served!.apiUrl}/#/`);
    expect(page.url()).not.toContain(served!.token);
    expect(await page.evaluate('location.hash')).toBe('#/');

    await expect.poll(() => namespaceNames(page)).toEqual(expect.arrayContaining(['default', 'kube-system']));
    expect(await page.getByTestId('api-url').textContent()).toBe(served!.apiUrl);
    expect(await page.getByTestId('kubernetes-version').textContent()).toMatch(/^v1\.\d+\.\d+/);

    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-smoke.png'), fullPage: true });
  });

  it('keeps the connection across a reload (token in session storage) and shows new namespaces via watch', async () => {
    const page = await context!.newPage();
    await page.goto(served!.dashboardUrl);
    await page.reload();
    await expect.poll(() => connectionState(page), { timeout: 15_000 }).toBe('connected');
    expect(page.url()).not.toContain('token');

    const created = await fetch(`${served!.apiUrl}/api/v1/namespaces`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${served!.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e2e-watch' } }),
    });
    expect(created.status).toBe(201);
    // No reload: the list must pick the namespace up from its watch.
    await expect.poll(() => namespaceNames(page), { timeout: 10_000 }).toContain('e2e-watch');
  });

  it('explains how to get in when the page is opened without a token', async () => {
    const page = await context!.newPage();
    await page.goto(`${served!.apiUrl}/`);
    await expect.poll(() => connectionState(page), { timeout: 15_000 }).toBe('noToken');
    expect(await page.getByTestId('connection-help').textContent()).toContain(NO_TOKEN_HELP);
    expect(await page.getByTestId('namespaces').count()).toBe(0);
  });

  it('says the token was refused when it is wrong', async () => {
    const page = await context!.newPage();
    await page.goto(`${served!.apiUrl}/#token=not-the-token`);
    await expect.poll(() => connectionState(page), { timeout: 15_000 }).toBe('unauthorized');
    expect(await page.getByTestId('connection-help').textContent()).toContain(NO_TOKEN_HELP);
    expect(page.url()).not.toContain('not-the-token');
  });

  it('switches the language to zh-CN', async () => {
    const page = await context!.newPage();
    await page.goto(served!.dashboardUrl);
    await expect.poll(() => connectionState(page), { timeout: 15_000 }).toBe('connected');
    await page.getByTestId('language').click();
    await page.getByRole('option', { name: '简体中文' }).click();
    await page.getByRole('option', { name: '简体中文' }).waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByTestId('namespaces').textContent()).toContain('命名空间');
    expect(await page.getByTestId('connection-state').textContent()).toBe('已连接');
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-smoke-zh-CN.png'), fullPage: true });
  });
});

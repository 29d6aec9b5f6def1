// The dashboard as a person opens it: the built `bosun serve` (fake runtime) and headless Chromium
// (playwright-core driving Debian's /usr/bin/chromium). Shared by every e2e file.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
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

/**
 * Opens the dashboard and waits for what every test needs first: the dashboard connected to the lab.
 * Chromium aborts requests in flight with net::ERR_NETWORK_CHANGED whenever a network interface comes
 * or goes, and Docker adds one for every pod sandbox it starts. A load cut short that way leaves a blank
 * page (a script chunk failed) or the connection card's "cannot reach the Bosun API: Failed to fetch",
 * which no amount of waiting fixes: such a load is done again (the token is kept in sessionStorage).
 * Any other failure is reported at once with what the page shows. The dashboard itself retries its
 * first connect for a while (showing "connecting…"), so such a reload is rarely needed now.
 */
export async function openDashboard(page: Page, url: string, options: { timeoutMs?: number; attempts?: number; reload?: boolean } = {}): Promise<void> {
  const attempts = options.attempts ?? 3;
  const state = page.locator('[data-testid=connection-state]').first();
  for (let attempt = 1; ; attempt++) {
    let networkChanged = '';
    const onFailed = (r: Request): void => {
      if (/ERR_NETWORK_CHANGED/.test(r.failure()?.errorText ?? '')) networkChanged ||= `${r.method()} ${new URL(r.url()).pathname}`;
    };
    page.on('requestfailed', onFailed);
    try {
      if (attempt === 1) await page.goto(url);
      // A goto that only changes the fragment keeps the document: `reload` loads it afresh.
      if (attempt > 1 || options.reload) await page.reload();
      const deadline = Date.now() + (options.timeoutMs ?? 30_000);
      for (;;) {
        const current = await state.getAttribute('data-state', { timeout: 250 }).catch(() => undefined);
        if (current === 'connected') return;
        const failed = current !== undefined && current !== 'connecting';
        if (networkChanged && attempt < attempts && (failed || current === undefined)) break;
        if (failed || Date.now() > deadline) {
          const shown = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 400);
          const cause = networkChanged ? `; ${networkChanged} failed with net::ERR_NETWORK_CHANGED` : '';
          throw new Error(`the dashboard did not connect (state ${current ?? 'not rendered'}, attempt ${attempt}/${attempts}${cause}): ${shown}`);
        }
        await page.waitForTimeout(100);
      }
    } finally {
      page.off('requestfailed', onFailed);
    }
  }
}

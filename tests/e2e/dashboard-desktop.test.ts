// The dashboard of a lab whose Docker engine is not reachable (bosun serve --runtime docker with
// DOCKER_HOST pointing at a socket that does not exist): the banner says so and how to fix it, the rest
// works; and the Settings page, opened in a plain browser, points to the CLI flags.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ensureBuilt, launchBrowser, openDashboard } from '../support/dashboard';
import { startServe, type ServeHandle } from '../support/serve';

describe('dashboard without a reachable Docker engine (Chromium)', () => {
  const profileDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-desktop-'));
  const socketPath = join(profileDir, 'no-docker.sock');
  let serve: ServeHandle;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    serve = await startServe({ built: true, runtime: 'docker', args: ['--nodes', '1'], env: { DOCKER_HOST: `unix://${socketPath}` } });
    context = await launchBrowser(join(profileDir, 'chromium'));
    page = context.pages()[0] ?? (await context.newPage());
    const dashboard = serve.output.map((l) => /^Dashboard: (\S+)$/.exec(l)?.[1]).find(Boolean)!;
    await openDashboard(page, dashboard);
  });

  afterAll(async () => {
    await context?.close();
    await serve?.stop();
    serve?.cleanup();
    rmSync(profileDir, { recursive: true, force: true });
  });

  it('shows the banner with the socket and the fix, above a working dashboard', async () => {
    const banner = page.locator('[data-testid="docker-banner"]');
    await banner.waitFor({ timeout: 15_000 });
    await expect.poll(() => banner.textContent()).toContain(`Docker engine not reachable at ${socketPath}: start Docker Desktop / sudo systemctl start docker`);
    expect(await banner.textContent()).toContain('nodes register by themselves');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-docker-unreachable.png') });
    // The rest of the dashboard works: the ConfigMaps list shows the status object itself.
    await page.goto(`${serve.url}/#/r/configmaps`);
    await page.locator('[data-testid="list-row"][data-name="bosun-lab-status"]').waitFor();
    expect(await page.locator('[data-testid="docker-banner"]').isVisible()).toBe(true);
  });

  it('the Settings page says the settings belong to the desktop app and names the flags', async () => {
    await page.locator('[data-testid="nav-settings"]').click();
    const note = page.locator('[data-testid="settings-browser"]');
    await note.waitFor();
    const text = (await note.textContent()) ?? '';
    expect(text).toContain('These settings belong to the Bosun desktop app');
    expect(text).toContain('bosun serve --data-dir DIR --nodes N --time-scale N --pause-image IMAGE');
    expect(await page.locator('[data-testid="settings-save"]').count()).toBe(0);
  });
});

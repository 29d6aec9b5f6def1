// End to end: the real `bosun serve` (built CLI, fake runtime) and its dashboard in headless Chromium,
// exactly as a person opens the Dashboard link it prints.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ensureBuilt, launchBrowser, serveDashboard as serve, stopServe, type Served } from '../support/dashboard';

const NO_TOKEN_HELP = 'Open the Dashboard link printed by `bosun serve`';

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
    context = await launchBrowser(profileDir, { width: 1200, height: 800 });
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

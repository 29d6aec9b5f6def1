// The dashboard with 1,000 pods (bosun serve --runtime fake --nodes 10): the pod list stays
// virtualised (a few dozen DOM rows), the Overview draws every chip, and a pod created through the
// API shows up in the open list within a watch round trip. Timings are printed for docs/PERFORMANCE.md.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, serveDashboard, stopServe, type Served } from '../support/dashboard';

const PODS = 1000;
const NS = 'load';

describe('dashboard with 1,000 pods', () => {
  let dataDir = '';
  let profileDir = '';
  let served: Served;
  let context: BrowserContext;
  let page: Page;

  const post = (path: string, body: unknown) =>
    fetch(`${served.apiUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const pod = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'load' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-data-'));
    profileDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-chromium-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    served = await serveDashboard(dataDir, 10);
    expect((await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status).toBe(201);
    for (let i = 0; i < PODS; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, PODS - i) }, (_, j) => post(`/api/v1/namespaces/${NS}/pods`, pod(`load-${String(i + j).padStart(4, '0')}`))));
      expect(batch.every((r) => r.status === 201)).toBe(true);
    }
    context = await launchBrowser(profileDir, { width: 1440, height: 900 }, ['--enable-precise-memory-info']);
    page = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    if (served) await stopServe(served.process);
    for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists all of them in a virtualised table and shows a new pod within a watch round trip', async () => {
    const opened = Date.now();
    await page.goto(served.dashboardUrl);
    await page.getByTestId('nav-pods').click();
    await expect.poll(() => page.getByTestId('list-count').textContent(), { timeout: 30_000 }).toBe(`${PODS} of ${PODS}`);
    const listReadyMs = Date.now() - opened;
    const domRows = await page.getByTestId('list-row').count();
    expect(domRows).toBeGreaterThan(10);
    expect(domRows).toBeLessThan(80); // virtualised: not one DOM row per pod

    await page.getByTestId('list-search').fill('watch-probe');
    const created = Date.now();
    expect((await post(`/api/v1/namespaces/${NS}/pods`, pod('watch-probe'))).status).toBe(201);
    await page.locator('[data-testid="row-name"]', { hasText: 'watch-probe' }).waitFor({ timeout: 10_000 });
    const eventToRowMs = Date.now() - created;
    await page.getByTestId('list-search').fill('');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-pods-1000.png') });

    await page.getByTestId('nav-overview').click();
    await expect.poll(() => page.getByTestId('pod-chip').count(), { timeout: 30_000 }).toBe(PODS + 1);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-overview-1000.png') });
    const heapMb = await page.evaluate(() => Math.round(((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 1048576));
    console.log(`[dashboard-scale] ${PODS} pods: list ready ${listReadyMs} ms after load, API create → row ${eventToRowMs} ms, ${domRows} DOM rows, JS heap ${heapMb} MB`);
    expect(eventToRowMs).toBeLessThan(5000);
  }, 120_000);
});

// The dashboard with 1,000 pods (bosun serve --runtime fake --nodes 10): the pod list stays
// virtualised (a few dozen DOM rows), the Overview draws every chip, and a pod created through the
// API shows up in the open list within a watch round trip. Timings are printed for docs/PERFORMANCE.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = join(ROOT, 'tests/.artifacts');
const PODS = 1000;
const NS = 'load';

interface Served {
  process: ChildProcess;
  apiUrl: string;
  dashboardUrl: string;
  token: string;
}

// Same start-up as tests/e2e/dashboard-smoke.test.ts (kept local: e2e files share no helper module yet).
function serve(dataDir: string): Promise<Served> {
  if (!existsSync(join(ROOT, 'out/main/cli.js')) || !existsSync(join(ROOT, 'out/renderer/index.html'))) {
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  }
  const child = spawn(process.execPath, [join(ROOT, 'bin/bosun.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--runtime', 'fake', '--nodes', '10'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  return new Promise((resolvePromise, reject) => {
    let apiUrl = '';
    const timer = setTimeout(() => reject(new Error(`no Dashboard line in 30s:\n${output.join('')}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`bosun serve exited with ${code}:\n${output.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^Bosun API ready at (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (ready) apiUrl = ready[1];
      const dashboard = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=(\S+))$/.exec(line);
      if (dashboard) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolvePromise({ process: child, apiUrl, dashboardUrl: dashboard[1], token: decodeURIComponent(dashboard[2]) });
      }
    });
  });
}

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
    served = await serve(dataDir);
    expect((await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status).toBe(201);
    for (let i = 0; i < PODS; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, PODS - i) }, (_, j) => post(`/api/v1/namespaces/${NS}/pods`, pod(`load-${String(i + j).padStart(4, '0')}`))));
      expect(batch.every((r) => r.status === 201)).toBe(true);
    }
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--enable-precise-memory-info'],
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
    });
    page = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    if (served && served.process.exitCode === null) {
      const exited = new Promise((r) => served.process.once('exit', r));
      served.process.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (served.process.exitCode === null) served.process.kill('SIGKILL');
    }
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

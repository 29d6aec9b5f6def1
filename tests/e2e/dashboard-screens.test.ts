// End to end: the dashboard's screens against a real `bosun serve --runtime fake --nodes 3` in
// headless Chromium. Objects are created through the REST API (as kubectl would); every UI write is
// checked by reading the API afterwards. Screenshots of each screen go to tests/.artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ensureBuilt, launchBrowser, serveDashboard as serve, stopServe, type Served } from '../support/dashboard';

const NS = 'shop';

describe('dashboard screens (bosun serve --nodes 3 + Chromium)', () => {
  let dataDir = '';
  let profileDir = '';
  let served: Served;
  let context: BrowserContext;
  let page: Page;
  const consoleProblems: string[] = [];

  async function api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${served.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  const podManifest = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '250m', memory: '128Mi' } }, ...extra }],
    },
  });

  async function shot(name: string): Promise<void> {
    await page.waitForTimeout(300); // let the frame-batched watch updates and transitions settle
    await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: false });
  }

  async function navigate(testid: string): Promise<void> {
    await page.getByTestId(testid).click();
  }

  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-data-'));
    profileDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-chromium-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    served = await serve(dataDir);
    expect((await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const extra = i === 0 ? { readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } } : {};
      expect((await api('POST', `/api/v1/namespaces/${NS}/pods`, podManifest(`web-${i}`, { app: 'web', tier: i < 3 ? 'front' : 'back' }, extra))).status).toBe(201);
    }
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      },
    };
    expect((await api('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment)).status).toBe(201);
    expect((await api('POST', `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { 'app.conf': 'listen 80;\nworkers 2;' } })).status).toBe(201);
    expect((await api('POST', `/api/v1/namespaces/${NS}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2' } })).status).toBe(201);

    context = await launchBrowser(profileDir, { width: 1440, height: 900 });
    page = await context.newPage();
    page.on('console', (m) => {
      // vue-i18n reports missing keys as warnings; Vue reports render errors as errors.
      if ((m.type() === 'error' && !m.text().startsWith('Failed to load resource')) || /Not found '|\[Vue warn\]|\[intlify\]/.test(m.text())) consoleProblems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleProblems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      // PodProbes answers 404 until a kubelet reports the pod (or while the lab does not serve the kind).
      if (r.status() >= 400 && !(r.status() === 404 && r.url().includes('/podprobes/'))) consoleProblems.push(`response ${r.status()}: ${r.request().method()} ${r.url().replace(served.apiUrl, '')}`);
    });
    await page.goto(served.dashboardUrl);
    await page.getByTestId('node-columns').waitFor({ timeout: 20_000 });
  });

  afterAll(async () => {
    await context?.close();
    if (served) await stopServe(served.process);
    for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows every node as a column with exactly the pods the API placed on it', async () => {
    await expect.poll(() => page.getByTestId('node-column').count(), { timeout: 15_000 }).toBe(3);
    const pods = await api<{ items: any[] }>('GET', `/api/v1/namespaces/${NS}/pods`);
    await expect.poll(async () => (await api<{ items: any[] }>('GET', `/api/v1/namespaces/${NS}/pods`)).body.items.every((p) => p.spec.nodeName), { timeout: 15_000 }).toBe(true);
    const placed = (await api<{ items: any[] }>('GET', `/api/v1/namespaces/${NS}/pods`)).body.items;
    expect(placed).toHaveLength(pods.body.items.length);
    for (const pod of placed) {
      const chip = page.locator(`[data-testid="node-column"][data-node="${pod.spec.nodeName}"] [data-testid="pod-chip"][data-name="${pod.metadata.name}"]`);
      await expect.poll(() => chip.count(), { timeout: 10_000 }).toBe(1);
    }
    // Requests show on the node's cpu bar: 250m per pod of ours.
    expect(await page.getByTestId('recent-events').isVisible()).toBe(true);
    await shot('overview');
  });

  it('adds a pod created through the API to its node column without a reload (watch)', async () => {
    expect((await api('POST', `/api/v1/namespaces/${NS}/pods`, podManifest('late-arrival', { app: 'late' }))).status).toBe(201);
    const chip = page.locator('[data-testid="pod-chip"][data-name="late-arrival"]');
    await expect.poll(() => chip.count(), { timeout: 15_000 }).toBe(1);
    const pod = (await api('GET', `/api/v1/namespaces/${NS}/pods/late-arrival`)).body;
    await expect.poll(async () => (await api('GET', `/api/v1/namespaces/${NS}/pods/late-arrival`)).body.spec.nodeName, { timeout: 10_000 }).toBeTruthy();
    const node = (await api('GET', `/api/v1/namespaces/${NS}/pods/late-arrival`)).body.spec.nodeName ?? pod.spec.nodeName;
    await expect.poll(() => page.locator(`[data-testid="node-column"][data-node="${node}"] [data-name="late-arrival"]`).count(), { timeout: 10_000 }).toBe(1);
  });

  it('lists pods with kubectl columns, filters by search and label selector, and opens the detail', async () => {
    await navigate('nav-pods');
    const rows = page.getByTestId('list-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
    await page.getByTestId('list-label-selector').fill('tier=back');
    await expect.poll(() => page.getByTestId('row-name').allTextContents()).toEqual(['web-3', 'web-4']);
    await page.getByTestId('list-label-selector').fill('');
    await page.getByTestId('list-search').fill('web-0');
    await expect.poll(() => page.getByTestId('row-name').allTextContents()).toEqual(['web-0']);
    await page.getByTestId('list-search').fill('');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(6);
    await shot('pods');
    await page.locator('[data-testid="row-name"]', { hasText: /^web-0$/ }).click();
    await page.getByTestId('section-containers').waitFor();
    expect(await page.getByTestId('detail-name').textContent()).toBe('web-0');
    await expect.poll(() => page.getByTestId('container-state').first().textContent(), { timeout: 10_000 }).toMatch(/Running/);
    await page.getByTestId('section-probes').waitFor();
    // The probes panel reads lab.bosun.dev/v1alpha1 PodProbes: the readiness probe and its history.
    await expect.poll(() => page.getByTestId('probe-result').first().textContent(), { timeout: 15_000 }).toBe('Success');
    expect(await page.getByTestId('section-probes').textContent()).toContain('exec [true]');
    await expect.poll(() => page.getByTestId('probe-sparkline').locator('rect').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await page.getByTestId('section-probes').scrollIntoViewIfNeeded();
    await shot('pod-detail-probes');
    await page.getByTestId('section-events').waitFor();
    await page.getByTestId('yaml-toggle').click();
    await expect.poll(() => page.getByTestId('yaml-view').textContent()).toContain('name: web-0');
    await shot('pod-detail');
  });

  it('navigates every screen and shows a list or an empty state', async () => {
    const screens = ['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'services', 'endpoints', 'configmaps', 'secrets', 'persistentvolumeclaims', 'persistentvolumes', 'nodes', 'events'];
    for (const screen of screens) {
      await navigate(`nav-${screen}`);
      const list = page.getByTestId(`list-${screen}`);
      await list.waitFor();
      await expect.poll(async () => (await page.getByTestId('list-row').count()) > 0 || (await page.getByTestId('list-empty').locator('.el-empty').count()) > 0, { timeout: 10_000 }).toBe(true);
      await shot(`list-${screen}`);
    }
    await navigate('nav-configmaps');
    await page.locator('[data-testid="row-name"]', { hasText: /^settings$/ }).click();
    await expect.poll(() => page.getByTestId('section-data').textContent()).toContain('workers 2;');
    await navigate('nav-secrets');
    await page.locator('[data-testid="row-name"]', { hasText: /^db$/ }).click();
    await page.getByTestId('section-data').waitFor();
    expect(await page.getByTestId('section-data').textContent()).not.toContain('hunter2');
  });

  it('scales a Deployment from its detail page (PATCH /scale) and the API shows it', async () => {
    await navigate('nav-deployments');
    await page.locator('[data-testid="row-name"]', { hasText: /^web$/ }).click();
    await page.getByTestId('action-scale').click();
    const input = page.getByTestId('scale-replicas').locator('input');
    await input.fill('5');
    await page.getByTestId('confirm-scale').click();
    await expect.poll(async () => (await api('GET', `/apis/apps/v1/namespaces/${NS}/deployments/web`)).body.spec.replicas, { timeout: 10_000 }).toBe(5);
    // The summary follows the watch.
    await expect.poll(() => page.getByTestId('section-summary').textContent(), { timeout: 10_000 }).toContain('5');
    // Its pods are the ones its ReplicaSet controls, not every pod with app=web (web-0… are bare pods).
    await expect
      .poll(async () => (await page.getByTestId('section-pods').getByTestId('pod-link').allTextContents()).map((n) => n.replace(/-[a-z0-9]{5}$/, '-*')), { timeout: 15_000 })
      .toEqual(Array(5).fill(expect.stringMatching(/^web-[a-z0-9]+-\*$/)));
    await shot('deployment-detail');
  });

  it('deletes a pod with the chosen propagation policy and the detail page notices', async () => {
    await page.goto(`${served.apiUrl}/#/r/pods/${NS}/web-4`);
    await page.getByTestId('action-delete').click();
    await page.getByTestId('delete-policy').getByText('Foreground').click();
    await page.getByTestId('confirm-delete').click();
    await expect.poll(async () => (await api('GET', `/api/v1/namespaces/${NS}/pods/web-4`)).status, { timeout: 20_000 }).toBe(404);
    await page.getByTestId('detail-gone').waitFor({ timeout: 10_000 });
    // Gone from the overview too.
    await navigate('nav-overview');
    await page.getByTestId('node-columns').waitFor();
    await expect.poll(() => page.locator('[data-testid="pod-chip"][data-name="web-4"]').count()).toBe(0);
  });

  it('cordons and uncordons a node (PATCH spec.unschedulable)', async () => {
    const nodeName = (await api<{ items: any[] }>('GET', '/api/v1/nodes')).body.items[0].metadata.name;
    await page.goto(`${served.apiUrl}/#/r/nodes/_/${nodeName}`);
    await page.getByTestId('section-capacity').waitFor();
    await page.getByTestId('action-cordon').click();
    await page.getByTestId('confirm-cordon').click();
    await expect.poll(async () => (await api('GET', `/api/v1/nodes/${nodeName}`)).body.spec.unschedulable, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('action-cordon').textContent()).toContain('Uncordon');
    await shot('node-detail-cordoned');
    await page.getByTestId('action-cordon').click();
    await page.getByTestId('confirm-cordon').click();
    await expect.poll(async () => (await api('GET', `/api/v1/nodes/${nodeName}`)).body.spec.unschedulable, { timeout: 10_000 }).toBeUndefined();
  });

  it('filters by the namespace picked in the header and remembers it', async () => {
    await page.goto(`${served.apiUrl}/#/r/pods`);
    await page.getByTestId('list-row').first().waitFor();
    const pick = async (label: string) => {
      await page.getByTestId('namespace-select').click();
      await page.getByRole('option', { name: label, exact: true }).click();
    };
    await pick(NS);
    const inShop = (await api<{ items: unknown[] }>('GET', `/api/v1/namespaces/${NS}/pods`)).body.items.length;
    await expect.poll(() => page.getByTestId('list-count').textContent()).toBe(`${inShop} of ${inShop}`);
    // One namespace: no NAMESPACE column.
    expect(await page.locator('.el-table-v2__header-cell', { hasText: 'Namespace' }).count()).toBe(0);
    await page.reload();
    await expect.poll(() => page.getByTestId('list-count').textContent(), { timeout: 10_000 }).toBe(`${inShop} of ${inShop}`);
    await pick('All namespaces');
    await expect.poll(() => page.locator('.el-table-v2__header-cell', { hasText: 'Namespace' }).count()).toBe(1);
  });

  it('works from the keyboard: Tab reaches the navigation and the table links, Enter opens them', async () => {
    await page.goto(`${served.apiUrl}/#/`);
    await page.getByTestId('node-columns').waitFor();
    const focused = () => page.evaluate<string | undefined>("document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName");
    const seen: Array<string | undefined> = [];
    for (let i = 0; i < 20 && seen[seen.length - 1] !== 'nav-overview'; i++) {
      await page.keyboard.press('Tab');
      seen.push(await focused());
    }
    expect(seen).toContain('nav-overview');
    await page.keyboard.press('Tab'); // nav-pods follows Overview
    expect(await focused()).toBe('nav-pods');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('Pods');
    await page.getByTestId('row-name').first().waitFor();
    await page.getByTestId('row-name').first().focus();
    const name = await page.getByTestId('row-name').first().textContent();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('detail-name').textContent()).toBe(name);
  });

  it('switches to zh-CN and the dark theme, and remembers both across a reload', async () => {
    await navigate('nav-overview');
    await page.getByTestId('language').click();
    await page.getByRole('option', { name: '简体中文' }).click();
    await expect.poll(() => page.getByTestId('nav-pods').textContent()).toBe('Pod');
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('概览');
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.evaluate<string>('document.documentElement.className')).toContain('dark');
    await shot('overview-zh-CN-dark');
    await page.reload();
    await page.getByTestId('node-columns').waitFor({ timeout: 15_000 });
    expect(await page.evaluate<boolean>("document.documentElement.classList.contains('dark')")).toBe(true);
    expect(await page.getByTestId('page-title').textContent()).toBe('概览');
    await navigate('nav-pods');
    await expect.poll(() => page.getByTestId('list-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot('pods-zh-CN-dark');
    await page.locator('[data-testid="row-name"]', { hasText: /^web-0$/ }).click();
    await page.getByTestId('section-containers').waitFor();
    await shot('pod-detail-zh-CN-dark');
    await page.getByTestId('action-delete').click();
    await page.getByTestId('confirm-delete').waitFor();
    await shot('delete-dialog-zh-CN-dark');
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-delete').waitFor({ state: 'hidden' });
    await navigate('nav-events');
    await expect.poll(() => page.getByTestId('list-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot('events-zh-CN-dark');
  });

  it('logged no Vue warnings, missing translations or page errors', () => {
    expect(consoleProblems).toEqual([]);
  });
});

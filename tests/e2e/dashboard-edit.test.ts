// The dashboard's write paths against the built `bosun serve` on the real Docker engine: a Deployment
// created from the YAML editor (a strict-validation diagnostic on the typo's line first), ConfigMap
// and Secret forms, rollout restart / history / undo, and learning mode's kubectl equivalent.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta';
import { ARTIFACTS, ensureBuilt, launchBrowser, openDashboard } from '../support/dashboard';
import { startServe, type ServeHandle } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
const SCREENS = join(ARTIFACTS, 'screens');
const NS = 'default';

const deploymentYaml = (replicasKey: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  ${replicasKey}: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: httpd
          image: bosun-test/busybox:1.0
          command: ["httpd", "-f", "-p", "80"]
          ports:
            - containerPort: 80
`;

describe('dashboard editing (bosun serve on Docker + Chromium)', () => {
  let serve: ServeHandle;
  let profileDir = '';
  let context: BrowserContext;

  const api = async <T = KubeObject>(path: string, init: RequestInit = {}): Promise<T> => {
    const r = await fetch(`${serve.url}${path}`, { ...init, headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json', ...init.headers } });
    const body = (await r.json()) as T;
    if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
  const runningPods = async () =>
    (await api<{ items: KubeObject[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`)).items.filter(
      (p) => (p.status as { phase?: string } | undefined)?.phase === 'Running' && !p.metadata.deletionTimestamp,
    ).length;

  async function open(path = '/'): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[pageerror] ${e.message}`));
    await openDashboard(page, `${serve.url}/#token=${serve.token}`);
    if (path !== '/') await page.goto(`${serve.url}/#${path}`);
    return page;
  }

  async function setEditorText(page: Page, text: string): Promise<void> {
    await page.locator('[data-testid="yaml-editor"][data-ready="true"]').waitFor({ timeout: 15_000 });
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
  }

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(SCREENS, { recursive: true });
    profileDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-chromium-'));
    serve = await startServe({ built: true, runtime: 'docker', args: ['--nodes', '1', '--pause-image', PAUSE], timeoutMs: 60_000 });
    context = await launchBrowser(profileDir, { width: 1360, height: 860 });
  }, 90_000);

  afterEach(async () => {
    for (const page of context?.pages() ?? []) if (page.url() !== 'about:blank') await page.close();
  });

  afterAll(async () => {
    await context?.close();
    if (serve) {
      await serve.stop();
      serve.cleanup();
    }
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }, 90_000);

  it('creates a Deployment from the YAML editor: a typo shows on its line, the fix applies and its pod runs', async () => {
    const page = await open();
    await page.getByTestId('header-create').click();

    // Completion comes from the server's OpenAPI document for the kind under the cursor.
    await setEditorText(page, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  gen');
    await page.keyboard.press('Control+Space');
    const completions = page.locator('.cm-tooltip-autocomplete li');
    await expect.poll(() => completions.allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining([expect.stringContaining('generateName')]));
    await page.keyboard.press('Escape');

    await setEditorText(page, deploymentYaml('replcas'));
    await page.getByTestId('yaml-apply').click();

    // Apply dry-runs first with fieldValidation=Strict: nothing is created and the finding sits on line 8.
    const diagnostic = page.getByTestId('yaml-diagnostic');
    await diagnostic.first().waitFor({ timeout: 10_000 });
    expect(await diagnostic.count()).toBe(1);
    expect(await diagnostic.getAttribute('data-line')).toBe('8');
    expect(await diagnostic.textContent()).toContain('unknown field "spec.replcas"');
    await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    expect((await api<{ items: unknown[] }>(`/apis/apps/v1/namespaces/${NS}/deployments`)).items).toHaveLength(0);
    await page.screenshot({ path: join(SCREENS, 'edit-create-diagnostic-en.png') });

    await setEditorText(page, deploymentYaml('replicas'));
    await page.getByTestId('yaml-apply').click();
    await expect.poll(() => page.getByTestId('yaml-results').textContent(), { timeout: 10_000 }).toContain('deployment.apps/web created');
    expect(await page.getByTestId('yaml-diagnostic').count()).toBe(0);
    const created = await api(`/apis/apps/v1/namespaces/${NS}/deployments/web`);
    expect(created.metadata.managedFields?.[0]?.manager).toBeDefined();
    await expect.poll(runningPods, { timeout: 60_000, interval: 500 }).toBe(1);

    // Its pod shows in its node's column on the Overview and on the Deployment's page.
    await page.getByTestId('nav-overview').click();
    await expect.poll(() => page.locator('[data-testid="node-column"] [data-testid="pod-chip"][data-name^="web-"]').count(), { timeout: 15_000 }).toBe(1);
    await page.goto(`${serve.url}/#/r/deployments/${NS}/web`);
    await expect.poll(() => page.getByTestId('pod-link').count(), { timeout: 15_000 }).toBe(1);

    // The editor screen in Chinese and dark, with a diagnostic.
    await page.evaluate("localStorage.setItem('bosun.locale', 'zh-CN'); localStorage.setItem('bosun.theme', 'dark')");
    await page.goto(`${serve.url}/#/create`);
    await page.reload();
    await setEditorText(page, deploymentYaml('replcas').replace('name: web', 'name: web-2'));
    await page.getByTestId('yaml-dry-run').click();
    await page.getByTestId('yaml-diagnostic').first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('yaml-dry-run').textContent()).toContain('试运行');
    expect(await page.locator('html').getAttribute('class')).toContain('dark');
    await page.screenshot({ path: join(SCREENS, 'edit-create-diagnostic-zh-dark.png') });
    await page.evaluate("localStorage.setItem('bosun.locale', 'en'); localStorage.setItem('bosun.theme', 'light')");
  }, 120_000);

  it('edits a ConfigMap key in the form, and a concurrent change is a clear Conflict', async () => {
    await api(`/api/v1/namespaces/${NS}/configmaps`, {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { greeting: 'hello', 'app.properties': 'a=1\nb=2\n' } }),
    });
    const page = await open(`/r/configmaps/${NS}/app-config`);
    await page.getByTestId('action-edit-data').click();
    const row = page.locator('[data-testid="config-row"][data-key="greeting"]');
    await row.locator('textarea').fill('hello, world');
    await page.getByTestId('config-save').click();
    await expect.poll(async () => (await api(`/api/v1/namespaces/${NS}/configmaps/app-config`)).data, { timeout: 10_000 }).toEqual({ greeting: 'hello, world', 'app.properties': 'a=1\nb=2\n' });
    await page.screenshot({ path: join(SCREENS, 'edit-configmap-form.png') });

    // Someone else changes it while the form holds an edit: saving says so and shows the latest version.
    await row.locator('textarea').fill('mine');
    const latest = await api(`/api/v1/namespaces/${NS}/configmaps/app-config`);
    await api(`/api/v1/namespaces/${NS}/configmaps/app-config`, { method: 'PUT', body: JSON.stringify({ ...latest, data: { ...(latest.data as object), greeting: 'theirs' } }) });
    await page.getByTestId('config-save').click();
    await page.getByTestId('config-conflict').waitFor({ timeout: 10_000 });
    expect(await row.locator('textarea').inputValue()).toBe('theirs');
    expect((await api(`/api/v1/namespaces/${NS}/configmaps/app-config`)).data).toMatchObject({ greeting: 'theirs' });

    // Edit YAML: the live object's YAML (PUT with its resourceVersion), strict dry run first.
    await page.keyboard.press('Escape');
    await page.getByTestId('action-edit-yaml').click();
    await page.locator('[data-testid="yaml-editor"][data-ready="true"]').waitFor({ timeout: 15_000 });
    const yaml = await page.locator('.cm-content').innerText();
    expect(yaml).toContain('greeting: theirs');
    await setEditorText(page, yaml.replace('greeting: theirs', 'greeting: from-yaml'));
    await page.screenshot({ path: join(SCREENS, 'edit-yaml-drawer.png') });
    await page.getByTestId('yaml-apply').click();
    await expect.poll(async () => (await api(`/api/v1/namespaces/${NS}/configmaps/app-config`)).data, { timeout: 10_000 }).toMatchObject({ greeting: 'from-yaml' });
  }, 60_000);

  it('keeps Secret values masked until one key is revealed; binary values stay binary', async () => {
    await api(`/api/v1/namespaces/${NS}/secrets`, {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials' }, data: { password: Buffer.from('s3cret!').toString('base64'), blob: 'iVBORw0KGgo=' } }),
    });
    const page = await open(`/r/secrets/${NS}/db-credentials`);
    await page.getByTestId('action-edit-data').click();
    const row = page.locator('[data-testid="config-row"][data-key="password"]');
    await row.getByTestId('config-masked').waitFor();
    expect(await page.getByText('s3cret!').count()).toBe(0);
    expect(await page.locator('[data-testid="config-row"][data-key="blob"]').getByTestId('config-binary').textContent()).toContain('8 bytes of binary data');
    await row.getByTestId('config-reveal').click();
    expect(await row.locator('textarea').inputValue()).toBe('s3cret!');
    await page.screenshot({ path: join(SCREENS, 'edit-secret-revealed.png') });
  }, 60_000);

  it('restarts the Deployment, shows two revisions with their diff and rolls back to the first', async () => {
    const page = await open(`/r/deployments/${NS}/web`);
    await page.getByTestId('action-restart').click();
    await page.getByTestId('confirm-restart').click();
    const replicaSets = async () => (await api<{ items: KubeObject[] }>(`/apis/apps/v1/namespaces/${NS}/replicasets`)).items;
    await expect.poll(async () => (await replicaSets()).length, { timeout: 15_000 }).toBe(2);

    await page.getByTestId('action-history').click();
    await expect.poll(() => page.getByTestId('revision-number').allTextContents(), { timeout: 10_000 }).toEqual(['1', '2']);
    const diff = await page.getByTestId('revision-diff').textContent();
    expect(diff).toMatch(/\+ +kubectl\.kubernetes\.io\/restartedAt:/);
    await page.screenshot({ path: join(SCREENS, 'edit-rollout-history.png') });

    await page.getByTestId('undo-1').click();
    await expect
      .poll(async () => ((await api(`/apis/apps/v1/namespaces/${NS}/deployments/web`)).spec as { template: { metadata: { annotations?: object } } }).template.metadata.annotations, { timeout: 10_000 })
      .toBeUndefined();
    // The first ReplicaSet is current again under a new revision number, as in Kubernetes.
    await expect
      .poll(async () => (await replicaSets()).map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort(), { timeout: 15_000 })
      .toEqual(['2', '3']);

    // Pause and resume (kubectl rollout pause/resume): spec.paused true, then gone.
    const paused = async () => ((await api(`/apis/apps/v1/namespaces/${NS}/deployments/web`)).spec as { paused?: boolean }).paused;
    await page.getByTestId('action-pause').click();
    await expect.poll(paused, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('action-pause').textContent()).toContain('Resume rollout');
    await page.getByTestId('action-pause').click();
    await expect.poll(paused, { timeout: 10_000 }).toBeUndefined();
  }, 60_000);

  it('runs a CronJob now (a Job owned by it, instantiate=manual) and suspends it', async () => {
    const cron = await api(`/apis/batch/v1/namespaces/${NS}/cronjobs`, {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'tick' },
        spec: { schedule: '0 0 1 1 *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'tick', image: 'bosun-test/busybox:1.0', command: ['true'] }] } } } } },
      }),
    });
    const page = await open(`/r/cronjobs/${NS}/tick`);
    await page.getByTestId('action-trigger').click();
    const jobName = await page.getByTestId('trigger-job-name').inputValue();
    expect(jobName).toMatch(/^tick-manual-[a-z0-9]+$/);
    await page.getByTestId('confirm-trigger').click();
    await expect.poll(async () => (await api<{ items: KubeObject[] }>(`/apis/batch/v1/namespaces/${NS}/jobs`)).items.map((j) => j.metadata.name), { timeout: 10_000 }).toContain(jobName);
    const job = await api(`/apis/batch/v1/namespaces/${NS}/jobs/${jobName}`);
    expect(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'tick', uid: cron.metadata.uid, controller: true })]);

    await page.getByTestId('action-suspend').click();
    await expect.poll(async () => ((await api(`/apis/batch/v1/namespaces/${NS}/cronjobs/tick`)).spec as { suspend?: boolean }).suspend, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('action-suspend').textContent()).toContain('Resume schedule');
  }, 60_000);

  it('learning mode shows the kubectl command and the request behind Scale', async () => {
    const page = await open(`/r/deployments/${NS}/web`);
    await page.getByTestId('learning-toggle').click();
    await page.getByTestId('action-scale').click();
    await page.getByTestId('scale-replicas').locator('input').fill('3');
    await page.getByTestId('confirm-scale').click();
    const panel = page.getByTestId('learning-panel');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.getByTestId('learning-kubectl').first().textContent()).toBe('$ kubectl scale deployment/web -n default --replicas=3');
    expect(await panel.getByTestId('learning-request').first().textContent()).toContain('PATCH /apis/apps/v1/namespaces/default/deployments/web/scale → 200');
    expect(await panel.locator('pre').first().textContent()).toBe('{"spec":{"replicas":3}}');
    await page.screenshot({ path: join(SCREENS, 'edit-learning-mode.png') });
    await expect.poll(runningPods, { timeout: 60_000, interval: 500 }).toBe(3);

    // The choice is remembered across a reload.
    await page.reload();
    await expect.poll(() => page.getByTestId('learning-toggle').getAttribute('class')).toContain('is-checked');
  }, 90_000);
});

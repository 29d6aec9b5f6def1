// The README tour: a small realistic scene on real containers (`bosun serve --runtime docker`), then the
// main screens in light and dark, English and Chinese, saved to tests/.artifacts/screens/tour-*.png.
// Scene: a Deployment `web` (busybox httpd serving a ConfigMap) behind a NodePort Service, a canary pod
// the Service also selects whose readiness probe asks for a page that does not exist, and a PVC.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ensureBuilt, launchBrowser, openDashboard } from '../support/dashboard';
import { api, startServe, type ServeHandle } from '../support/serve';

const NS = 'shop';
const IMAGE = 'bosun-test/busybox:1.0';
const SCREENS = join(ARTIFACTS, 'screens');
const HTTPD = ['httpd', '-f', '-p', '8080', '-h', '/www'];

describe('dashboard tour (bosun serve --runtime docker + Chromium)', () => {
  let lab: ServeHandle;
  let profileDir = '';
  let context: BrowserContext;
  let page: Page;
  let dashboard = '';
  const problems: string[] = [];

  const request = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> => {
    const r = await api(lab, path, { method: init.method ?? 'GET', ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
    return { status: r.status, body: await r.json() };
  };
  const post = async (path: string, body: unknown): Promise<void> => {
    const r = await request(path, { method: 'POST', body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const shot = async (name: string): Promise<void> => {
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(SCREENS, `tour-${name}.png`) });
  };
  /** Theme and language as a person would have saved them, then the route opened afresh. */
  const look = async (theme: 'light' | 'dark', locale: 'en' | 'zh-CN'): Promise<void> => {
    await page.evaluate(
      ([th, lo]) => {
        const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
        storage.setItem('bosun.theme', th);
        storage.setItem('bosun.locale', lo);
      },
      [theme, locale],
    );
  };
  const open = async (route: string, ready: string): Promise<void> => {
    // Loaded afresh so the theme and locale just stored apply.
    await openDashboard(page, `${dashboard.split('#')[0]}#${route}`, { reload: true });
    await page.getByTestId(ready).first().waitFor({ timeout: 20_000 });
  };

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(SCREENS, { recursive: true });
    lab = await startServe({ built: true, runtime: 'docker', args: ['--nodes', '2', '--pause-image', 'bosun-test/pause:1.0'], timeoutMs: 60_000 });
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await post(`/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-content' },
      data: { 'index.html': '<h1>Hello from Bosun</h1>\n', COLOR: 'teal', GREETING: 'hello' },
    });
    await post(`/api/v1/namespaces/${NS}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-secret' }, stringData: { API_KEY: 's3cr3t-value' } });
    await post(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'uploads' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const container = (probePath: string) => ({
      name: 'web',
      image: IMAGE,
      imagePullPolicy: 'Never',
      command: HTTPD,
      ports: [{ name: 'http', containerPort: 8080 }],
      env: [
        { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'web-content', key: 'COLOR' } } },
        { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'API_KEY' } } },
        { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'MODE', value: 'demo' },
      ],
      envFrom: [{ configMapRef: { name: 'web-content' }, prefix: 'CFG_' }],
      readinessProbe: { httpGet: { path: probePath, port: 'http' }, periodSeconds: 1, failureThreshold: 2 },
      resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { memory: '64Mi' } },
      volumeMounts: [{ name: 'content', mountPath: '/www', readOnly: true }],
    });
    await post(`/apis/apps/v1/namespaces/${NS}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web', track: 'stable' } },
        template: {
          metadata: { labels: { app: 'web', track: 'stable' } },
          spec: { terminationGracePeriodSeconds: 1, containers: [container('/index.html')], volumes: [{ name: 'content', configMap: { name: 'web-content' } }] },
        },
      },
    });
    // Selected by the Service (app=web) but not by the Deployment (track=canary): it shows up as a not-ready address.
    await post(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-canary', labels: { app: 'web', track: 'canary' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ ...container('/healthz'), volumeMounts: [{ name: 'content', mountPath: '/www', readOnly: true }, { name: 'uploads', mountPath: '/uploads' }] }],
        volumes: [
          { name: 'content', configMap: { name: 'web-content' } },
          { name: 'uploads', persistentVolumeClaim: { claimName: 'uploads' } },
        ],
      },
    });
    await post(`/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });

    profileDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-tour-chromium-'));
    context = await launchBrowser(profileDir, { width: 1440, height: 900 });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (/\[Vue warn\]|\[intlify\]|Not found '/.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
    });
    dashboard = lab.output.map((l) => /^Dashboard: (\S+)$/.exec(l)?.[1]).find(Boolean)!;
    await openDashboard(page, dashboard);
    await page.getByTestId('node-columns').waitFor({ timeout: 30_000 });
    // The scene is ready when the Endpoints hold two ready addresses and the canary as not ready.
    for (const deadline = Date.now() + 90_000; ; ) {
      const e = (await request(`/api/v1/namespaces/${NS}/endpoints/web`)).body;
      const ready = (e.subsets ?? []).flatMap((s: any) => s.addresses ?? []).length;
      const notReady = (e.subsets ?? []).flatMap((s: any) => s.notReadyAddresses ?? []).length;
      if (ready === 2 && notReady === 1) break;
      if (Date.now() > deadline) throw new Error(`scene not ready: ${JSON.stringify(e.subsets)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await lab?.stop();
    lab?.cleanup();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('explains why the canary is not Ready: the readiness probe, its answer and the fix', async () => {
    await look('light', 'en');
    await open(`/r/pods/${NS}/web-canary`, 'section-diagnosis');
    const diagnosis = page.getByTestId('section-diagnosis');
    expect(await diagnosis.getAttribute('data-verdict')).toBe('notReady');
    await expect.poll(() => diagnosis.locator('[data-code="readinessFailing"]').count(), { timeout: 20_000 }).toBe(1);
    const finding = diagnosis.locator('[data-code="readinessFailing"]');
    await expect
      .poll(() => finding.textContent(), { timeout: 10_000 })
      .toMatch(/Readiness probe of web failing for \d+ s: HTTP probe failed with statuscode: 404/);
    expect(await finding.textContent()).toContain('The container answers GET /healthz with 404; check the app or the probe path.');
    // The probe as kubectl describe prints it (named port), with the kubelet's message.
    expect(await finding.textContent()).toContain('http-get http://:http/healthz: HTTP probe failed with statuscode: 404');
    // Env with sources: the ConfigMap value resolved and linked, the Secret masked, the field resolved.
    const env = page.getByTestId('container-env');
    await expect.poll(() => env.textContent(), { timeout: 10_000 }).toContain('CFG_COLOR');
    const envText = (await env.textContent()) ?? '';
    expect(envText).toContain('teal');
    expect(envText).not.toContain('s3cr3t-value');
    expect(envText).toContain('spec.nodeName');
    expect(await env.getByTestId('env-ref').first().getAttribute('href')).toBe(`#/r/configmaps/${NS}/web-content`);
    // Volumes: the ConfigMap read-only and the PVC linked.
    const volumes = page.getByTestId('section-volumes');
    expect(await volumes.getByTestId('volume-ref').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([
      `#/r/configmaps/${NS}/web-content`,
      `#/r/persistentvolumeclaims/${NS}/uploads`,
    ]);
    await shot('pod-why-en-light');
    await page.getByTestId('section-containers').scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 250);
    await shot('pod-env-en-light');
    // A Ready pod of the Deployment gets the compact badge instead.
    const pods = (await request(`/api/v1/namespaces/${NS}/pods?labelSelector=track%3Dstable`)).body.items;
    await open(`/r/pods/${NS}/${pods[0].metadata.name}`, 'section-diagnosis');
    await expect.poll(() => page.getByTestId('section-diagnosis').getAttribute('data-verdict'), { timeout: 10_000 }).toBe('ready');
  });

  it('shows the Service with its NodePort link, in-cluster names and the not-ready address', async () => {
    const service = (await request(`/api/v1/namespaces/${NS}/services/web`)).body;
    const nodePort = service.spec.ports[0].nodePort as number;
    await open(`/r/services/${NS}/web`, 'section-service');
    expect(await page.getByTestId('service-open').getAttribute('href')).toBe(`http://127.0.0.1:${nodePort}`);
    // The link really answers: the lab proxy forwards to a ready pod.
    const answer = await fetch(`http://127.0.0.1:${nodePort}/`);
    expect(await answer.text()).toContain('Hello from Bosun');
    expect(await page.getByTestId('service-names').textContent()).toContain('web.shop.svc.cluster.local');
    const addresses = page.getByTestId('section-addresses');
    await expect.poll(() => addresses.getByTestId('address-ready').count(), { timeout: 10_000 }).toBe(2);
    expect(await addresses.getByTestId('address-not-ready').count()).toBe(1);
    const notReadyRow = addresses.locator('tr', { has: page.getByTestId('address-not-ready') });
    expect(await notReadyRow.getByTestId('address-pod').textContent()).toBe('web-canary');
    await shot('service-en-light');
  });

  it('shows the claim bound to its volume and the pod that mounts it', async () => {
    await expect.poll(async () => (await request(`/api/v1/namespaces/${NS}/persistentvolumeclaims/uploads`)).body.status?.phase, { timeout: 30_000 }).toBe('Bound');
    const claim = (await request(`/api/v1/namespaces/${NS}/persistentvolumeclaims/uploads`)).body;
    await open(`/r/persistentvolumeclaims/${NS}/uploads`, 'section-storage');
    await expect.poll(() => page.getByTestId('section-storage').getByTestId('storage-link').first().getAttribute('href'), { timeout: 10_000 }).toBe(`#/r/persistentvolumes/_/${claim.spec.volumeName}`);
    await expect.poll(() => page.getByTestId('section-pods').getByTestId('pod-link').allTextContents(), { timeout: 10_000 }).toEqual(['web-canary']);
    await shot('pvc-en-light');
  });

  it('shows the lab numbers on the overview from kube-system/bosun-lab-timing', async () => {
    await open('/', 'node-columns');
    const timing = (await request('/api/v1/namespaces/kube-system/configmaps/bosun-lab-timing')).body;
    const readyMs = timing.metadata.annotations['lab.bosun.dev/ready-ms'];
    expect(Number(readyMs)).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('lab-ready').textContent(), { timeout: 10_000 }).toContain(`${readyMs} ms`);
    await expect.poll(() => page.getByTestId('lab-memory').textContent()).toMatch(/\d+ MB/);
    expect(await page.getByTestId('lab-time-scale').textContent()).toContain(`÷${timing.data.timeScale}`);
    await expect.poll(() => page.locator('[data-testid="pod-chip"]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await shot('overview-en-light');
  });

  it('is keyboard-usable: Enter on a focused row opens its detail, Esc closes the YAML drawer', async () => {
    await open('/r/services', 'list-row');
    const link = page.locator('[data-testid="row-name"]', { hasText: /^web$/ });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('section-service').waitFor({ timeout: 10_000 });
    await page.getByTestId('action-edit-yaml').click();
    const drawer = page.getByRole('dialog', { name: 'Edit Service web' });
    await drawer.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden', timeout: 5_000 });
  });

  it('renders the same screens in dark and in Chinese', async () => {
    const screens: [string, string, string][] = [
      ['/', 'node-columns', 'overview'],
      [`/r/pods/${NS}/web-canary`, 'section-diagnosis', 'pod-why'],
      [`/r/services/${NS}/web`, 'section-addresses', 'service'],
      ['/r/deployments', 'list-row', 'deployments'],
    ];
    for (const [theme, locale] of [['dark', 'en'], ['light', 'zh-CN'], ['dark', 'zh-CN']] as const) {
      await look(theme, locale);
      for (const [route, ready, name] of screens) {
        await open(route, ready);
        if (name === 'pod-why') await page.locator('[data-code="readinessFailing"]').waitFor({ timeout: 15_000 });
        await shot(`${name}-${locale === 'en' ? 'en' : 'zh'}-${theme}`);
      }
    }
    await look('light', 'zh-CN');
    await open(`/r/pods/${NS}/web-canary`, 'section-diagnosis');
    await expect.poll(() => page.locator('[data-code="readinessFailing"]').textContent(), { timeout: 15_000 }).toContain('web 的就绪探针已失败');
    expect(problems).toEqual([]);
  });
});

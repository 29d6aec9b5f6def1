// End to end with real containers: the Logs viewer (search, highlight, matching lines only, follow,
// download, whole-workload logs with pod prefixes), the exec terminal (xterm.js over the exec
// WebSocket) and the WebSocket watches that keep more than six kinds live at once. The built
// `bosun serve --runtime docker` in headless Chromium; screenshots go to tests/.artifacts/screens/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ensureBuilt, launchBrowser, openDashboard } from '../support/dashboard';
import { api, startServe, type ServeHandle } from '../support/serve';

const NS = 'logs-e2e';
const SCREENS = join(ARTIFACTS, 'screens');
const IMAGE = 'bosun-test/busybox:1.0';
// Numbered lines, every fifth one says BOOM: enough to search, filter and follow.
const COUNTER = 'i=1; while true; do if [ $((i % 5)) -eq 0 ]; then w=BOOM; else w=tick; fi; printf "line-%04d %s\\n" $i $w; i=$((i+1)); sleep 0.2; done';

describe('dashboard logs and terminal (bosun serve --runtime docker + Chromium)', () => {
  let lab: ServeHandle;
  let profileDir = '';
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const httpWatches: string[] = [];
  const socketWatches: string[] = [];

  const post = async (path: string, body: unknown): Promise<void> => {
    const r = await api(lab, path, { method: 'POST', body: JSON.stringify(body) });
    expect(r.status, await r.clone().text()).toBe(201);
  };
  const shot = async (name: string): Promise<void> => {
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENS, `${name}.png`) });
  };
  /** counter, flood and both pair replicas. */
  const allRunning = async (): Promise<boolean> => {
    const pods = ((await (await api(lab, `/api/v1/namespaces/${NS}/pods`)).json()) as any).items as any[];
    return pods.length === 4 && pods.every((p) => p.status?.phase === 'Running');
  };
  const shownLines = (): Promise<string[]> => page.getByTestId('log-line').allTextContents();

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(SCREENS, { recursive: true });
    lab = await startServe({ built: true, runtime: 'docker', args: ['--nodes', '2', '--pause-image', 'bosun-test/pause:1.0'], timeoutMs: 60_000 });
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await post(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'counter' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', COUNTER] }] },
    });
    await post(`/apis/apps/v1/namespaces/${NS}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'pair' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'pair' } },
        template: {
          metadata: { labels: { app: 'pair' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'app', image: IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', 'n=0; while true; do n=$((n+1)); echo "hello from $HOSTNAME $n"; sleep 0.5; done'] }],
          },
        },
      },
    });
    await post(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'flood' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', 'seq 1 120000; sleep 3600'] }] },
    });
    // Every pod Running before the page opens: starting a pod's sandbox adds a network interface, and
    // Chromium aborts the page's requests in flight on such a change (see openDashboard).
    for (const deadline = Date.now() + 90_000; !(await allRunning()); ) {
      if (Date.now() > deadline) throw new Error(`the pods of ${NS} are not all Running after 90 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    profileDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-logs-chromium-'));
    context = await launchBrowser(profileDir, { width: 1400, height: 900 });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (/\[Vue warn\]|\[intlify\]|Not found '/.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (/[?&]watch=1/.test(r.url())) httpWatches.push(r.url());
    });
    page.on('websocket', (ws) => {
      if (/[?&]watch=1/.test(ws.url())) socketWatches.push(ws.url());
    });
    const dashboard = lab.output.map((l) => /^Dashboard: (\S+)$/.exec(l)?.[1]).find(Boolean)!;
    await openDashboard(page, dashboard);
    await page.getByTestId('node-columns').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await lab?.stop();
    lab?.cleanup();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('watches every kind over WebSocket: more than six kinds live at once, and the API still answers', async () => {
    // The dashboard's own watches: WebSockets, never a streaming HTTP request.
    await expect.poll(() => socketWatches.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(httpWatches).toEqual([]);
    // Eight watches from the page at once, as the dashboard opens them; a list must still come back
    // (with eight streaming HTTP watches the browser's six connections would all be taken).
    const result = await page.evaluate(async (ns) => {
      // Browser globals through globalThis: this file type-checks without the DOM library.
      const { sessionStorage, location } = globalThis as unknown as { sessionStorage: { getItem(key: string): string | null }; location: { host: string } };
      const token = sessionStorage.getItem('bosun.token')!;
      const b64 = btoa(token).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      const paths = ['/api/v1/pods', '/api/v1/nodes', '/api/v1/events', '/api/v1/services', '/api/v1/configmaps', '/api/v1/secrets', '/apis/apps/v1/deployments', '/apis/apps/v1/replicasets'];
      const sockets = await Promise.all(
        paths.map(
          (p) =>
            new Promise<WebSocket>((resolve, reject) => {
              const ws = new WebSocket(`ws://${location.host}${p}?watch=1`, [`base64url.bearer.authorization.k8s.io.${b64}`, 'base64.binary.k8s.io']);
              ws.onopen = () => resolve(ws);
              ws.onerror = () => reject(new Error(`watch ${p} failed`));
            }),
        ),
      );
      const started = performance.now();
      const list = await fetch(`/api/v1/namespaces/${ns}/pods`, { headers: { Authorization: `Bearer ${token}` } });
      const ms = performance.now() - started;
      const created = new Promise<string>((resolve) => {
        sockets[4].onmessage = (m) => {
          const event = JSON.parse(m.data as string);
          if (event.object?.metadata?.name === 'ws-probe') resolve(event.type);
        };
      });
      await fetch(`/api/v1/namespaces/${ns}/configmaps`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ws-probe' } }),
      });
      const type = await created;
      sockets.forEach((s) => s.close());
      return { open: sockets.length, status: list.status, ms, type };
    }, NS);
    expect(result).toMatchObject({ open: 8, status: 200, type: 'ADDED' });
    expect(result.ms).toBeLessThan(3000);
  });

  it('shows a pod’s logs, highlights a search, steps through matches and filters to matching lines', async () => {
    await page.goto(`${lab.url}/#/r/pods/${NS}/counter?tab=logs`);
    await page.getByTestId('log-viewer').waitFor();
    // Only the lines in view are in the DOM (virtualised); following, that is the newest ones.
    await expect.poll(async () => (await shownLines()).filter((l) => /^line-\d{4} (tick|BOOM)$/.test(l)).length, { timeout: 20_000 }).toBeGreaterThan(20);
    await shot('logs-pod');
    await page.getByTestId('log-search').fill('boom');
    await expect.poll(() => page.getByTestId('log-match').count()).toBeGreaterThan(0);
    expect((await page.getByTestId('log-match').allTextContents()).every((m) => m === 'BOOM')).toBe(true);
    await expect.poll(() => page.getByTestId('log-match-count').textContent()).toMatch(/^\d+ of \d+$/);
    await page.getByTestId('log-match-prev').click();
    await expect.poll(async () => (await page.locator('[data-testid="log-line"].current').textContent()) ?? '').toMatch(/^line-\d{4} BOOM$/);
    await shot('logs-search');
    await page.getByTestId('log-only-matching').click();
    await expect.poll(async () => {
      const lines = await shownLines();
      return lines.length > 2 && lines.every((l) => /^line-\d{4} BOOM$/.test(l));
    }).toBe(true);
    await shot('logs-matching-only');
    await page.getByTestId('log-only-matching').click();
    await page.getByTestId('log-search').fill('');
  });

  it('follows new lines while at the bottom, and downloads the complete log as a file', async () => {
    const newest = async (): Promise<number> => Math.max(0, ...(await shownLines()).map((l) => Number(/^line-(\d{4})/.exec(l)?.[1] ?? 0)));
    // Stepping through matches turned follow off (the reader scrolled away); on again.
    expect(await page.getByTestId('log-follow').getAttribute('aria-pressed')).toBe('false');
    await page.getByTestId('log-follow').click();
    const before = await newest();
    await expect.poll(newest, { timeout: 10_000 }).toBeGreaterThan(before + 5);
    await page.getByTestId('log-timestamps').click();
    await expect.poll(async () => (await shownLines()).at(-1) ?? '').toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z line-\d{4} (tick|BOOM)$/);
    await shot('logs-follow-timestamps');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('log-download').click()]);
    expect(download.suggestedFilename()).toBe('counter-app.log');
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/Z line-0001 tick$/);
    expect(lines.length).toBeGreaterThanOrEqual(await newest());
    await page.getByTestId('log-timestamps').click();
  });

  it('keeps 120,000 lines at the 100,000-line cap with a notice, rendering only the lines in view', async () => {
    await page.goto(`${lab.url}/#/r/pods/${NS}/flood?tab=logs`);
    await page.getByTestId('log-viewer').waitFor();
    await page.getByTestId('log-range').click();
    await page.getByRole('option', { name: 'Everything' }).click();
    await expect.poll(async () => (await page.getByTestId('log-dropped').textContent()) ?? '', { timeout: 30_000 }).toContain('20,000 older lines were dropped');
    expect(await page.getByTestId('log-status').textContent()).toMatch(/^\s*100,000 lines/);
    await expect.poll(async () => (await shownLines()).at(-1)).toBe('120000');
    expect(await page.getByTestId('log-line').count()).toBeLessThan(200);
    await page.getByTestId('log-search').fill('119999');
    await expect.poll(() => page.getByTestId('log-match-count').textContent()).toBe('1 of 1');
    await shot('logs-capped');
  });

  it('interleaves every pod of a Deployment with a pod prefix, and follows pods that appear', async () => {
    await expect.poll(async () => ((await (await api(lab, `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dpair`)).json()) as any).items.filter((p: any) => p.status?.phase === 'Running').length, { timeout: 60_000 }).toBe(2);
    await page.goto(`${lab.url}/#/r/deployments/${NS}/pair?tab=logs`);
    await page.getByTestId('log-viewer').waitFor();
    await expect.poll(async () => new Set((await page.getByTestId('log-pod-prefix').allTextContents()).map((p) => p.trim())).size, { timeout: 20_000 }).toBe(2);
    const lines = await shownLines();
    // Each line names its pod, and the pod in the prefix is the pod that printed it ($HOSTNAME).
    for (const line of lines.slice(-10)) {
      const m = /^\[(pair-[a-z0-9]+-[a-z0-9]+)\] hello from (\S+) \d+$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(m![2]).toBe(m![1]);
    }
    expect(await page.getByTestId('log-pods').textContent()).toContain('2');
    await shot('logs-workload');
    const scaled = await api(lab, `/apis/apps/v1/namespaces/${NS}/deployments/pair/scale`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { replicas: 3 } }),
    });
    expect(scaled.status).toBe(200);
    await expect.poll(async () => new Set((await page.getByTestId('log-pod-prefix').allTextContents()).map((p) => p.trim())).size, { timeout: 60_000 }).toBe(3);
  }, 180_000);

  it('opens a shell in the container: echo hello-$((6*7)) prints hello-42, and exit shows the code', async () => {
    await page.goto(`${lab.url}/#/r/pods/${NS}/counter?tab=terminal`);
    await page.getByTestId('terminal-connect').click();
    await expect.poll(() => page.getByTestId('terminal-state').textContent(), { timeout: 15_000 }).toBe('Connected');
    const screen = page.getByTestId('terminal-screen');
    // Type once the shell's prompt is there (keys sent earlier are echoed by the TTY before sh runs).
    await expect.poll(async () => (await screen.locator('.xterm-rows').textContent()) ?? '', { timeout: 10_000 }).toMatch(/# /);
    await screen.click();
    await page.keyboard.type('echo hello-$((6*7))');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await screen.locator('.xterm-rows').textContent()) ?? '', { timeout: 10_000 }).toContain('hello-42');
    await shot('terminal');
    await page.keyboard.type('exit 3');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('terminal-exit').textContent(), { timeout: 10_000 }).toBe('exited with code 3');
    // Reconnect opens a new session.
    await page.getByTestId('terminal-connect').click();
    await expect.poll(() => page.getByTestId('terminal-state').textContent(), { timeout: 15_000 }).toBe('Connected');
    await page.getByTestId('terminal-disconnect').click();
    expect(problems).toEqual([]);
  });

  it('speaks Chinese and follows the dark theme in the Logs and Terminal tabs', async () => {
    await page.goto(`${lab.url}/#/r/deployments/${NS}/pair?tab=logs`);
    await page.getByTestId('log-viewer').waitFor();
    await page.getByTestId('language').click();
    await page.getByRole('option', { name: '简体中文' }).click();
    await page.getByRole('option', { name: '简体中文' }).waitFor({ state: 'hidden' });
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.getByTestId('log-follow').textContent()).toBe('跟随');
    expect(await page.getByTestId('tab-logs').textContent()).toBe('日志');
    await expect.poll(() => page.getByTestId('log-status').textContent()).toMatch(/行 · 正在跟随 \d+ 个日志流/);
    expect(await page.evaluate('document.documentElement.classList.contains("dark")')).toBe(true);
    await shot('logs-workload-zh-dark');
    await page.goto(`${lab.url}/#/r/pods/${NS}/counter?tab=terminal`);
    await expect.poll(() => page.getByTestId('terminal-state').textContent()).toBe('未连接');
    await shot('terminal-idle-zh-dark');
    expect(problems).toEqual([]);
  });
});

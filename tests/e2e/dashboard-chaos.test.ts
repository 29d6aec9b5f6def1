// End to end, on the real Docker engine (3 nodes, `bosun serve --runtime docker`) in headless Chromium:
// drain a node through the dialog while a PodDisruptionBudget blocks it (the 429 shown, then retried until
// a replacement is Ready), crash a node from the Chaos screen and watch its pods move to other node columns
// on the overview, stop all faults, and run the node-crash sample drill from the Drills screen (with the
// documented offline image substitution typed into its documents) and read its report. Screenshots, in
// English/light and zh-CN/dark, go to tests/.artifacts/screens/.
// BOSUN_E2E_RUNTIME=fake runs the same flow on simulated nodes (quicker, for working on the screens).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ensureBuilt, launchBrowser, openDashboard } from '../support/dashboard';
import { offlineSample, readSample } from '../support/drill-samples';
import { startServe, type ServeHandle } from '../support/serve';

const RUNTIME = process.env.BOSUN_E2E_RUNTIME === 'fake' ? 'fake' : 'docker';
const SCREENS = join(ARTIFACTS, 'screens');
const NS = 'shop';
const IMAGE = 'bosun-test/busybox:1.0';

/** expect.poll for hooks (where vitest does not allow it). */
async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe(`dashboard chaos: drain, node crash, drills (bosun serve --runtime ${RUNTIME} --nodes 3 + Chromium)`, () => {
  let serve: ServeHandle;
  let dashboardUrl = '';
  let profileDir = '';
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  async function api<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T }> {
    const response = await fetch(`${serve.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }
  const webPods = async () => (await api<{ items: any[] }>('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`)).body.items;
  const readyOn = (pods: any[], node?: string) =>
    pods.filter((p) => !p.metadata.deletionTimestamp && (!node || p.spec.nodeName === node) && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));

  async function shot(name: string): Promise<void> {
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: false });
  }

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(SCREENS, { recursive: true });
    profileDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-chromium-'));
    serve = await startServe({ built: true, runtime: RUNTIME, args: ['--nodes', '3', '--pause-image', 'bosun-test/pause:1.0'], timeoutMs: 60_000 });
    dashboardUrl = serve.output.map((l) => /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/.exec(l)?.[1]).find(Boolean)!;
    expect((await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status).toBe(201);
    const labels = { app: 'web' };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS, labels },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
            terminationGracePeriodSeconds: 2,
            containers: [
              {
                name: 'web',
                image: IMAGE,
                command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www'],
                ports: [{ containerPort: 80 }],
                readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    };
    expect((await api('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment)).status).toBe(201);
    // Every replica must stay Ready: a drain can only proceed when a fourth one is (see the drain test).
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: NS }, spec: { minAvailable: 3, selector: { matchLabels: labels } } };
    expect((await api('POST', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`, pdb)).status).toBe(201);
    await eventually('3 ready web replicas', async () => readyOn(await webPods()).length === 3, 90_000);

    context = await launchBrowser(profileDir, { width: 1440, height: 900 });
    page = await context.newPage();
    page.on('console', (m) => {
      if ((m.type() === 'error' && !m.text().startsWith('Failed to load resource')) || /Not found '|\[Vue warn\]|\[intlify\]/.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await openDashboard(page, dashboardUrl);
    await page.getByTestId('node-columns').waitFor({ timeout: 20_000 });
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    if (serve) {
      await serve.stop();
      serve.cleanup();
    }
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('drains node-2 through the dialog: the budget’s 429 is shown and retried until a replacement is Ready', async () => {
    const onNode2 = readyOn(await webPods(), 'node-2');
    expect(onNode2).toHaveLength(1);
    await page.getByTestId('nav-nodes').click();
    await page.locator('[data-testid="row-name"]', { hasText: 'node-2' }).click();
    await page.getByTestId('section-node-lab').waitFor();
    // The lab timing ConfigMap read live: grace 4s and toleration 15 s at the default time scale.
    await expect.poll(() => page.getByTestId('node-timing').textContent()).toMatch(/~5 s.*~20 s.*grace period 4s, default toleration 15 s; time scale 20/);
    await page.getByTestId('action-drain').click();
    await expect.poll(() => page.getByTestId('drain-preview').textContent()).toContain(`${NS}/${onNode2[0].metadata.name}`);
    expect(await page.getByTestId('drain-command').textContent()).toBe('kubectl drain node-2 --ignore-daemonsets');
    await shot('drain-dialog');
    await page.getByTestId('confirm-drain').click();

    // minAvailable 3 of 3: the eviction API answers 429 and the dialog says so, in the API's words.
    const state = page.getByTestId('drain-pod-state');
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 20_000 }).toBe('blocked');
    expect(await page.getByTestId('drain-pod-message').textContent()).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    await shot('drain-blocked');
    // The node is cordoned already, so a fourth replica lands elsewhere; once Ready, the retry goes through.
    expect((await api('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, { spec: { replicas: 4 } }, 'application/merge-patch+json')).status).toBe(200);
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 90_000, interval: 500 }).toBe('gone');
    await page.getByTestId('drain-close').click();

    const node = (await api('GET', '/api/v1/nodes/node-2')).body;
    expect(node.spec.unschedulable).toBe(true);
    const pods = await webPods();
    expect(pods.filter((p) => p.spec.nodeName === 'node-2')).toHaveLength(0);
    await page.getByTestId('nav-nodes').click();
    await expect.poll(() => page.locator('.el-tag', { hasText: 'Ready,SchedulingDisabled' }).count()).toBe(1);
    await shot('nodes-after-drain');

    // Uncordon through the existing action, and back to three replicas for what follows.
    await page.locator('[data-testid="row-name"]', { hasText: 'node-2' }).click();
    await page.getByTestId('action-cordon').click();
    await page.getByTestId('confirm-cordon').click();
    await expect.poll(async () => (await api('GET', '/api/v1/nodes/node-2')).body.spec.unschedulable ?? false).toBe(false);
    expect((await api('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, { spec: { replicas: 3 } }, 'application/merge-patch+json')).status).toBe(200);
    await expect.poll(async () => (await webPods()).filter((p) => !p.metadata.deletionTimestamp).length, { timeout: 60_000 }).toBe(3);
  }, 240_000);

  it('crashes a node from the Chaos screen and its pods move to the other node columns', async () => {
    // The node running most of the replicas (after the drain, node-2 usually runs none).
    const ready = readyOn(await webPods());
    const count = (node: string) => ready.filter((p) => p.spec.nodeName === node).length;
    const victim = ['node-1', 'node-2', 'node-3'].sort((a, b) => count(b) - count(a))[0];
    const others = ['node-1', 'node-2', 'node-3'].filter((n) => n !== victim);
    expect(count(victim)).toBeGreaterThan(0);

    await page.getByTestId('nav-chaos').click();
    await page.getByTestId('new-NodeFault').click();
    await page.getByTestId('fault-action-crash').click();
    await page.getByTestId('fault-nodes').click();
    await page.getByTestId(`fault-node-option-${victim}`).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('fault-duration').fill('120s');
    await page.getByTestId('confirm-fault').click();
    const row = page.locator('[data-testid="faults-NodeFault"] .el-table__row');
    await expect.poll(() => row.locator('[data-testid="fault-phase"]').first().textContent(), { timeout: 30_000 }).toBe('Injected');
    expect(await row.locator('[data-testid="fault-targets"]').first().textContent()).toBe(victim);
    await shot('chaos-node-crash');

    await page.getByTestId('nav-overview').click();
    const column = (node: string) => page.locator(`[data-testid="node-column"][data-node="${node}"]`);
    await expect.poll(() => column(victim).getByTestId('node-fault-badge').textContent(), { timeout: 15_000 }).toContain('crash');
    await expect.poll(() => column(victim).getByTestId('node-status').textContent(), { timeout: 30_000 }).toBe('NotReady');
    expect(await page.getByTestId('active-faults-count').textContent()).toContain('1');
    // ~4 s grace + 15 s toleration at the default time scale, then the replacements start elsewhere.
    const readyChips = async () => {
      let n = 0;
      for (const node of others) n += await column(node).locator('[data-testid="pod-chip"].chip-success[data-name^="web-"]').count();
      return n;
    };
    await expect.poll(readyChips, { timeout: 120_000, interval: 1000 }).toBeGreaterThanOrEqual(3);
    expect(readyOn(await webPods(), victim)).toHaveLength(0);
    await shot('overview-node-crashed');

    // zh-CN + dark theme on the Chaos screen while the fault is in force.
    await page.getByTestId('nav-chaos').click();
    await page.getByTestId('language').click();
    await page.getByRole('option', { name: '简体中文' }).click();
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('混沌工程');
    await shot('chaos-zh-CN-dark');

    // Stop all faults: one deletecollection per kind; the node comes back.
    await page.getByTestId('stop-all-faults').click();
    await page.getByTestId('confirm-stop-all').click();
    await expect.poll(() => page.getByTestId('stop-all-result').textContent(), { timeout: 30_000 }).toMatch(/1/);
    await page.getByTestId('stop-all-reverted').waitFor({ timeout: 60_000 });
    expect((await api<{ items: unknown[] }>('GET', '/apis/chaos.bosun.dev/v1alpha1/nodefaults')).body.items).toHaveLength(0);
    await expect.poll(async () => (await api('GET', `/api/v1/nodes/${victim}`)).body.status.conditions.find((c: any) => c.type === 'Ready').status, { timeout: 30_000 }).toBe('True');
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('language').click();
    await page.getByRole('option', { name: 'English' }).click();
  }, 300_000);

  it('runs the node-crash sample drill from the Drills screen and reads its report', async () => {
    await page.getByTestId('nav-drills').click();
    await page.getByTestId('sample-node-crash').waitFor();
    expect(await page.getByTestId('sample-node-crash').textContent()).toContain('node-2 crashes');
    await page.getByTestId('run-node-crash').click();
    // The only test-specific step: the documented offline image, typed into the documents as a user could.
    await page.getByTestId('drill-documents').fill(offlineSample(readSample('node-crash')));
    await page.getByTestId('confirm-run-drill').click();
    const selected = page.getByTestId('drill-selected');
    await selected.waitFor({ timeout: 15_000 });
    await expect.poll(() => selected.locator('[data-testid="drill-timeline"] circle').count(), { timeout: 60_000 }).toBeGreaterThan(3);
    await expect.poll(() => page.locator('[data-testid="drill-phase"]').first().textContent(), { timeout: 90_000 }).toBe('Running');
    await selected.scrollIntoViewIfNeeded();
    await shot('drill-running');
    await expect.poll(() => page.locator('[data-testid="drill-phase"]').first().textContent(), { timeout: 240_000, interval: 2000 }).toMatch(/Succeeded|Failed|Aborted/);
    const drill = (await api('GET', '/apis/chaos.bosun.dev/v1alpha1/namespaces/default/drills/node-crash')).body;
    expect(drill.status.phase, JSON.stringify(drill.status.report)).toBe('Succeeded');
    await expect.poll(() => page.getByTestId('report-hypothesisHeld').textContent()).toContain('true');
    expect(await page.getByTestId('report-timeToRecover').textContent()).toContain(`${drill.status.report.timeToRecoverSeconds.toFixed(1)} s`);
    expect(await selected.locator('[data-testid="marker-disrupted"]').count()).toBe(1);
    await selected.scrollIntoViewIfNeeded();
    await shot('drill-report');
    await page.getByTestId('drill-library').scrollIntoViewIfNeeded();
    await shot('drills-library');
    expect(problems).toEqual([]);
  }, 360_000);

  it('adds a lab node from the Nodes list and removes it from its page', async () => {
    await page.getByTestId('nav-nodes').click();
    await page.getByTestId('add-node').click();
    expect(await page.getByTestId('add-node-name').inputValue()).toBe('node-4');
    await page.getByTestId('add-node-cpu').fill('2');
    await page.getByTestId('add-node-memory').fill('4Gi');
    await page.getByTestId('confirm-add-node').click();
    // The lab starts a kubelet for it: Ready, with the capacity chosen.
    await expect.poll(async () => {
      const n = await api('GET', '/api/v1/nodes/node-4');
      return n.status === 200 && n.body.status?.conditions?.find((c: any) => c.type === 'Ready')?.status;
    }, { timeout: 30_000 }).toBe('True');
    const node = (await api('GET', '/api/v1/nodes/node-4')).body;
    expect(node.metadata.labels['lab.bosun.dev/managed']).toBe('true');
    expect(node.status.capacity).toMatchObject({ cpu: '2', memory: '4Gi' });
    await page.locator('[data-testid="row-name"]', { hasText: 'node-4' }).click();
    await page.getByTestId('action-remove-node').click();
    expect(await page.getByTestId('remove-node-text').textContent()).toContain('pod garbage collector');
    await page.getByTestId('confirm-remove-node').click();
    await expect.poll(async () => (await api('GET', '/api/v1/nodes/node-4')).status, { timeout: 30_000 }).toBe(404);
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('Nodes');
    expect(problems).toEqual([]);
  }, 120_000);
});

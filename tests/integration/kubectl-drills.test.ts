// Drills with real kubectl 1.32 against `bosun serve` on the fake runtime: apply a Deployment and a Drill in
// one file, watch it run to Succeeded in `kubectl get drills` columns, read the report and timeline with
// -o yaml/jsonpath, find it (and the fault it created) in `kubectl get chaos`, strict typos refused, the
// spec immutable, and delete it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

let serve: ServeHandle;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: chaos.bosun.dev/v1alpha1
kind: Drill
metadata: {name: delete-one}
spec:
  hypothesis: Deleting a pod of a 3-replica Deployment is repaired by its ReplicaSet.
  steadyState:
  - name: three-ready
    deploymentReady: {name: web, minReady: 3}
  steps:
  - name: delete-pod
    podFault:
      action: delete
      selector: {labelSelector: {matchLabels: {app: web}}}
      mode: one
    duration: 2s
  recoveryTimeout: 60s
`;

async function phase(name: string): Promise<string> {
  return (await kubectlOk(serve, ['get', 'drill', name, '-o', 'jsonpath={.status.phase}'])).trim();
}

describe('Drills with kubectl (fake runtime)', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'fake' });
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    serve?.cleanup();
  });

  it('applies a Deployment and a Drill together; the drill waits for the steady state, runs, and reports', async () => {
    const applied = await kubectlOk(serve, ['apply', '-f', '-'], MANIFEST);
    expect(applied).toContain('drill.chaos.bosun.dev/delete-one created');
    let seenFault = false;
    const deadline = Date.now() + 90_000;
    while (!['Succeeded', 'Failed', 'Aborted'].includes(await phase('delete-one'))) {
      if (!seenFault) seenFault = (await kubectlOk(serve, ['get', 'chaos'])).includes('podfault.chaos.bosun.dev/delete-one-delete-pod');
      if (Date.now() > deadline) throw new Error(await kubectlOk(serve, ['get', 'drill', 'delete-one', '-o', 'yaml']));
      await sleep(250);
    }
    expect(seenFault).toBe(true);
    const d = JSON.parse(await kubectlOk(serve, ['get', 'drill', 'delete-one', '-o', 'json']));
    expect(d.status.phase).toBe('Succeeded');
    // The fake runtime replaces a pod within a sample or two, so whether the break was sampled varies.
    expect(d.status.report).toMatchObject({ hypothesisHeld: true, steadyBefore: true, requestsTotal: 0 });
    expect(d.status.report.checks[0]).toMatchObject({ name: 'three-ready', role: 'steadyState' });
    expect(d.status.report.checks[0].samples).toBeGreaterThan(3);
    const lines = d.status.timeline.map((e: any) => `${e.type} ${e.message}`);
    expect(lines).toContain('Step PodFault delete-one-delete-pod created (delete)');
    expect(lines.some((l: string) => /^Pod pod web-\S+ deleted$/.test(l))).toBe(true);
    expect(lines.some((l: string) => /^Event Normal SuccessfulCreate ReplicaSet\/web-\S+: Created pod: web-/.test(l))).toBe(true);
    // The fault is gone with its step; the drill stays as history.
    expect((await kubectlOk(serve, ['get', 'podfaults'])).trim()).toBe('');
  }, 120_000);

  it('shows PHASE, STEP, HYPOTHESIS and RECOVERY columns, and the drill under `kubectl get chaos`', async () => {
    const table = await kubectlOk(serve, ['get', 'drills']);
    const [header, row] = table.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'PHASE', 'STEP', 'HYPOTHESIS', 'RECOVERY', 'AGE']);
    // RECOVERY shows the report's time to recover, or <none> when no sample caught the break (see above).
    const report = JSON.parse(await kubectlOk(serve, ['get', 'drill', 'delete-one', '-o', 'json'])).status.report;
    const recovery = report.timeToRecoverSeconds === undefined ? '<none>' : `${report.timeToRecoverSeconds.toFixed(1)}s`;
    expect(row).toMatch(new RegExp(`^delete-one\\s+Succeeded\\s+1/1 delete-pod\\s+Held\\s+${recovery.replace('.', '\\.')}\\s+\\d+s$`));
    const wide = await kubectlOk(serve, ['get', 'drills', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/DETECT\s+FAILED-REQUESTS/);
    expect(await kubectlOk(serve, ['get', 'chaos'])).toContain('drill.chaos.bosun.dev/delete-one');
  });

  it('refuses a typo under strict validation, a non-loopback URL, and any spec change', async () => {
    const typo = MANIFEST.split('---')[1].replace('name: delete-one', 'name: typo').replace('minReady: 3', 'minReady: 3, minimum: 1');
    const strict = await kubectl(serve, ['apply', '--validate=strict', '-f', '-'], typo);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('unknown field "spec.steadyState[0].deploymentReady.minimum"');
    const far = MANIFEST.split('---')[1].replace('name: delete-one', 'name: far').replace('deploymentReady: {name: web, minReady: 3}', 'http: {url: "http://192.0.2.1/"}');
    const invalid = await kubectl(serve, ['apply', '-f', '-'], far);
    expect(invalid.stderr).toContain('spec.steadyState[0].http.url: Invalid value: "http://192.0.2.1/": must be an http://127.0.0.1 URL');
    const changed = await kubectl(serve, ['patch', 'drill', 'delete-one', '--type=merge', '-p', '{"spec":{"recoveryTimeout":"2m"}}']);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('a drill runs once and its spec is immutable: delete and re-create it to run it again');
  });

  it('deletes a finished drill (its cleanup finalizer released)', async () => {
    await kubectlOk(serve, ['delete', 'drill', 'delete-one', '--timeout=30s']);
    const left = await kubectl(serve, ['get', 'drill', 'delete-one']);
    expect(left.stderr).toContain('NotFound');
  });
});

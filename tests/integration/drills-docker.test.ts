// The sample drills (samples/drills/*.yaml) on the Docker engine, applied with kubectl 1.32 to a 3-node
// `bosun serve --runtime docker` at the default lab timing, each in its own namespace, with the documented
// offline image substitution. Pod-level drills share the lab and run together; the node-level ones (all on
// node-2) run one after the other. Each drill's report is asserted, plus what the drill promises as kubectl
// and Docker show it (restarts, endpoints, rescheduled pods, the old pod still running in a split brain).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Drill } from '../../shared/api/chaos';
import { offlineSample, readSample } from '../support/drill-samples';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
let serve: ServeHandle;

const json = async (args: string[]): Promise<any> => JSON.parse(await kubectlOk(serve, [...args, '-o', 'json']));
const docker = (args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', timeout: 60_000 }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies a sample (offline image) into a namespace named like it. */
async function applySample(name: string): Promise<string> {
  const ns = `drill-${name}`.slice(0, 63);
  await kubectlOk(serve, ['create', 'namespace', ns]);
  await kubectlOk(serve, ['apply', '-n', ns, '-f', '-'], offlineSample(readSample(name)));
  return ns;
}

async function drill(ns: string, name: string): Promise<Drill> {
  return json(['get', 'drill', name, '-n', ns]);
}

/** Waits for a terminal phase; the report and timeline go into the failure message otherwise. */
async function finished(ns: string, name: string, timeoutMs: number): Promise<Drill> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await drill(ns, name);
    if (['Succeeded', 'Failed', 'Aborted'].includes(d.status?.phase ?? '')) return d;
    if (Date.now() > deadline) throw new Error(`drill ${ns}/${name} still ${d.status?.phase}: ${JSON.stringify(d.status, null, 1)}`);
    await sleep(1000);
  }
}

const story = (d: Drill): string => (d.status?.timeline ?? []).map((e) => `${e.time} ${e.type} ${e.message}`).join('\n');

/** Deletes a sample's namespace and waits until it is gone, so the next drill starts on a quiet lab. */
async function removeNamespace(ns: string): Promise<void> {
  await kubectlOk(serve, ['delete', 'namespace', ns, '--wait=false']);
  await eventually(`namespace ${ns} gone`, async () => (await kubectl(serve, ['get', 'namespace', ns])).code !== 0, 180_000);
}

async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

describe('sample drills on the Docker engine', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'docker', args: ['--pause-image', PAUSE], timeoutMs: 60_000 });
  }, 90_000);
  afterAll(async () => {
    if (!serve) return;
    await serve.stop();
    serve.cleanup();
  }, 120_000);

  describe('pod-level drills, run together on one lab', () => {
    const names = ['liveness-failure', 'readiness-failure', 'rolling-update-under-load'];
    const results = new Map<string, { ns: string; drill: Drill }>();
    beforeAll(async () => {
      const nss = await Promise.all(names.map(applySample));
      const drills = await Promise.all(names.map((n, i) => finished(nss[i], n, 300_000)));
      names.forEach((n, i) => results.set(n, { ns: nss[i], drill: drills[i] }));
    }, 360_000);
    afterAll(async () => {
      for (const { ns } of results.values()) await removeNamespace(ns);
    }, 240_000);

    it('liveness-failure: the kubelet restarts the container and both replicas are ready again', async () => {
      const { ns, drill: liveness } = results.get('liveness-failure')!;
      expect(liveness.status?.phase, story(liveness)).toBe('Succeeded');
      expect(liveness.status?.report?.hypothesisHeld).toBe(true);
      expect(story(liveness)).toMatch(/Killing Pod\/liveness-web-\S+: Container web failed liveness probe, will be restarted/);
      await eventually('a liveness restart', async () => {
        const pods = await json(['get', 'pods', '-n', ns, '-l', 'app=liveness-web']);
        return pods.items.some((p: any) => p.status.containerStatuses?.[0]?.restartCount >= 1);
      }, 60_000);
    }, 90_000);

    it('readiness-failure: the pod leaves the Service endpoints (3 → 2) and comes back', () => {
      const { drill: readiness } = results.get('readiness-failure')!;
      expect(readiness.status?.phase, story(readiness)).toBe('Succeeded');
      const endpointsCheck = readiness.status!.report!.checks!.find((c) => c.name === 'three-endpoints')!;
      expect(endpointsCheck.minObserved).toBe(2);
      expect(endpointsCheck.failedSamples).toBeGreaterThan(0);
      expect(readiness.status?.report?.timeToRecoverSeconds).toBeGreaterThan(0);
      expect(story(readiness)).toMatch(/endpoints readiness-web: 3 → 2 ready[\s\S]*endpoints readiness-web: 2 → 3 ready/);
      console.log(`readiness-failure drill: requests ${readiness.status!.report!.requestsFailed}/${readiness.status!.report!.requestsTotal} failed`);
    });

    it('rolling-update-under-load: zero failed requests, never fewer than 3 ready', () => {
      const { drill: rolling } = results.get('rolling-update-under-load')!;
      expect(rolling.status?.phase, story(rolling)).toBe('Succeeded');
      expect(rolling.status?.report, story(rolling)).toMatchObject({ hypothesisHeld: true, heldThroughout: true, requestsFailed: 0 });
      expect(rolling.status!.report!.requestsTotal).toBeGreaterThan(50);
      expect(story(rolling)).toMatch(/deployment rolling-web successfully rolled out/);
    });
  });

  it('node-crash: node-2 NotReady, its pod evicted and replaced elsewhere; hypothesis held with a measured recovery', async () => {
    const ns = await applySample('node-crash');
    const d = await finished(ns, 'node-crash', 240_000);
    expect(d.status?.phase, story(d)).toBe('Succeeded');
    const r = d.status!.report!;
    expect(r.hypothesisHeld).toBe(true);
    expect(r.heldThroughout).toBe(false);
    // Kubernetes healed while the node was still down (the fault lasts 45 s).
    expect(r.timeToRecoverSeconds!).toBeLessThan(45);
    const s = story(d);
    expect(s).toMatch(/NodeFault node-crash-crash-node-2 Injected/);
    expect(s).toMatch(/TaintManagerEviction/);
    // The replacement runs elsewhere: the pods left are all Ready and none is on node-2 from before the crash.
    const pods = await json(['get', 'pods', '-n', ns, '-l', 'app=crash-web']);
    const ready = pods.items.filter((p: any) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    expect(ready).toHaveLength(3);
    console.log(`node-crash drill: detect ${r.timeToDetectSeconds}s, recover ${r.timeToRecoverSeconds}s`);
    await removeNamespace(ns);
    await waitNodeReady('node-2');
  }, 300_000);

  it('drain-with-pdb: never fewer than 2 ready while node-2 drains; drain completes and node-2 is uncordoned', async () => {
    const ns = await applySample('drain-with-pdb');
    const d = await finished(ns, 'drain-with-pdb', 240_000);
    expect(d.status?.phase, story(d)).toBe('Succeeded');
    expect(d.status?.report).toMatchObject({ hypothesisHeld: true, heldThroughout: true });
    const check = d.status!.report!.checks!.find((c) => c.name === 'at-least-two-ready')!;
    expect(check.minObserved).toBeGreaterThanOrEqual(2);
    expect(story(d)).toMatch(/node node-2 drained \(\d+ pods evicted\)/);
    const node = await json(['get', 'node', 'node-2']);
    expect(node.spec.unschedulable).toBeUndefined();
    await removeNamespace(ns);
  }, 300_000);

  it('kubelet-stop split brain: the old pod keeps running on node-2 while replacements become ready; no request fails', async () => {
    const ns = await applySample('kubelet-stop-split-brain');
    // Wait for the fault, then remember the pod node-2 runs.
    let old: string | undefined;
    const deadline = Date.now() + 120_000;
    while (!old && Date.now() < deadline) {
      const d = await drill(ns, 'kubelet-stop-split-brain');
      if (d.status?.phase === 'Running' && (d.status.timeline ?? []).some((e) => / Injected/.test(e.message))) {
        const pods = await json(['get', 'pods', '-n', ns, '-l', 'app=split-web']);
        old = pods.items.find((p: any) => p.spec.nodeName === 'node-2')?.metadata.name;
        expect(old).toBeDefined();
      } else await sleep(500);
    }
    // Split brain: 3 ready replacements off node-2 while the old container still runs there.
    let splitSeen = false;
    while (!splitSeen && Date.now() < deadline + 60_000) {
      const pods = await json(['get', 'pods', '-n', ns, '-l', 'app=split-web']);
      const readyElsewhere = pods.items.filter((p: any) => p.spec.nodeName !== 'node-2' && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      const running = docker(['ps', '-q', '--filter', `label=bosun.pod.namespace=${ns}`, '--filter', `label=bosun.pod.name=${old}`, '--filter', 'label=bosun.role=app', '--filter', 'status=running']);
      if (readyElsewhere.length === 3) {
        expect(running, 'the old container must still run on node-2 during the split brain').not.toBe('');
        splitSeen = true;
      } else await sleep(1000);
    }
    expect(splitSeen).toBe(true);
    const d = await finished(ns, 'kubelet-stop-split-brain', 180_000);
    expect(d.status?.phase, story(d)).toBe('Succeeded');
    expect(d.status?.report?.hypothesisHeld).toBe(true);
    expect(d.status?.report?.requestsFailed, story(d)).toBe(0);
    // The kubelet came back and finished the old pod's deletion.
    await eventually(`old pod ${old} gone`, async () => (await kubectl(serve, ['get', 'pod', old!, '-n', ns])).code !== 0, 90_000);
    await removeNamespace(ns);
  }, 360_000);
});

async function waitNodeReady(name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const n = await json(['get', 'node', name]);
    if (n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True') && !(n.spec.taints ?? []).length) return;
    if (Date.now() > deadline) throw new Error(`node ${name} not Ready again: ${JSON.stringify(n.status.conditions)}`);
    await sleep(500);
  }
}

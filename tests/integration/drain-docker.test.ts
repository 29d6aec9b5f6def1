// The "must show" on the real Docker engine: `kubectl drain node-2 --ignore-daemonsets` with a
// PDB minAvailable=2 over a 3-replica Deployment (busybox `sleep 3600` with an exec readiness probe).
// The replicas are packed on node-2 so the budget has to meter the drain; a pod watch must never see
// fewer than 2 ready pods, and the drain must complete.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPodReady, PodReadyWatch, type WatchedPod } from '../support/pod-ready-watch';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
const NS = 'drain-docker';

let serve: ServeHandle;

beforeAll(async () => {
  serve = await startServe({ runtime: 'docker', args: ['--nodes', '3', '--pause-image', PAUSE], timeoutMs: 60_000 });
  await kubectlOk(serve, ['create', 'namespace', NS]);
}, 90_000);

afterAll(async () => {
  if (!serve) return;
  // Stopping keeps pod containers for the next start to adopt; remove everything of this lab.
  await kubectl(serve, ['delete', 'namespace', NS, '--wait=false']);
  await serve.stop();
  serve.cleanup();
}, 90_000);

async function eventually<T>(fn: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached in time`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const webPods = async (): Promise<WatchedPod[]> =>
  (JSON.parse(await kubectlOk(serve, ['-n', NS, 'get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: WatchedPod[] }).items;

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: bosun-test/busybox:1.0
        imagePullPolicy: Never
        command: [sleep, "3600"]
        # Generous timeout: on a loaded 2-core machine a docker exec can take over a second, and a
        # probe flapping all three pods unready would be an involuntary disruption no PDB prevents.
        readinessProbe:
          exec: {command: [sh, -c, "test -d /proc/1"]}
          periodSeconds: 2
          timeoutSeconds: 5
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
`;

describe('kubectl drain on Docker with a PodDisruptionBudget', () => {
  it('never fewer than 2 ready while node-2 drains; the drain completes and the containers move', async () => {
    await kubectlOk(serve, ['cordon', 'node-1', 'node-3']);
    await kubectlOk(serve, ['-n', NS, 'apply', '-f', '-'], MANIFEST);
    const placed = await eventually(async () => {
      const pods = await webPods();
      return pods.length === 3 && pods.every(isPodReady) ? pods : undefined;
    }, 90_000, 'three ready web pods on node-2');
    expect(placed.map((p) => p.spec?.nodeName)).toEqual(['node-2', 'node-2', 'node-2']);
    await kubectlOk(serve, ['uncordon', 'node-1', 'node-3']);
    await eventually(async () => (await kubectlOk(serve, ['-n', NS, 'get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}'])) === '1' || undefined, 20_000, 'PDB status');

    const watch = new PodReadyWatch(serve, NS, 'app=web');
    await watch.start();
    await eventually(async () => watch.ready() === 3 || undefined, 10_000, 'watch to see the three pods');
    watch.tracking = true;
    const drain = await kubectl(serve, ['drain', 'node-2', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=28s']);
    expect(drain.code, `${drain.stderr}\n${drain.stdout}`).toBe(0);
    expect(drain.stdout).toContain('node/node-2 drained');
    expect(drain.stdout.match(/pod\/web-[a-z0-9-]+ evicted/g)).toHaveLength(3);
    expect(drain.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");

    const moved = await eventually(async () => {
      const pods = await webPods();
      return pods.length === 3 && pods.every(isPodReady) ? pods : undefined;
    }, 60_000, 'three ready replacements');
    watch.stop();
    expect(watch.min, watch.log.join('\n')).toBeGreaterThanOrEqual(2);
    expect(moved.every((p) => p.spec?.nodeName === 'node-1' || p.spec?.nodeName === 'node-3')).toBe(true);

    // Docker agrees: no container of a web pod is left running for node-2.
    const onNode2 = execFileSync('docker', ['ps', '-q', '--filter', `label=bosun.lab=${serve.labId}`, '--filter', 'label=bosun.node=node-2', '--filter', `label=bosun.pod.namespace=${NS}`], {
      encoding: 'utf8',
    }).trim();
    expect(onNode2).toBe('');
    await kubectlOk(serve, ['uncordon', 'node-2']);
  }, 240_000);
});

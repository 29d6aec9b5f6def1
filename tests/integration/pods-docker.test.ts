// Pods as real containers: `bosun serve --runtime docker` driven by kubectl, checked against `docker ps`.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';
const BACKOFF_BASE_MS = '1000';

let serve: ServeHandle;

const start = (dataDir?: string): Promise<ServeHandle> =>
  startServe({
    runtime: 'docker',
    dataDir,
    args: ['--nodes', '2', '--pause-image', PAUSE],
    env: { BOSUN_BACKOFF_BASE_MS: BACKOFF_BASE_MS },
    timeoutMs: 60_000,
  });

/** Docker containers of this lab for one pod: name → status. */
function dockerPs(labId: string, pod: string): Array<{ name: string; state: string }> {
  const out = execFileSync(
    'docker',
    ['ps', '-a', '--filter', `label=bosun.lab=${labId}`, '--filter', `label=bosun.pod.name=${pod}`, '--format', '{{.Names}}\t{{.State}}'],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean).map((l) => ({ name: l.split('\t')[0], state: l.split('\t')[1] }));
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await fn().catch((e: unknown) => (e as Error).message);
    if (last) return last as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const getPod = async (name: string): Promise<any> => JSON.parse(await kubectlOk(serve, ['get', 'pod', name, '-o', 'json']));

const DUO = `
apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  terminationGracePeriodSeconds: 2
  initContainers:
  - {name: init, image: ${BUSYBOX}, command: [sh, -c, "echo init done"]}
  containers:
  - name: web
    image: ${BUSYBOX}
    command: [sh, -c, "echo hello-from-web > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
    ports: [{containerPort: 8080}]
  - name: client
    image: ${BUSYBOX}
    command: [sh, -c, "trap 'exit 0' TERM; while true; do wget -q -O - http://localhost:8080/index.html; sleep 1; done"]
`;

describe('pods on the Docker engine (bosun serve --runtime docker, kubectl)', () => {
  beforeAll(async () => {
    serve = await start();
  });
  afterAll(async () => {
    await serve?.stop();
    serve?.cleanup();
  });

  it('runs a pod with an init container and two app containers sharing localhost', async () => {
    await kubectlOk(serve, ['apply', '-f', '-'], DUO);
    const pod = await until('duo Running', async () => {
      const p = await getPod('duo');
      return p.status?.phase === 'Running' && p.status.containerStatuses?.every((s: any) => s.ready) ? p : undefined;
    });
    expect(pod.status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(pod.status.containerStatuses.map((s: any) => s.containerID)).toEqual([expect.stringMatching(/^docker:\/\//), expect.stringMatching(/^docker:\/\//)]);
    const node = pod.spec.nodeName as string;
    const index = /^node-(\d+)$/.exec(node)![1];
    expect(pod.status.podIP).toMatch(new RegExp(`^10\\.244\\.${index}\\.\\d+$`));
    const wide = await kubectlOk(serve, ['get', 'pod', 'duo', '-o', 'wide', '--no-headers']);
    const cols = wide.trim().split(/\s+/);
    expect(cols.slice(0, 3)).toEqual(['duo', '2/2', 'Running']);
    expect(cols).toContain(pod.status.podIP);
    expect(cols).toContain(node);
    // The client container reaches the web container over the shared network namespace.
    await until('client log shows the page', async () => (await kubectl(serve, ['logs', 'duo', '-c', 'client'])).stdout.includes('hello-from-web'));
    const containers = dockerPs(serve.labId, 'duo');
    expect(containers.map((c) => c.name.split('_')[1]).sort()).toEqual(['POD', 'client', 'init', 'web']);
  });

  it('a crashing container reaches CrashLoopBackOff with growing restart delays', async () => {
    await kubectlOk(serve, ['run', 'crash', `--image=${BUSYBOX}`, '--restart=Always', '--', 'sh', '-c', 'echo dying; exit 2']);
    const delays: number[] = [];
    const pod = await until('restartCount 3 in CrashLoopBackOff', async () => {
      const p = await getPod('crash');
      const s = p.status?.containerStatuses?.[0];
      const message: string | undefined = s?.state?.waiting?.message;
      const m = message && /^back-off (\d+)s restarting failed container=crash pod=crash_default\(/.exec(message);
      if (m && !delays.includes(Number(m[1]))) delays.push(Number(m[1]));
      return s?.restartCount >= 3 && s.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    }, 90_000);
    const status = pod.status.containerStatuses[0];
    expect(status.lastState.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    // Base 1 s (BOSUN_BACKOFF_BASE_MS): the delays double.
    expect(delays.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBe(delays[i - 1] * 2);
    expect((await kubectlOk(serve, ['get', 'pod', 'crash', '--no-headers'])).split(/\s+/)[2]).toBe('CrashLoopBackOff');
    expect((await kubectlOk(serve, ['logs', 'crash', '-p'])).trim()).toBe('dying');
    // Newest instance plus the previous one are kept, older ones removed.
    expect(dockerPs(serve.labId, 'crash').filter((c) => !c.name.startsWith('k8s_POD_')).length).toBeLessThanOrEqual(2);
  });

  it('a restarted lab adopts running pods: nothing restarted, nothing duplicated', async () => {
    const before = await getPod('duo');
    const containersBefore = dockerPs(serve.labId, 'duo');
    const dataDir = serve.dataDir;
    expect(await serve.stop()).toBe(0);
    // Pods keep running while the lab is down.
    expect(dockerPs(serve.labId, 'duo').filter((c) => c.state === 'running').length).toBe(3);
    serve = await start(dataDir);
    const after = await until('duo Ready after restart', async () => {
      const p = await getPod('duo');
      return p.status?.containerStatuses?.every((s: any) => s.ready) ? p : undefined;
    });
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.status.containerStatuses.map((s: any) => [s.containerID, s.restartCount])).toEqual(
      before.status.containerStatuses.map((s: any) => [s.containerID, s.restartCount]),
    );
    expect(dockerPs(serve.labId, 'duo')).toEqual(containersBefore.map((c) => ({ ...c, state: c.name.startsWith('k8s_init_') ? 'exited' : 'running' })));
  });

  it('deleting a pod stops and removes its containers before it leaves the API', async () => {
    await kubectlOk(serve, ['delete', 'pod', 'duo', '--wait=true']);
    expect(dockerPs(serve.labId, 'duo')).toEqual([]);
    await kubectlOk(serve, ['delete', 'pod', 'crash', '--grace-period=0', '--force']);
    await until('crash containers removed', async () => dockerPs(serve.labId, 'crash').length === 0);
  });
});

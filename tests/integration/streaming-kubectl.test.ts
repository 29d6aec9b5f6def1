// Real kubectl binaries against the real apiserver with the streaming handlers; containers on a
// FakeRuntime (no Docker needed), so what is checked here is the wire protocol kubectl speaks:
// logs (chunked), exec (WebSocket v5; SPDY v4 for kubectl 1.29), port-forward (SPDY tunnelled in a
// WebSocket, and plain SPDY for kubectl before 1.31).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Pod } from '../../shared/api/pod';
import { createPod, running, startHarness, startInstance, startSandbox, TOKEN, type Harness } from '../unit/kubelet/streaming/harness';

const KUBECTL = '/usr/bin/kubectl';
const KUBECTL_129 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.29';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!existsSync(KUBECTL))('kubectl logs/exec/port-forward against the streaming handlers', () => {
  let h: Harness;
  let dir: string;
  let kubeconfig: string;
  let echo: Server;
  let echoPort: number;

  const kubectl = (args: string[], options: { binary?: string; stdin?: string } = {}): Promise<Result> =>
    new Promise((resolve) => {
      const child = execFile(options.binary ?? KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000, env: { ...process.env, HOME: dir } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    });

  beforeAll(async () => {
    h = await startHarness({ tls: true });
    dir = mkdtempSync(join(tmpdir(), 'bosun-streaming-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'lab', cluster: { server: h.server.httpsUrl, 'certificate-authority-data': Buffer.from(h.server.caCertificate!).toString('base64') } }],
        users: [{ name: 'admin', user: { token: TOKEN } }],
        contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'admin', namespace: 'default' } }],
        'current-context': 'lab',
      }),
    );
    // What the container would serve on its port 80: an echo server reached through the published port.
    echo = createServer((socket) => socket.on('data', (d) => socket.write(`echo:${d.toString()}`)));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as { port: number }).port;
  });
  afterAll(async () => {
    await h.close();
    echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl logs, -c, --tail, -p and -f', async () => {
    const pod = await createPod(h, 'web', ['app', 'side'], { statuses: [running('app'), running('side')] });
    const old = await startInstance(h, pod, 'app', 0);
    h.runtime.writeLog(old, 'stdout', 'old 1\nold 2\n');
    await h.runtime.stopContainer(old, 0);
    const cur = await startInstance(h, pod, 'app', 1);
    h.runtime.writeLog(cur, 'stdout', 'new 1\nnew 2\nnew 3\n');
    const side = await startInstance(h, pod, 'side', 0);
    h.runtime.writeLog(side, 'stderr', 'side car\n');

    expect((await kubectl(['logs', 'web', '-c', 'app'])).stdout).toBe('new 1\nnew 2\nnew 3\n');
    expect((await kubectl(['logs', 'web', '-c', 'app', '--tail', '1'])).stdout).toBe('new 3\n');
    expect((await kubectl(['logs', 'web', '-c', 'app', '-p'])).stdout).toBe('old 1\nold 2\n');
    expect((await kubectl(['logs', 'web', '-c', 'side', '-p'])).stderr).toContain('previous terminated container "side" in pod "web" not found');
    // kubectl picks the first container itself (and says so) when none is named.
    const defaulted = await kubectl(['logs', 'web']);
    expect(defaulted.stdout).toBe('new 1\nnew 2\nnew 3\n');
    expect((await kubectl(['logs', 'web', '-c', 'side', '--timestamps'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z side car\n$/);

    const follow = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'logs', '-f', 'web', '-c', 'side'], { env: { ...process.env, HOME: dir } });
    let out = '';
    follow.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => follow.once('exit', r));
    await waitFor(() => out === 'side car\n');
    h.runtime.writeLog(side, 'stdout', 'later\n');
    await waitFor(() => out === 'side car\nlater\n');
    await h.runtime.stopContainer(side, 0);
    expect(await exited).toBe(0);
  });

  it('kubectl exec propagates the exit code and separates stdout from stderr', async () => {
    const pod = await createPod(h, 'shell', ['app'], { statuses: [running('app')] });
    await startInstance(h, pod, 'app', 0);
    h.runtime.scriptExec(['sh', '-c', 'echo out; echo err >&2; exit 3'], { stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    const r = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: 'out\n' });
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
  });

  it('kubectl exec -i pipes stdin through (v5 closes stdin at EOF)', async () => {
    // The fake's interactive exec behaves like `cat`: it echoes stdin and ends with it.
    const r = await kubectl(['exec', '-i', 'shell', '--', 'cat'], { stdin: 'piped input\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'piped input\n' });
  });

  it.skipIf(!existsSync(KUBECTL_129))('kubectl 1.29 execs over SPDY (v4.channel.k8s.io): exit code, stderr, stdin', async () => {
    const r = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], { binary: KUBECTL_129 });
    expect(r).toMatchObject({ code: 3, stdout: 'out\n' });
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
    expect(await kubectl(['exec', '-i', 'shell', '--', 'cat'], { binary: KUBECTL_129, stdin: 'over spdy\n' })).toMatchObject({ code: 0, stdout: 'over spdy\n' });
  });

  it('kubectl port-forward reaches the container port through the published sandbox port', async () => {
    const pod = await createPod(h, 'server', ['app'], { statuses: [running('app')] });
    await h.client.pods<Pod>().updateStatus('default', { ...(await h.client.pods<Pod>().get('default', 'server')), status: { phase: 'Running', containerStatuses: [running('app')] } });
    await startSandbox(h, pod, [{ containerPort: 80, hostPort: echoPort }]);
    await startInstance(h, pod, 'app', 0);
    for (const binary of [KUBECTL, ...(existsSync(KUBECTL_129) ? [KUBECTL_129] : [])]) {
      const pf = spawn(binary, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'port-forward', 'pod/server', ':80'], { env: { ...process.env, HOME: dir } });
      let out = '';
      let err = '';
      pf.stdout.on('data', (d) => (out += d));
      pf.stderr.on('data', (d) => (err += d));
      try {
        await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.test(out), () => `${binary}: ${out}${err}`);
        const local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
        expect(await roundTrip(local, 'ping')).toBe('echo:ping');
        expect(await roundTrip(local, 'again')).toBe('echo:again');
        expect(err).not.toContain('error');
      } finally {
        pf.kill('SIGTERM');
      }
    }
  });

  it('kubectl port-forward to a port the pod does not publish reports why', async () => {
    const pod = await createPod(h, 'closed', ['app'], { statuses: [running('app')] });
    await startSandbox(h, pod, [{ containerPort: 80, hostPort: echoPort }]);
    await startInstance(h, pod, 'app', 0);
    const pf = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'port-forward', 'pod/closed', ':81'], { env: { ...process.env, HOME: dir } });
    let out = '';
    let err = '';
    pf.stdout.on('data', (d) => (out += d));
    pf.stderr.on('data', (d) => (err += d));
    try {
      await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 81/.test(out));
      const local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
      await roundTrip(local, 'x', 1000).catch(() => undefined);
      await waitFor(() => err.includes('port 81 is not published'), () => err);
      expect(err).toContain('an error occurred forwarding');
      expect(err).toContain('(published: 80); declare it as a containerPort of a container in pod closed');
    } finally {
      pf.kill('SIGTERM');
    }
  });
});

async function waitFor(condition: () => boolean, describe: () => string = () => '', timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function roundTrip(port: number, message: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(message));
    socket.once('data', (d) => {
      resolve(d.toString());
      socket.end();
    });
    socket.once('error', reject);
    setTimeout(() => reject(new Error('no answer through the port-forward')), timeoutMs);
  });
}

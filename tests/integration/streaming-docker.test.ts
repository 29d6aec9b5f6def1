// logs, exec and port-forward against real containers: `bosun serve --runtime docker` driven by kubectl
// 1.32 (WebSocket) and 1.29 (SPDY).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';
const KUBECTL_129 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.29';

// `web` serves a page on a declared containerPort (published by the sandbox for port-forward);
// `crash` prints a per-instance marker and exits after a moment, so it restarts and has a previous instance.
const POD = `
apiVersion: v1
kind: Pod
metadata: {name: talk}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${BUSYBOX}
    command: [sh, -c, "echo page-from-web > /tmp/index.html; echo web started; exec httpd -f -p 8080 -h /tmp"]
    ports: [{containerPort: 8080}]
  - name: crash
    image: ${BUSYBOX}
    command: [sh, -c, "echo run-$(cat /proc/sys/kernel/random/uuid); echo one; echo two; sleep 4; exit 1"]
`;

let serve: ServeHandle;

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

const kubectlArgs = (args: string[]): string[] => ['--kubeconfig', serve.kubeconfig, '--cache-dir', join(serve.dataDir, 'kubectl-cache'), ...args];

describe('pod streaming on the Docker engine (kubectl logs/exec/port-forward)', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'docker', args: ['--nodes', '1', '--pause-image', PAUSE], env: { BOSUN_BACKOFF_BASE_MS: '1000' }, timeoutMs: 60_000 });
    await kubectlOk(serve, ['apply', '-f', '-'], POD);
    await until('web running', async () => {
      const pod = JSON.parse(await kubectlOk(serve, ['get', 'pod', 'talk', '-o', 'json']));
      return pod.status?.containerStatuses?.find((s: { name: string }) => s.name === 'web')?.state?.running !== undefined;
    });
  }, 120_000);
  afterAll(async () => {
    if (serve) {
      await kubectl(serve, ['delete', 'pod', 'talk', '--grace-period=0', '--force', '--wait=false']);
      await serve.stop();
      serve.cleanup();
    }
  });

  it('kubectl logs -c, --tail, --timestamps, --since, --since-time; a missing container name is explained', async () => {
    expect(await until('web logs', async () => (await kubectlOk(serve, ['logs', 'talk', '-c', 'web'])) || undefined)).toBe('web started\n');
    const tail = await until('crash logs', async () => (await kubectlOk(serve, ['logs', 'talk', '-c', 'crash', '--tail', '2'])) || undefined);
    expect(tail).toBe('one\ntwo\n');
    const stamped = await kubectlOk(serve, ['logs', 'talk', '-c', 'web', '--timestamps']);
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z web started\n$/);
    expect(await kubectlOk(serve, ['logs', 'talk', '-c', 'web', '--since', '1h'])).toBe('web started\n');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await kubectlOk(serve, ['logs', 'talk', '-c', 'web', `--since-time=${future}`])).toBe('');
    const raw = await fetch(`${serve.url}/api/v1/namespaces/default/pods/talk/log`, { headers: { authorization: `Bearer ${serve.token}` } });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { message: string }).message).toBe('a container name must be specified for pod talk, choose one of: [web crash]');
  });

  it('kubectl logs -f follows until the container exits, and -p shows the instance before', async () => {
    const follow = spawn(KUBECTL, kubectlArgs(['logs', '-f', 'talk', '-c', 'crash']));
    let out = '';
    follow.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => follow.once('exit', r));
    expect(code).toBe(0);
    expect(out).toMatch(/^run-[0-9a-f-]+\none\ntwo\n$/);
    const followedRun = out.split('\n')[0];
    // After the restart, -p shows an earlier instance's marker and the current one another.
    const pod = await until('crash restarted and running', async () => {
      const p = JSON.parse(await kubectlOk(serve, ['get', 'pod', 'talk', '-o', 'json']));
      const s = p.status?.containerStatuses?.find((c: { name: string }) => c.name === 'crash');
      return s?.restartCount >= 1 && s.state?.running ? p : undefined;
    });
    expect(pod).toBeTruthy();
    const previous = await kubectlOk(serve, ['logs', 'talk', '-c', 'crash', '-p']);
    const current = await until('current crash logs', async () => (await kubectlOk(serve, ['logs', 'talk', '-c', 'crash'])) || undefined);
    expect(previous).toMatch(/^run-[0-9a-f-]+\none\ntwo\n$/);
    expect(current.split('\n')[0]).not.toBe(previous.split('\n')[0]);
    expect([previous.split('\n')[0], current.split('\n')[0]]).toContain(followedRun);
  });

  it('kubectl exec: exit code, stdout/stderr, stdin', async () => {
    const r = await kubectl(serve, ['exec', 'talk', '-c', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err');
    expect(r.stderr).toContain('command terminated with exit code 3');
    expect(await kubectlOk(serve, ['exec', '-i', 'talk', '-c', 'web', '--', 'sh', '-c', 'tr a-z A-Z'], 'piped through\n')).toBe('PIPED THROUGH\n');
    expect(await kubectlOk(serve, ['exec', 'talk', '-c', 'web', '--', 'cat', '/tmp/index.html'])).toBe('page-from-web\n');
  });

  it.skipIf(!existsSync('/usr/bin/script'))('kubectl exec -it runs a shell on a terminal', async () => {
    // script(1) gives kubectl a pseudo-terminal, so it asks for a TTY as it does for a person.
    const command = [KUBECTL, ...kubectlArgs(['exec', '-it', 'talk', '-c', 'web', '--', 'sh'])].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null']);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await until('a prompt', async () => out.length > 0, 20_000);
    child.stdin.write('test -t 0 && echo "tty-$((6*7))"; exit 5\n');
    expect(await exited).toBe(5);
    expect(out).toContain('tty-42');
  });

  it.skipIf(!existsSync(KUBECTL_129))('kubectl 1.29 (SPDY, v4.channel.k8s.io): exit code and stdin', async () => {
    const run = (args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(KUBECTL_129, kubectlArgs(args));
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.stdin.end(stdin ?? '');
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const r = await run(['exec', 'talk', '-c', 'web', '--', 'sh', '-c', 'echo out; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: 'out\n' });
    expect(await run(['exec', '-i', 'talk', '-c', 'web', '--', 'cat'], 'old client\n')).toMatchObject({ code: 0, stdout: 'old client\n' });
  });

  it('kubectl attach -i talks to the container\'s own stdin and stdout', async () => {
    // stdinOnce, as `kubectl run -i` sets it: the end of the client's input closes the container's stdin,
    // so the loop drains every line and exits, and its output is never cut short.
    const echo = `
apiVersion: v1
kind: Pod
metadata: {name: echo}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: echo
    image: ${BUSYBOX}
    stdin: true
    stdinOnce: true
    command: [sh, -c, "while read line; do echo got:$line; done; echo bye"]
`;
    await kubectlOk(serve, ['apply', '-f', '-'], echo);
    await kubectlOk(serve, ['wait', '--for=condition=Ready', 'pod/echo', '--timeout=60s']);
    const r = await kubectl(serve, ['attach', '-i', 'echo', '-c', 'echo'], 'hello\nworld\n');
    expect(r.stdout).toBe('got:hello\ngot:world\nbye\n');
    expect(r.code).toBe(0);
    const pod = await until('echo completed', async () => {
      const p = JSON.parse(await kubectlOk(serve, ['get', 'pod', 'echo', '-o', 'json']));
      return p.status.phase === 'Succeeded' && p;
    });
    expect(pod.status.containerStatuses[0].state.terminated.reason).toBe('Completed');
    await kubectl(serve, ['delete', 'pod', 'echo', '--grace-period=0', '--force', '--wait=false']);
  });

  it('kubectl port-forward reaches the container port', async () => {
    const pf = spawn(KUBECTL, kubectlArgs(['port-forward', 'pod/talk', ':8080']));
    let out = '';
    pf.stdout.on('data', (d) => (out += d));
    pf.stderr.on('data', (d) => (out += d));
    try {
      const local = await until(`port-forward ready (${out})`, async () => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1], 30_000);
      const page = await fetch(`http://127.0.0.1:${local}/index.html`);
      expect(await page.text()).toBe('page-from-web\n');
      const again = await fetch(`http://127.0.0.1:${local}/index.html`);
      expect(again.status).toBe(200);
    } finally {
      pf.kill('SIGTERM');
    }
  });
});

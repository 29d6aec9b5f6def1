// The desktop app must start without Docker: the API and dashboard serve, the lab status says why no
// nodes exist, and once the engine answers (here: a socket appearing at the configured path that relays
// to the real engine) the nodes register by themselves.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectlOk, startServe, type ServeHandle } from '../support/serve';

const ENGINE_SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';

describe('bosun serve --runtime docker with the engine not reachable', () => {
  const socketDir = mkdtempSync(join(tmpdir(), 'bosun-sock-'));
  const socketPath = join(socketDir, 'docker.sock');
  let serve: ServeHandle | undefined;
  let relay: Server | undefined;

  afterAll(async () => {
    await serve?.stop();
    serve?.cleanup();
    await new Promise<void>((r) => (relay ? relay.close(() => r()) : r()));
    rmSync(socketDir, { recursive: true, force: true });
  });

  it('serves the API, reports the engine unreachable, then registers nodes when it answers', async () => {
    serve = await startServe({ runtime: 'docker', args: ['--nodes', '1'], env: { DOCKER_HOST: `unix://${socketPath}` } });
    // The API answers and the status is visible to kubectl.
    const status = JSON.parse(await kubectlOk(serve, ['-n', 'kube-system', 'get', 'configmap', 'bosun-lab-status', '-o', 'json']));
    expect(status.data).toMatchObject({ runtime: 'docker', runtimeEndpoint: `unix://${socketPath}`, runtimeReachable: 'false' });
    expect(status.data.help).toBe(
      `Docker engine not reachable at ${socketPath}: start Docker Desktop / sudo systemctl start docker. The lab keeps trying; nodes register as soon as the engine answers.`,
    );
    expect(serve.output.join('\n')).toContain(`Docker engine not reachable at ${socketPath}`);
    expect(await kubectlOk(serve, ['get', 'nodes', '-o', 'name'])).toBe('');
    // Other objects can be created meanwhile (the control plane works).
    await kubectlOk(serve, ['create', 'namespace', 'waiting']);

    // "Docker Desktop starts": the configured socket appears.
    relay = createServer((client) => {
      const engine = connect(ENGINE_SOCKET);
      client.pipe(engine).pipe(client);
      const end = (): void => {
        client.destroy();
        engine.destroy();
      };
      client.on('error', end);
      engine.on('error', end);
    });
    await new Promise<void>((r) => relay!.listen(socketPath, r));

    const deadline = Date.now() + 45_000;
    let nodes = '';
    while (Date.now() < deadline) {
      nodes = await kubectlOk(serve, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      if (nodes.includes('node-1=True')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(nodes.trim()).toBe('node-1=True');
    const after = JSON.parse(await kubectlOk(serve, ['-n', 'kube-system', 'get', 'configmap', 'bosun-lab-status', '-o', 'json']));
    expect(after.data.runtimeReachable).toBe('true');
    expect(after.data.help).toBeUndefined();
  });
});

// Real kubectl binaries against the HTTP layer with a recording stub handler: discovery (aggregated),
// version, OpenAPI-driven server-side field validation and client-side apply's patch computation.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptWebSocket, type ApiHttpServer, startApiHttpServer } from '../../main/apiserver/http/server';
import { StubHandler, testResources, TOKEN } from '../unit/apiserver/http/helpers';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const SDK = '/usr/lib/google-cloud-sdk/bin';
// 1.27 and 1.28 learn about server-side field validation from the protobuf OpenAPI v2 document.
const OTHER_VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.33'].map((v) => `${SDK}/kubectl.${v}`).filter((p) => existsSync(p));

describe.skipIf(!existsSync(KUBECTL))('real kubectl against the HTTP layer', () => {
  let server: ApiHttpServer;
  let handler: StubHandler;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    handler = new StubHandler();
    server = await startApiHttpServer({ handler, resources: testResources, token: TOKEN, port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'bosun-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig');
    // kubectl sends bearer tokens only over https: the kubeconfig names the https URL and trusts the
    // server's self-signed certificate.
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'bosun', cluster: { server: server.httpsUrl, 'certificate-authority-data': Buffer.from(server.caCertificate!).toString('base64') } }],
        users: [{ name: 'admin', user: { token: TOKEN } }],
        contexts: [{ name: 'bosun', context: { cluster: 'bosun', user: 'admin', namespace: 'default' } }],
        'current-context': 'bosun',
      }),
    );
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = async (args: string[], binary = KUBECTL, cache = 'cache') => {
    const { stdout, stderr } = await run(binary, ['--cache-dir', join(dir, cache), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir }, timeout: 30_000 });
    return { stdout, stderr };
  };

  it('kubectl version shows the server version', async () => {
    const { stdout } = await kubectl(['version', '-o', 'json']);
    expect(JSON.parse(stdout).serverVersion).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0-bosun' });
  });

  it('kubectl api-resources lists every served resource from aggregated discovery', async () => {
    const { stdout, stderr } = await kubectl(['api-resources', '--no-headers']);
    expect(stderr).toBe('');
    const rows = stdout.trim().split('\n').map((l) => l.split(/\s+/));
    expect(rows).toContainEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(rows).toContainEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    expect(rows).toContainEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    expect(rows).toContainEqual(['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler']);
  });

  it('kubectl apply uses server-side field validation and a strategic merge patch', async () => {
    const manifest = join(dir, 'cm.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: "1"\n');
    expect((await kubectl(['apply', '-f', manifest])).stdout.trim()).toBe('configmap/demo created');
    const create = handler.requests.find((r) => r.verb === 'create')!;
    expect(create).toMatchObject({ resource: 'configmaps', namespace: 'default', query: { fieldValidation: 'Strict', fieldManager: 'kubectl-client-side-apply' } });

    writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: "2"\n');
    const { stdout, stderr } = await kubectl(['apply', '-f', manifest]);
    expect(stdout.trim()).toBe('configmap/demo configured');
    expect(stderr).toBe('');
    const patch = handler.requests.find((r) => r.verb === 'patch')!;
    expect(patch).toMatchObject({ name: 'demo', patchType: 'application/strategic-merge-patch+json', query: { fieldValidation: 'Strict' } });
    expect((patch.body as { data: unknown }).data).toEqual({ a: '2' });

    const got = JSON.parse((await kubectl(['get', 'configmap', 'demo', '-o', 'json'])).stdout);
    expect(got.data).toEqual({ a: '2' });
    expect((await kubectl(['delete', 'configmap', 'demo'])).stdout.trim()).toBe('configmap "demo" deleted');
  });

  it('reports API errors as kubectl prints them', async () => {
    await expect(kubectl(['get', 'configmap', 'nope', '-o', 'json'])).rejects.toMatchObject({ stderr: expect.stringContaining('Error from server (NotFound): configmaps "nope" not found') });
  });

  it.each(OTHER_VERSIONS)('%s discovers resources and applies with default validation', async (binary) => {
    const name = `demo-${binary.split('.').slice(-2).join('-')}`;
    const manifest = join(dir, `${name}.yaml`);
    writeFileSync(manifest, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`);
    const cache = `cache-${name}`;
    expect((await kubectl(['api-resources', '--no-headers'], binary, cache)).stdout).toContain('deployments');
    expect((await kubectl(['apply', '-f', manifest], binary, cache)).stdout.trim()).toBe(`configmap/${name} created`);
  });

  it('kubectl exec reaches a registered exec handler over WebSocket (v5.channel.k8s.io)', async () => {
    handler.objects.set('/pods/default/web', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
      status: { phase: 'Running' },
    });
    const seen: unknown[] = [];
    server.registerConnect('', 'pods', 'exec', async (req, _res, info) => {
      seen.push(info.request.query);
      const { socket, protocol } = await acceptWebSocket(req, info.upgrade!);
      seen.push(protocol);
      // client-go discards frames that arrive before it has set up its stream readers.
      await new Promise((r) => setTimeout(r, 200));
      socket.send(Buffer.concat([Buffer.from([1]), Buffer.from('hello from exec\n')]));
      // Channel 3 carries the final Status; Success means exit code 0.
      socket.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }))]));
      socket.close(1000);
    });
    const { stdout } = await kubectl(['exec', 'web', '-c', 'app', '--', 'echo', 'hi']);
    expect(stdout).toBe('hello from exec\n');
    expect(seen[0]).toMatchObject({ container: 'app', command: 'hi', stdout: 'true' });
    expect(seen[1]).toBe('v5.channel.k8s.io');
  });

  it('kubectl logs -f streams from a registered log handler', async () => {
    server.registerConnect('', 'pods', 'log', (_req, res, info) => {
      expect(info.request.query).toMatchObject({ follow: 'true', container: 'app' });
      res!.writeHead(200, { 'Content-Type': 'text/plain' });
      res!.write('first line\n');
      setTimeout(() => res!.end('second line\n'), 100);
    });
    const { stdout } = await kubectl(['logs', '-f', 'web', '-c', 'app']);
    expect(stdout).toBe('first line\nsecond line\n');
  });

  it('refuses kubectl with a wrong token', async () => {
    const args = ['get', 'pods', '--server', server.httpsUrl!, '--insecure-skip-tls-verify', '--token', 'wrong', '--cache-dir', join(dir, 'anon')];
    await expect(run(KUBECTL, args, { env: { ...process.env, KUBECONFIG: '/dev/null', HOME: dir }, timeout: 30_000 })).rejects.toMatchObject({
      stderr: expect.stringContaining('You must be logged in to the server'),
    });
  });
});

// Real kubectl binaries against the HTTP layer with a recording stub handler: discovery (aggregated),
// version, OpenAPI-driven server-side field validation and client-side apply's patch computation.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHttpServer, startApiHttpServer } from '../../main/apiserver/http/server';
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
    const { stdout, stderr } = await run(binary, [...args, '--cache-dir', join(dir, cache)], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir }, timeout: 30_000 });
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

  it('refuses kubectl with a wrong token', async () => {
    const args = ['get', 'pods', '--server', server.httpsUrl!, '--insecure-skip-tls-verify', '--token', 'wrong', '--cache-dir', join(dir, 'anon')];
    await expect(run(KUBECTL, args, { env: { ...process.env, KUBECONFIG: '/dev/null', HOME: dir }, timeout: 30_000 })).rejects.toMatchObject({
      stderr: expect.stringContaining('You must be logged in to the server'),
    });
  });
});

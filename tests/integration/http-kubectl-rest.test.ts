// The HTTP layer over the real RestHandler and MemoryStore: what a person sees from kubectl (tables,
// apply, scale, watch, delete) and what @kubernetes/client-node does (typed calls, watch streaming).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHttpServer, startApiHttpServer } from '../../main/apiserver/http/server';
import { configmaps } from '../../main/apiserver/registry/configmaps';
import { deployments } from '../../main/apiserver/registry/deployments';
import { pods } from '../../main/apiserver/registry/pods';
import { services } from '../../main/apiserver/registry/services';
import { RestHandler } from '../../main/apiserver/rest';
import { MemoryStore } from '../../main/store';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const TOKEN = 'rest-token-abcdef';
const resources = [configmaps, pods, services, deployments];

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: dev
`;

describe('HTTP layer over RestHandler + MemoryStore', () => {
  let server: ApiHttpServer;
  let dir: string;

  beforeAll(async () => {
    const handler = new RestHandler({ store: new MemoryStore(), resources });
    server = await startApiHttpServer({ handler, resources, token: TOKEN, port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'bosun-kubectl-rest-'));
    writeFileSync(join(dir, 'ca.pem'), server.caCertificate!);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = async (...args: string[]) => {
    const base = ['--server', server.httpsUrl!, '--certificate-authority', join(dir, 'ca.pem'), '--token', TOKEN, '--cache-dir', join(dir, 'cache'), '-n', 'default'];
    const { stdout } = await run(KUBECTL, [...base, ...args], { env: { ...process.env, KUBECONFIG: '/dev/null', HOME: dir }, timeout: 30_000 });
    return stdout;
  };

  describe.skipIf(!existsSync(KUBECTL))('kubectl', () => {
    it('applies, lists as tables, scales, watches and deletes', async () => {
      const file = join(dir, 'web.yaml');
      writeFileSync(file, MANIFEST);
      expect(await kubectl('apply', '-f', file)).toBe('deployment.apps/web created\nconfigmap/settings created\n');
      writeFileSync(file, MANIFEST.replace('replicas: 2', 'replicas: 3'));
      expect(await kubectl('apply', '-f', file)).toBe('deployment.apps/web configured\nconfigmap/settings unchanged\n');

      const table = await kubectl('get', 'deployments');
      expect(table.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      expect(table).toMatch(/^web\s+0\/3\s+0\s+0\s+\d+s$/m);

      expect(await kubectl('scale', 'deployment', 'web', '--replicas=5')).toBe('deployment.apps/web scaled\n');
      expect(await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}')).toBe('5');

      // The watch streams the current state and ends when the server closes it at timeoutSeconds.
      const watched = await kubectl('get', 'configmaps', '--watch', '--request-timeout=2s');
      expect(watched).toMatch(/^settings\s+1\s+\d+s$/m);

      expect(await kubectl('delete', '-f', file)).toBe('deployment.apps "web" deleted\nconfigmap "settings" deleted\n');
      await expect(kubectl('get', 'deployment', 'web')).rejects.toMatchObject({ stderr: expect.stringContaining('deployments.apps "web" not found') });
    });
  });

  it('serves @kubernetes/client-node: typed calls and watch', async () => {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      // client-node, like kubectl, refuses plain http with credentials: https + the server's certificate.
      clusters: [{ name: 'bosun', server: server.httpsUrl!, caData: Buffer.from(server.caCertificate!).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'admin', token: TOKEN }],
      contexts: [{ name: 'bosun', cluster: 'bosun', user: 'admin' }],
      currentContext: 'bosun',
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client-node' }, data: { k: 'v' } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(list.items.map((c) => c.metadata?.name)).toContain('from-client-node');
    await expect(core.readNamespacedConfigMap({ namespace: 'default', name: 'missing' })).rejects.toMatchObject({ code: 404 });

    const events: string[] = [];
    let sawBoth!: () => void;
    const done = new Promise<void>((resolve) => (sawBoth = resolve));
    const watch = new k8s.Watch(kc);
    const onEvent = (type: string, obj: { metadata: { name: string } }) => {
      events.push(`${type} ${obj.metadata.name}`);
      if (events.length === 2) sawBoth();
    };
    const controller = await watch.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion }, onEvent, () => undefined);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'second' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'from-client-node' });
    await done;
    controller.abort();
    expect(events).toEqual(['ADDED second', 'DELETED from-client-node']);
  });
});

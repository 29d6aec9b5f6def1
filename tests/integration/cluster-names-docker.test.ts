// In-cluster names on the Docker engine: from inside a pod, `web`, `web.team` and
// `web.team.svc.cluster.local` reach a ready endpoint of the Service, follow readiness, and a
// StatefulSet pod answers to `web-0.nginx` (kubelet-managed /etc/hosts; docs/SERVICES.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';
import { until } from '../support/until';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';
let serve: ServeHandle;


const HTTPD = (port: number): string => `mkdir -p /www && hostname > /www/index.html && touch /tmp/ready && exec httpd -f -p ${port} -h /www`;

const MANIFEST = `
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: team}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: ${BUSYBOX}
        command: [sh, -c, "${HTTPD(80)}"]
        readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Service
metadata: {name: nginx, namespace: team}
spec:
  clusterIP: None
  selector: {app: sts}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: team}
spec:
  serviceName: nginx
  replicas: 2
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: sts}}
  template:
    metadata: {labels: {app: sts}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: ${BUSYBOX}
        command: [sh, -c, "${HTTPD(80)}"]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: team}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: ${BUSYBOX}
    command: [sleep, "3600"]
`;

// busybox-static's `wget -T` crashes, hence `timeout`.
const fetchIn = (url: string): Promise<string> => kubectlOk(serve, ['-n', 'team', 'exec', 'client', '--', 'timeout', '5', 'wget', '-q', '-O', '-', url]).then((s) => s.trim());

describe('in-cluster Service names on the Docker engine', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'docker', args: ['--nodes', '2', '--pause-image', PAUSE], timeoutMs: 60_000 });
    await kubectlOk(serve, ['apply', '-f', '-'], MANIFEST);
    await kubectlOk(serve, ['-n', 'team', 'wait', '--for=condition=Ready', 'pod', '--all', '--timeout=120s']);
  }, 180_000);
  afterAll(async () => {
    if (!serve) return;
    await kubectl(serve, ['delete', 'namespace', 'team', '--wait=true', '--timeout=60s']);
    await serve.stop();
    serve.cleanup();
  }, 120_000);

  it('resolves svc, svc.ns and the FQDN to a ready endpoint, and follows readiness', async () => {
    const pods = JSON.parse(await kubectlOk(serve, ['-n', 'team', 'get', 'pods', '-l', 'app=web', '-o', 'json'])).items.map((p: any) => p.metadata.name).sort();
    expect(pods).toHaveLength(2);
    for (const url of ['http://web/', 'http://web.team/', 'http://web.team.svc.cluster.local/']) {
      expect(pods).toContain(await until(`${url} answers`, () => fetchIn(url)));
    }
    const hosts = await kubectlOk(serve, ['-n', 'team', 'exec', 'client', '--', 'cat', '/etc/hosts']);
    expect(hosts).toContain('# Kubernetes-managed hosts file');
    expect(hosts).toMatch(/\tclient\n/);

    // Whichever pod the client's name points at fails readiness: the name moves to the other one.
    const first = await fetchIn('http://web/');
    const other = pods.find((p: string) => p !== first);
    await kubectlOk(serve, ['-n', 'team', 'exec', first, '--', 'rm', '/tmp/ready']);
    expect(await until('the name to follow readiness', async () => ((await fetchIn('http://web/')) === other ? other : undefined))).toBe(other);
  });

  it('gives StatefulSet pods their per-pod names under the headless Service', async () => {
    expect(await until('web-0.nginx', () => fetchIn('http://web-0.nginx/'))).toBe('web-0');
    expect(await until('web-1 FQDN', () => fetchIn('http://web-1.nginx.team.svc.cluster.local/'))).toBe('web-1');
    const self = await kubectlOk(serve, ['-n', 'team', 'exec', 'web-0', '--', 'cat', '/etc/hosts']);
    expect(self).toMatch(/\tweb-0\.nginx\.team\.svc\.cluster\.local\tweb-0\n/);
  });
});

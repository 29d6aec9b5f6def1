// Services on the Docker engine: `bosun serve --runtime docker` driven by kubectl 1.32. A 3-replica
// busybox httpd Deployment behind a NodePort Service is reached from the host on 127.0.0.1:<nodePort>
// and every pod serves; a pod failing readiness leaves the rotation within a probe period and comes back.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';

let serve: ServeHandle;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await fn().catch((e: unknown) => (e as Error).message);
    if (last && typeof last !== 'string') return last as T;
    if (last && typeof last === 'string' && !/error|not found/i.test(last)) return last as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One GET on a fresh connection (no keep-alive, so each request is balanced anew), like `curl`. */
function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function served(port: number, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const who = await get(port).catch((e: Error) => `error: ${e.message}`);
    counts[who] = (counts[who] ?? 0) + 1;
  }
  return counts;
}

const MANIFEST = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: ${BUSYBOX}
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        command: [sh, -c, "mkdir -p /www && echo $POD_NAME > /www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /www"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          exec: {command: [cat, /tmp/ready]}
          periodSeconds: 1
          failureThreshold: 1
          successThreshold: 1
`;

const json = async (args: string[]): Promise<any> => JSON.parse(await kubectlOk(serve, [...args, '-o', 'json']));

describe('Services on the Docker engine (NodePort on 127.0.0.1, readiness)', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'docker', args: ['--nodes', '2', '--pause-image', PAUSE], timeoutMs: 60_000 });
  }, 90_000);
  afterAll(async () => {
    if (serve) {
      await kubectl(serve, ['delete', 'deployment', 'web', '--wait=false']);
      await serve.stop();
      serve.cleanup();
    }
  }, 90_000);

  it('has the kubernetes Service at 10.96.0.1 with Endpoints naming the API port', async () => {
    const svc = await json(['get', 'service', 'kubernetes']);
    expect(svc.spec.clusterIP).toBe('10.96.0.1');
    expect(svc.spec.ports[0]).toMatchObject({ name: 'https', port: 443, targetPort: serve.port });
    const ep = await json(['get', 'endpoints', 'kubernetes']);
    expect(ep.subsets[0].ports[0].port).toBe(serve.port);
  });

  it('serves a 3-replica Deployment on 127.0.0.1:<nodePort> from every pod, following readiness', async () => {
    await kubectlOk(serve, ['apply', '-f', '-'], MANIFEST);
    const svc = await json(['get', 'service', 'web']);
    const nodePort: number = svc.spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);

    const pods: string[] = await until(
      'three ready endpoints',
      async () => {
        const ep = await json(['get', 'endpoints', 'web']);
        const ready = (ep.subsets ?? []).flatMap((s: any) => s.addresses ?? []);
        return ready.length === 3 ? ready.map((a: any) => a.targetRef.name).sort() : undefined;
      },
      90_000,
    );
    const slices = await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
    expect(slices.items[0].endpoints.filter((e: any) => e.conditions.ready)).toHaveLength(3);
    expect(slices.items[0].ports[0]).toMatchObject({ name: 'http', port: 8080 });

    const counts = await served(nodePort, 30);
    expect(Object.keys(counts).sort()).toEqual(pods);
    for (const p of pods) expect(counts[p]).toBeGreaterThanOrEqual(5);

    // Service links: the pods started after the Service, so they see its variables.
    const env = await kubectlOk(serve, ['exec', pods[0], '--', 'env']);
    expect(env).toContain(`WEB_SERVICE_HOST=${svc.spec.clusterIP}`);
    expect(env).toContain('WEB_SERVICE_PORT_HTTP=80');

    // pods[0] fails its readiness probe: out of the Endpoints within about a probe period.
    const victim = pods[0];
    await kubectlOk(serve, ['exec', victim, '--', 'rm', '/tmp/ready']);
    const t0 = Date.now();
    await until(
      'victim not ready in endpoints',
      async () => {
        const ep = await json(['get', 'endpoints', 'web']);
        const notReady = (ep.subsets ?? []).flatMap((s: any) => s.notReadyAddresses ?? []);
        return notReady.some((a: any) => a.targetRef.name === victim) || undefined;
      },
      15_000,
    );
    // One probe period (1 s) plus status and watch propagation.
    expect(Date.now() - t0).toBeLessThan(5000);
    const without = await served(nodePort, 20);
    expect(without[victim]).toBeUndefined();
    expect(Object.keys(without).sort()).toEqual(pods.slice(1));

    await kubectlOk(serve, ['exec', victim, '--', 'touch', '/tmp/ready']);
    await until(
      'victim ready again',
      async () => {
        const ep = await json(['get', 'endpoints', 'web']);
        return (ep.subsets ?? []).flatMap((s: any) => s.addresses ?? []).length === 3 || undefined;
      },
      15_000,
    );
    const back = await served(nodePort, 30);
    expect(Object.keys(back).sort()).toEqual(pods);

    // Deleting the Service closes the node port.
    await kubectlOk(serve, ['delete', 'service', 'web']);
    await until('node port closed', async () => (await get(nodePort).then(() => false, () => true)) || undefined, 15_000);
  }, 240_000);
});

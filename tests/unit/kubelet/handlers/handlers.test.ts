// HandlerRunner against real sockets on 127.0.0.1 (a tiny HTTP, TCP and HTTP/2 gRPC server) and a
// minimal runtime stand-in that publishes their ports as if a pod sandbox did.
import { createServer, type Server } from 'node:http';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Pod } from '../../../../shared/api/pod';
import { FakeClock } from '../../../../main/client/clock';
import { createHandlerRunner, PROBE_USER_AGENT } from '../../../../main/kubelet/handlers';
import type { ContainerInfo, ContainerRuntime, ExecResult, PublishedPort, SimulatedProbe } from '../../../../main/runtime/runtime';

let http: Server;
let tcp: NetServer;
let proxyLike: NetServer;
let proxyPort = 0;
let grpc: Http2Server;
let httpPort = 0;
let tcpPort = 0;
let grpcPort = 0;
let closedPort = 0;
let health = 200;
let grpcServing = 1;
const seen: Record<string, string | string[] | undefined>[] = [];

const listen = (s: Server | NetServer | Http2Server): Promise<number> =>
  new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

beforeAll(async () => {
  http = createServer((req, res) => {
    seen.push({ ...req.headers, url: req.url });
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    if (req.url === '/redirect') return void res.writeHead(302, { location: '/elsewhere' }).end();
    res.writeHead(req.url === '/healthz' ? health : 404).end(`status ${health} body`);
  });
  tcp = createNetServer((s) => s.on('error', () => undefined)); // holds the connection open like a real server
  // Docker's userland proxy when nothing listens in the container: accept, then close at once.
  proxyLike = createNetServer((s) => s.destroy());
  grpc = createH2Server();
  grpc.on('stream', (stream, headers) => {
    seen.push({ ...headers });
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.on('data', () => undefined);
    stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, grpcServing]));
  });
  [httpPort, tcpPort, grpcPort, proxyPort] = await Promise.all([listen(http), listen(tcp), listen(grpc), listen(proxyLike)]);
  const spare = createNetServer();
  closedPort = await listen(spare);
  await new Promise((r) => spare.close(r));
});
afterAll(async () => {
  tcp.unref();
  await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => grpc.close(r)), new Promise((r) => proxyLike.close(r))]);
});

const container: Container = { name: 'web', ports: [{ name: 'http', containerPort: 8080 }, { name: 'grpc', containerPort: 9090 }] };
const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'uid-1' }, spec: { containers: [container] }, status: { podIP: '10.244.1.7' } };
const info = { id: 'c1' } as ContainerInfo;

function runtime(extra: Partial<ContainerRuntime> = {}): ContainerRuntime {
  const ports: PublishedPort[] = [
    { containerPort: 8080, protocol: 'TCP', hostIP: '127.0.0.1', hostPort: httpPort },
    { containerPort: 7000, protocol: 'TCP', hostIP: '127.0.0.1', hostPort: tcpPort },
    { containerPort: 7001, protocol: 'TCP', hostIP: '127.0.0.1', hostPort: closedPort },
    { containerPort: 9090, protocol: 'TCP', hostIP: '127.0.0.1', hostPort: grpcPort },
    { containerPort: 7002, protocol: 'TCP', hostIP: '127.0.0.1', hostPort: proxyPort },
  ];
  return {
    kind: 'docker',
    listContainers: async (labels: Record<string, string>) =>
      labels['bosun.pod.uid'] === 'uid-1' && labels['bosun.container.name'] === 'POD' ? [{ id: 'sb', state: 'running', ip: '10.244.1.8', ports } as ContainerInfo] : [],
    ...extra,
  } as unknown as ContainerRuntime;
}

describe('HandlerRunner', () => {
  it('httpGet: 2xx/3xx succeed, others fail with the status code; named ports, headers, user agent', async () => {
    const run = createHandlerRunner({ runtime: runtime() });
    health = 200;
    const ok = await run.run(pod, container, info, { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, 1000);
    expect(ok).toMatchObject({ ok: true, message: 'status 200 body' });
    expect(seen.at(-1)).toMatchObject({ 'user-agent': PROBE_USER_AGENT, 'x-probe': 'yes', url: '/healthz' });
    expect((await run.run(pod, container, info, { httpGet: { path: '/redirect', port: 8080 } }, 1000)).ok).toBe(true);
    health = 500;
    expect(await run.run(pod, container, info, { httpGet: { path: '/healthz', port: 8080 } }, 1000)).toMatchObject({
      ok: false,
      message: 'HTTP probe failed with statuscode: 500',
    });
    const ua = await run.run(pod, container, info, { httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'user-agent', value: 'mine' }] } }, 1000);
    expect(ua.ok).toBe(false);
    expect(seen.at(-1)?.['user-agent']).toBe('mine');
  });

  it('httpGet: refused connections and timeouts read like Kubernetes, naming the pod IP and container port', async () => {
    const run = createHandlerRunner({ runtime: runtime() });
    const refused = await run.run(pod, container, info, { httpGet: { path: '/healthz', port: 7001 } }, 1000);
    expect(refused).toMatchObject({ ok: false, message: 'Get "http://10.244.1.7:7001/healthz": dial tcp 10.244.1.7:7001: connect: connection refused' });
    const slow = await run.run(pod, container, info, { httpGet: { path: '/slow', port: 8080 } }, 200);
    expect(slow.message).toBe('Get "http://10.244.1.7:8080/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
    const unpublished = await run.run(pod, container, info, { httpGet: { path: '/', port: 1234 } }, 200);
    expect(unpublished.ok).toBe(false);
    expect(unpublished.message).toContain('port 1234 of pod default/p is not published');
    const badName = await run.run(pod, container, info, { httpGet: { path: '/', port: 'nope' } }, 200);
    expect(badName.message).toBe('couldn\'t find port: nope in container "web"');
  });

  it('tcpSocket: a connection the peer drops at once (Docker proxy, nothing listening) is refused', async () => {
    const run = createHandlerRunner({ runtime: runtime() });
    expect(await run.run(pod, container, info, { tcpSocket: { port: 7002 } }, 1000)).toMatchObject({
      ok: false,
      message: 'dial tcp 10.244.1.7:7002: connect: connection refused',
    });
    expect(await run.run(pod, container, info, { httpGet: { path: '/h', port: 7002 } }, 1000)).toMatchObject({
      ok: false,
      message: 'Get "http://10.244.1.7:7002/h": dial tcp 10.244.1.7:7002: connect: connection refused',
    });
  });

  it('messages name the sandbox IP while the pod status has none yet', async () => {
    const run = createHandlerRunner({ runtime: runtime() });
    const fresh: Pod = { ...pod, status: {} };
    expect((await run.run(fresh, container, info, { tcpSocket: { port: 7001 } }, 1000)).message).toBe('dial tcp 10.244.1.8:7001: connect: connection refused');
  });

  it('tcpSocket: connect succeeds, refused fails', async () => {
    const run = createHandlerRunner({ runtime: runtime() });
    expect((await run.run(pod, container, info, { tcpSocket: { port: 7000 } }, 1000)).ok).toBe(true);
    expect(await run.run(pod, container, info, { tcpSocket: { port: 7001 } }, 1000)).toMatchObject({
      ok: false,
      message: 'dial tcp 10.244.1.7:7001: connect: connection refused',
    });
  });

  it('grpc: grpc.health.v1 Check over HTTP/2', async () => {
    const run = createHandlerRunner({ runtime: runtime() });
    grpcServing = 1;
    expect((await run.run(pod, container, info, { grpc: { port: 9090, service: 'db' } }, 1000)).ok).toBe(true);
    expect(seen.at(-1)?.[':path']).toBe('/grpc.health.v1.Health/Check');
    grpcServing = 2;
    expect(await run.run(pod, container, info, { grpc: { port: 9090 } }, 1000)).toMatchObject({ ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
  });

  it('exec: exit code decides, output is the message, timeouts named', async () => {
    const calls: string[][] = [];
    const results: ExecResult[] = [
      { exitCode: 0, stdout: 'fine\n', stderr: '', timedOut: false },
      { exitCode: 1, stdout: '', stderr: 'cat: /tmp/healthy: No such file or directory\n', timedOut: false },
      { exitCode: -1, stdout: '', stderr: '', timedOut: true },
    ];
    const rt = runtime({ exec: async (_id: string, cmd: string[]) => (calls.push(cmd), results.shift()!) });
    const run = createHandlerRunner({ runtime: rt });
    const probe = { exec: { command: ['cat', '/tmp/healthy'] } };
    expect(await run.run(pod, container, info, probe, 1000)).toMatchObject({ ok: true, message: 'fine\n' });
    expect(await run.run(pod, container, info, probe, 1000)).toMatchObject({ ok: false, message: 'cat: /tmp/healthy: No such file or directory\n' });
    expect(await run.run(pod, container, info, probe, 1000)).toMatchObject({ ok: false, message: 'command "cat /tmp/healthy" timed out' });
    expect(calls).toEqual([probe.exec.command, probe.exec.command, probe.exec.command]);
  });

  it('simulated runtimes answer probes themselves, with named ports resolved', async () => {
    const asked: SimulatedProbe[] = [];
    const rt = runtime({ simulateProbe: async (_id: string, p: SimulatedProbe) => (asked.push(p), { ok: false, message: 'simulated failure' }) });
    const run = createHandlerRunner({ runtime: rt });
    expect(await run.run(pod, container, info, { httpGet: { path: '/h', port: 'http' } }, 1000)).toMatchObject({ ok: false, message: 'simulated failure' });
    expect(asked).toEqual([{ handler: 'httpGet', port: 8080, path: '/h', command: undefined }]);
  });

  it('sleep action waits on the clock', async () => {
    const clock = new FakeClock();
    const run = createHandlerRunner({ runtime: runtime(), clock });
    let done = false;
    const p = run.run(pod, container, info, { sleep: { seconds: 5 } }, 30_000).then((r) => ((done = true), r));
    await Promise.resolve();
    clock.step(4000);
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    clock.step(1000);
    expect((await p).ok).toBe(true);
  });
});

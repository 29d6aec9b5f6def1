// The service proxy against tiny TCP servers on 127.0.0.1 standing in for pods: the in-process
// apiserver with the allocator, the EndpointSlice controller following readiness, and a resolver that
// maps each pod to its stand-in server (as the real one maps it to the sandbox's published port).
import { createServer, connect, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { Service } from '../../../shared/api/service';
import { builtinResources } from '../../../main/apiserver/registry';
import { createServiceAllocator } from '../../../main/apiserver/registry/service-allocator';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { EVENTS, NAMESPACES, PODS, SERVICES } from '../../../main/client/gvr';
import { SharedInformerFactory } from '../../../main/client/informer-factory';
import { EndpointSliceController } from '../../../main/controllers/endpointslice';
import { ServiceProxy, type BackendTarget, type ProxyEndpoint } from '../../../main/proxy/service-proxy';
import { MemoryStore } from '../../../main/store/memory-store';

const NS = 'team';
const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.end(`${name}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise((r) => server.close(r)));
  return { server, port: (server.address() as { port: number }).port };
}

/** One connection: what the server sent before closing, or the error code. */
function fetchOnce(port: number, timeoutMs = 3000): Promise<{ body: string; error?: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    let body = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ body, error: 'TIMEOUT', ms: Date.now() - t0 });
    }, timeoutMs);
    s.on('data', (d) => (body += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ body, error: e.code, ms: Date.now() - t0 });
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ body: body.trim(), ms: Date.now() - t0 });
    });
  });
}

async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function setup() {
  const store = new MemoryStore();
  const allocator = createServiceAllocator(store);
  const handler = new RestHandler({ store, resources: builtinResources, admission: [allocator] });
  const client = new KubeClient(handler, 'system:test');
  const informers = new SharedInformerFactory(client);
  const slices = new EndpointSliceController({ client, informers });
  const targets = new Map<string, BackendTarget>();
  const forgotten: string[] = [];
  const proxy = new ServiceProxy({
    client,
    informers,
    rebindMs: 100,
    logger: { info: () => undefined, warn: () => undefined },
    resolver: {
      resolve: async (ep: ProxyEndpoint) => targets.get(ep.podName ?? ''),
      forget: (ep: ProxyEndpoint) => forgotten.push(ep.podName ?? ''),
    },
  });
  informers.start();
  slices.start();
  await proxy.start();
  stops.push(() => allocator.stop(), () => slices.stop(), () => informers.shutdown(), () => proxy.stop());
  await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const pods = client.resource<Pod>(PODS);
  const services = client.resource<Service>(SERVICES);

  async function pod(name: string, ready: boolean): Promise<void> {
    const b = await backend(name);
    targets.set(name, { host: '127.0.0.1', port: b.port });
    await pods.create(NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] } });
    await setReady(name, ready);
  }
  let ipSeq = 1;
  const ips = new Map<string, string>();
  async function setReady(name: string, ready: boolean): Promise<void> {
    const p = await pods.get(NS, name);
    if (!ips.has(name)) ips.set(name, `10.244.0.${++ipSeq}`);
    const status = ready ? 'True' : 'False';
    await pods.updateStatus(NS, { ...p, status: { phase: 'Running', podIP: ips.get(name), conditions: [{ type: 'Ready', status }] } } as Pod);
  }
  async function nodePortService(name = 'web', nodePort?: number): Promise<number> {
    const svc = await services.create(NS, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, ...(nodePort ? { nodePort } : {}) }] } });
    const port = svc.spec!.ports![0].nodePort!;
    await until(() => proxy.nodePorts().find((l) => l.nodePort === port && (l.listening || l.error)));
    return port;
  }
  const readyCount = (n: number) => until(() => proxy.readyEndpoints(NS, 'web', '').length === n);
  return { client, proxy, targets, forgotten, pod, setReady, nodePortService, readyCount, services };
}

async function spread(port: number, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await fetchOnce(port);
    const key = r.error ?? r.body;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('service proxy', () => {
  it('serves a NodePort on 127.0.0.1 and spreads connections round robin over ready endpoints', async () => {
    const s = await setup();
    for (const name of ['a', 'b', 'c']) await s.pod(name, true);
    const port = await s.nodePortService();
    await s.readyCount(3);
    expect(s.proxy.nodePorts()).toEqual([{ namespace: NS, service: 'web', portName: '', nodePort: port, listening: true, error: undefined }]);
    expect(await spread(port, 9)).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('stops sending traffic to a pod that fails readiness and sends it again when it recovers', async () => {
    const s = await setup();
    for (const name of ['a', 'b']) await s.pod(name, true);
    const port = await s.nodePortService();
    await s.readyCount(2);
    await s.setReady('a', false);
    await s.readyCount(1);
    expect(await spread(port, 6)).toEqual({ b: 6 });
    await s.setReady('a', true);
    await s.readyCount(2);
    expect(await spread(port, 6)).toEqual({ a: 3, b: 3 });
  });

  it('re-picks another endpoint when the dial fails, and refuses when nothing is ready', async () => {
    const s = await setup();
    for (const name of ['a', 'b']) await s.pod(name, true);
    const port = await s.nodePortService();
    await s.readyCount(2);
    // a's "sandbox" port now has nothing listening.
    const dead = await backend('dead');
    const deadPort = dead.port;
    await new Promise((r) => dead.server.close(r));
    s.targets.set('a', { host: '127.0.0.1', port: deadPort });
    expect(await spread(port, 4)).toEqual({ b: 4 });
    expect(s.forgotten).toContain('a');
    await s.setReady('a', false);
    await s.setReady('b', false);
    await s.readyCount(0);
    const r = await fetchOnce(port);
    expect(r.body).toBe('');
    expect(r.error).toBe('ECONNRESET');
  });

  it('opens ports as Services come and closes them as they go', async () => {
    const s = await setup();
    await s.pod('a', true);
    const port = await s.nodePortService();
    await s.readyCount(1);
    expect((await fetchOnce(port)).body).toBe('a');
    await s.services.delete(NS, 'web');
    await until(() => s.proxy.nodePorts().length === 0);
    expect((await fetchOnce(port)).error).toBe('ECONNREFUSED');
  });

  it('reports a node port it cannot bind with an event and binds it once freed', async () => {
    const s = await setup();
    await s.pod('a', true);
    const squatter = createServer(() => undefined);
    // Any port in the range that is free right now; the Service then asks for it explicitly.
    let taken = 0;
    for (let p = 30000 + Math.floor(Math.random() * 2000); !taken; p++) {
      taken = await new Promise<number>((r) => {
        squatter.once('error', () => r(0));
        squatter.listen(p, '127.0.0.1', () => r(p));
      });
    }
    await s.nodePortService('web', taken);
    const l = await until(() => s.proxy.nodePorts().find((x) => x.error));
    expect(l.listening).toBe(false);
    const ev = await until(async () => (await s.client.resource(EVENTS).list(NS)).items.find((e) => (e as { reason?: string }).reason === 'NodePortUnavailable'));
    expect((ev as { message?: string; type?: string }).message).toContain(`can't listen on 127.0.0.1:${taken} for Service ${NS}/web`);
    expect((ev as { type?: string }).type).toBe('Warning');
    // Retries (every 100 ms here) stay quiet: one event, not one per attempt.
    await new Promise((r) => setTimeout(r, 400));
    const events = (await s.client.resource(EVENTS).list(NS)).items.filter((e) => (e as { reason?: string }).reason === 'NodePortUnavailable');
    expect(events.map((e) => (e as { count?: number }).count ?? 1)).toEqual([1]);
    await new Promise((r) => squatter.close(r));
    await until(() => s.proxy.nodePorts().find((x) => x.listening));
    await s.readyCount(1);
    expect((await fetchOnce(taken)).body).toBe('a');
  });

  it('applies per-Service faults: reset, close, drop and added latency', async () => {
    const s = await setup();
    await s.pod('a', true);
    const port = await s.nodePortService();
    await s.readyCount(1);
    s.proxy.setServiceFaults(NS, 'web', { errorPercent: 100, errorMode: 'reset' });
    expect(await fetchOnce(port)).toMatchObject({ body: '', error: 'ECONNRESET' });
    s.proxy.setServiceFaults(NS, 'web', { errorPercent: 100, errorMode: 'close' });
    expect(await fetchOnce(port)).toMatchObject({ body: '' });
    s.proxy.setServiceFaults(NS, 'web', { dropPercent: 100, holdMs: 300 });
    const dropped = await fetchOnce(port);
    expect(dropped.body).toBe('');
    expect(dropped.ms).toBeGreaterThanOrEqual(250);
    s.proxy.setServiceFaults(NS, 'web', { latencyMs: 200 });
    const slow = await fetchOnce(port);
    expect(slow.body).toBe('a');
    expect(slow.ms).toBeGreaterThanOrEqual(190);
    expect(s.proxy.getServiceFaults(NS, 'web')).toEqual({ latencyMs: 200 });
    s.proxy.setServiceFaults(NS, 'web', undefined);
    expect((await fetchOnce(port)).ms).toBeLessThan(190);
    expect(() => s.proxy.setServiceFaults(NS, 'web', { errorPercent: 150 })).toThrow(/errorPercent: Invalid value: 150: must be between 0 and 100/);
  });

  it('sessionAffinity ClientIP pins a client to one endpoint', async () => {
    const s = await setup();
    for (const name of ['a', 'b', 'c']) await s.pod(name, true);
    const port = await s.nodePortService();
    const svc = await s.services.get(NS, 'web');
    await s.services.update(NS, { ...svc, spec: { ...svc.spec, sessionAffinity: 'ClientIP' } });
    await until(async () => (await s.services.get(NS, 'web')).spec?.sessionAffinity === 'ClientIP');
    await s.readyCount(3);
    await new Promise((r) => setTimeout(r, 50));
    const counts = await spread(port, 6);
    expect(Object.values(counts)).toEqual([6]);
  });

  it('explains an endpoint whose target port the pod does not publish, and uses the others', async () => {
    const s = await setup();
    for (const name of ['a', 'b']) await s.pod(name, true);
    s.targets.delete('a');
    const port = await s.nodePortService();
    await s.readyCount(2);
    expect(await spread(port, 4)).toEqual({ b: 4 });
    const ev = await until(async () => (await s.client.resource(EVENTS).list(NS)).items.find((e) => (e as { reason?: string }).reason === 'EndpointUnreachable'));
    expect((ev as { message?: string }).message).toBe(`can't reach port 8080 of pod ${NS}/a from the host: the pod does not publish it; declare it in the container's ports (containerPort: 8080) so its sandbox publishes it`);
  });

  it('carries a large payload both ways and passes a half-close through', async () => {
    const s = await setup();
    await s.pod('a', true);
    // Replace a's stand-in with an echo server that answers only after the client finished sending.
    const echo = createServer({ allowHalfOpen: true }, (sock) => {
      const chunks: Buffer[] = [];
      sock.on('data', (d) => chunks.push(d));
      sock.on('end', () => sock.end(Buffer.concat(chunks)));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => echo.close(r)));
    s.targets.set('a', { host: '127.0.0.1', port: (echo.address() as { port: number }).port });
    const port = await s.nodePortService();
    await s.readyCount(1);
    const payload = Buffer.alloc(4 * 1024 * 1024, 7);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const c = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      const parts: Buffer[] = [];
      c.on('data', (d) => parts.push(d));
      c.on('end', () => resolve(Buffer.concat(parts)));
      c.on('error', reject);
      c.end(payload);
    });
    expect(got.length).toBe(payload.length);
    expect(got.equals(payload)).toBe(true);
  });
});

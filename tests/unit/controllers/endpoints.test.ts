// Endpoints and EndpointSlice controllers on the in-process apiserver: readiness moves addresses
// between addresses/notReadyAddresses (and slice conditions), terminating pods leave Endpoints at once
// and stay in slices with ready=false, named targetPorts resolve per pod, selector-less services are
// left alone, labels and trigger-time annotations are set.
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { EndpointSlice, Endpoints, Service } from '../../../shared/api/service';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { ENDPOINTS, ENDPOINTSLICES, NAMESPACES, PODS, SERVICES } from '../../../main/client/gvr';
import { SharedInformerFactory } from '../../../main/client/informer-factory';
import { EndpointsController } from '../../../main/controllers/endpoints';
import { EndpointSliceController } from '../../../main/controllers/endpointslice';
import { MemoryStore } from '../../../main/store/memory-store';

const NS = 'team';
const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

async function setup() {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'system:test');
  const informers = new SharedInformerFactory(client);
  const eps = new EndpointsController({ client, informers });
  const slices = new EndpointSliceController({ client, informers });
  informers.start();
  eps.start();
  slices.start();
  stops.push(() => eps.stop(), () => slices.stop(), () => informers.shutdown());
  await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  return {
    client,
    services: client.resource<Service>(SERVICES),
    pods: client.resource<Pod>(PODS),
    endpoints: client.resource<Endpoints>(ENDPOINTS),
    slices: client.resource<EndpointSlice>(ENDPOINTSLICES),
  };
}

async function until<T>(fn: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not reached in time ${last ? String(last) : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Ctx = Awaited<ReturnType<typeof setup>>;

async function runningPod(ctx: Ctx, name: string, ip: string, ready: boolean, labels = { app: 'web' }, portName = 'http', port = 8080): Promise<Pod> {
  const pod = await ctx.pods.create(NS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox', ports: [{ name: portName, containerPort: port }] }] },
  });
  return setReady(ctx, pod, ip, ready);
}

async function setReady(ctx: Ctx, pod: Pod, ip: string, ready: boolean): Promise<Pod> {
  const fresh = await ctx.pods.get(NS, pod.metadata.name!);
  const status = ready ? 'True' : 'False';
  return ctx.pods.updateStatus(NS, {
    ...fresh,
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status }, { type: 'ContainersReady', status }] },
  } as Pod);
}

const service = (name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { tier: 'front' } }, spec });

async function sliceOf(ctx: Ctx, svc: string): Promise<EndpointSlice[]> {
  return (await ctx.slices.list(NS, { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
}

describe('endpoints and endpointslice controllers', () => {
  it('lists ready pods in addresses and not-ready pods in notReadyAddresses, following readiness both ways', async () => {
    const ctx = await setup();
    await ctx.services.create(NS, service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }));
    const a = await runningPod(ctx, 'a', '10.244.1.2', true);
    await runningPod(ctx, 'b', '10.244.1.3', false);
    await runningPod(ctx, 'other', '10.244.1.9', true, { app: 'db' } as never);
    const ep = await until(async () => {
      const e = await ctx.endpoints.get(NS, 'web');
      return e.subsets?.[0]?.addresses?.length === 1 && e.subsets[0].notReadyAddresses?.length === 1 ? e : undefined;
    });
    expect(ep.subsets).toEqual([
      {
        addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: NS, name: 'a', uid: a.metadata.uid } }],
        notReadyAddresses: [expect.objectContaining({ ip: '10.244.1.3' })],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    expect(ep.metadata.labels).toEqual({ tier: 'front' });
    expect(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const [slice] = await until(async () => {
      const s = await sliceOf(ctx, 'web');
      return s.length === 1 && s[0].endpoints.length === 2 ? s : undefined;
    });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toMatchObject({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', tier: 'front' });
    expect(slice.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'web', controller: true });
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints.map((e) => [e.addresses[0], e.conditions])).toEqual([
      ['10.244.1.2', { ready: true, serving: true, terminating: false }],
      ['10.244.1.3', { ready: false, serving: false, terminating: false }],
    ]);

    // a fails readiness, b passes: they swap.
    await setReady(ctx, a, '10.244.1.2', false);
    await setReady(ctx, await ctx.pods.get(NS, 'b'), '10.244.1.3', true);
    await until(async () => {
      const e = await ctx.endpoints.get(NS, 'web');
      return e.subsets?.[0]?.addresses?.[0]?.ip === '10.244.1.3' && e.subsets[0].notReadyAddresses?.[0]?.ip === '10.244.1.2';
    });
    await until(async () => {
      const [s] = await sliceOf(ctx, 'web');
      return s?.endpoints.find((e) => e.addresses[0] === '10.244.1.3')?.conditions?.ready === true && s.endpoints.find((e) => e.addresses[0] === '10.244.1.2')?.conditions?.ready === false;
    });
  });

  it('drops a terminating pod from Endpoints at once and marks it terminating in the slice', async () => {
    const ctx = await setup();
    await ctx.services.create(NS, service('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }));
    await runningPod(ctx, 'a', '10.244.1.2', true);
    await runningPod(ctx, 'b', '10.244.1.3', true);
    await until(async () => (await ctx.endpoints.get(NS, 'web')).subsets?.[0]?.addresses?.length === 2);
    // Graceful deletion: the pod is bound to a node, so it stays with a deletionTimestamp.
    await ctx.pods.delete(NS, 'a', { gracePeriodSeconds: 30 });
    expect((await ctx.pods.get(NS, 'a')).metadata.deletionTimestamp).toBeTruthy();
    await until(async () => {
      const e = await ctx.endpoints.get(NS, 'web');
      return e.subsets?.[0]?.addresses?.length === 1 && e.subsets[0].addresses[0].ip === '10.244.1.3' && !e.subsets[0].notReadyAddresses;
    });
    const [slice] = await until(async () => {
      const s = await sliceOf(ctx, 'web');
      return s[0]?.endpoints.find((e) => e.addresses[0] === '10.244.1.2')?.conditions?.terminating ? s : undefined;
    });
    expect(slice.endpoints.find((e) => e.addresses[0] === '10.244.1.2')?.conditions).toEqual({ ready: false, serving: true, terminating: true });
    expect(slice.ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);
  });

  it('resolves a named targetPort per pod into separate subsets, and skips pods lacking the name', async () => {
    const ctx = await setup();
    await ctx.services.create(NS, service('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] }));
    await runningPod(ctx, 'a', '10.244.1.2', true, { app: 'web' }, 'http', 8080);
    await runningPod(ctx, 'b', '10.244.1.3', true, { app: 'web' }, 'http', 9090);
    await runningPod(ctx, 'c', '10.244.1.4', true, { app: 'web' }, 'metrics', 9100);
    const ep = await until(async () => {
      const e = await ctx.endpoints.get(NS, 'web');
      return e.subsets?.length === 2 ? e : undefined;
    });
    expect(ep.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.[0].port])).toEqual([
      [['10.244.1.2'], 8080],
      [['10.244.1.3'], 9090],
    ]);
    const slices = await until(async () => {
      const s = await sliceOf(ctx, 'web');
      return s.length === 2 ? s : undefined;
    });
    expect(slices.map((s) => s.ports?.[0].port).sort()).toEqual([8080, 9090]);
  });

  it('leaves services without a selector alone and removes Endpoints and slices with the service', async () => {
    const ctx = await setup();
    await ctx.services.create(NS, service('manual', { ports: [{ port: 80 }] }));
    await ctx.endpoints.create(NS, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '192.168.0.10' }], ports: [{ port: 80 }] }] });
    await ctx.services.create(NS, service('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }));
    await runningPod(ctx, 'a', '10.244.1.2', true);
    await until(async () => (await ctx.endpoints.get(NS, 'web')).subsets?.length === 1);
    await until(async () => (await sliceOf(ctx, 'web')).length === 1);
    const manual = await ctx.endpoints.get(NS, 'manual');
    expect(manual.subsets?.[0].addresses?.[0].ip).toBe('192.168.0.10');
    expect(manual.metadata.annotations).toBeUndefined();
    expect(await sliceOf(ctx, 'manual')).toEqual([]);

    await ctx.services.delete(NS, 'web');
    await until(async () => (await ctx.endpoints.list(NS)).items.every((e) => e.metadata.name !== 'web'));
    await until(async () => (await sliceOf(ctx, 'web')).length === 0);
  });

  it('publishNotReadyAddresses lists every pod as ready; headless services are labelled', async () => {
    const ctx = await setup();
    await ctx.services.create(NS, service('peers', { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }));
    await runningPod(ctx, 'a', '10.244.1.2', false);
    const ep = await until(async () => {
      const e = await ctx.endpoints.get(NS, 'peers');
      return e.subsets?.[0]?.addresses?.length === 1 ? e : undefined;
    });
    expect(ep.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
    const [slice] = await until(async () => {
      const s = await sliceOf(ctx, 'peers');
      return s[0]?.endpoints.length === 1 ? s : undefined;
    });
    expect(slice.endpoints[0].conditions).toEqual({ ready: true, serving: true, terminating: false });
  });
});

describe('service load balancer stand-in', () => {
  it('gives LoadBalancer services a 127.0.0.1 ingress and takes it away when the type changes', async () => {
    const { ServiceLoadBalancerController } = await import('../../../main/controllers/service-loadbalancer');
    const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
    const client = new KubeClient(handler, 'system:test');
    const informers = new SharedInformerFactory(client);
    const lb = new ServiceLoadBalancerController({ client, informers });
    informers.start();
    lb.start();
    stops.push(() => lb.stop(), () => informers.shutdown());
    await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const services = client.resource<Service>(SERVICES);
    await services.create(NS, service('front', { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30111 }] }));
    await services.create(NS, service('plain', { selector: { app: 'web' }, ports: [{ port: 80 }] }));
    const s = await until(async () => {
      const got = await services.get(NS, 'front');
      return got.status?.loadBalancer?.ingress?.length ? got : undefined;
    });
    expect(s.status?.loadBalancer?.ingress).toEqual([{ ip: '127.0.0.1', ipMode: 'VIP' }]);
    await services.update(NS, { ...s, spec: { ...s.spec, type: 'NodePort' } });
    await until(async () => !(await services.get(NS, 'front')).status?.loadBalancer?.ingress);
    expect((await services.get(NS, 'plain')).status?.loadBalancer?.ingress).toBeUndefined();
  });
});

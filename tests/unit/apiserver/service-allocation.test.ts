// ClusterIP/NodePort allocation on the in-process apiserver: range, reservation of 10.96.0.1, explicit
// values honoured or refused with Kubernetes' 422 texts, release on delete, rebuild after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import type { Service } from '../../../shared/api/service';
import { builtinResources } from '../../../main/apiserver/registry';
import { createServiceAllocator, ipToNumber } from '../../../main/apiserver/registry/service-allocator';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { NAMESPACES, SERVICES } from '../../../main/client/gvr';
import { MemoryStore } from '../../../main/store/memory-store';

const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

async function setup(store = new MemoryStore(), random?: () => number) {
  const allocator = createServiceAllocator(store, { random });
  stops.push(() => allocator.stop());
  const handler = new RestHandler({ store, resources: builtinResources, admission: [allocator] });
  const client = new KubeClient(handler, 'system:test');
  for (const name of ['default', 'team']) {
    await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch(() => undefined);
  }
  return { store, client, allocator, services: client.resource<Service>(SERVICES) };
}

const svc = (name: string, spec: Service['spec'], namespace = 'default'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the write to be rejected');
}

describe('service allocation', () => {
  it('gives ClusterIP services an address in 10.96.0.0/12 (never 10.96.0.1) and no node ports', async () => {
    // random() = 0 aims at the bottom of the range: the first dynamic address must skip .0 and .1.
    const { services } = await setup(undefined, () => 0);
    const a = await services.create('default', svc('a', {}));
    expect(a.spec?.clusterIP).toBe('10.96.0.2');
    expect(a.spec?.clusterIPs).toEqual(['10.96.0.2']);
    expect(a.spec?.ports?.[0].nodePort).toBeUndefined();
    const b = await services.create('default', svc('b', {}));
    expect(b.spec?.clusterIP).toBe('10.96.0.3');
    const n = ipToNumber(b.spec!.clusterIP!)!;
    expect(n >= ipToNumber('10.96.0.0')! && n <= ipToNumber('10.111.255.255')!).toBe(true);
  });

  it('random addresses stay inside the range and never repeat', async () => {
    const { services } = await setup();
    const ips = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const s = await services.create('default', svc(`s${i}`, { type: 'NodePort' }));
      ips.add(s.spec!.clusterIP!);
      const n = ipToNumber(s.spec!.clusterIP!)!;
      expect(n).toBeGreaterThan(ipToNumber('10.96.0.1')!);
      expect(n).toBeLessThan(ipToNumber('10.112.0.0')!);
      const port = s.spec!.ports![0].nodePort!;
      expect(port).toBeGreaterThanOrEqual(30000);
      expect(port).toBeLessThanOrEqual(32767);
    }
    expect(ips.size).toBe(20);
    const list = await services.list('default');
    expect(new Set(list.items.map((s) => s.spec!.ports![0].nodePort)).size).toBe(20);
  });

  it('honours an explicit free nodePort and refuses a taken one with the Kubernetes message', async () => {
    const { services } = await setup();
    const a = await services.create('default', svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(a.spec?.ports?.[0].nodePort).toBe(30080);
    const e = await rejection(services.create('team', svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }, 'team')));
    expect(e.code).toBe(422);
    expect(e.message).toBe('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const range = await rejection(services.create('default', svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 40000 }] })));
    expect(range.message).toContain('spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767');
  });

  it('refuses a taken or out-of-range clusterIP and keeps 10.96.0.1 for whoever asks for it first', async () => {
    const { services } = await setup();
    const k = await services.create('default', svc('kubernetes', { clusterIP: '10.96.0.1', selector: undefined }));
    expect(k.spec?.clusterIP).toBe('10.96.0.1');
    const taken = await rejection(services.create('team', svc('x', { clusterIP: '10.96.0.1' }, 'team')));
    expect(taken.message).toBe('Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated');
    const out = await rejection(services.create('default', svc('y', { clusterIP: '10.0.0.9' })));
    expect(out.message).toContain('the provided IP (10.0.0.9) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  });

  it('releases the clusterIP and nodePort when the service is deleted', async () => {
    const { services, allocator } = await setup();
    const a = await services.create('default', svc('a', { type: 'NodePort', clusterIP: '10.96.5.5', ports: [{ port: 80, nodePort: 30090 }] }));
    expect(allocator.ownerOfNodePort(30090)).toBe('default/a');
    expect(allocator.ownerOfIP('10.96.5.5')).toBe('default/a');
    await services.delete('default', a.metadata.name!);
    expect(allocator.ownerOfNodePort(30090)).toBeUndefined();
    expect(allocator.ownerOfIP('10.96.5.5')).toBeUndefined();
    const b = await services.create('team', svc('b', { type: 'NodePort', clusterIP: '10.96.5.5', ports: [{ port: 80, nodePort: 30090 }] }, 'team'));
    expect(b.spec?.ports?.[0].nodePort).toBe(30090);
  });

  it('rebuilds allocations from the store after a restart: no double allocation', async () => {
    const store = new MemoryStore();
    const first = await setup(store);
    await first.services.create('default', svc('a', { type: 'NodePort', clusterIP: '10.96.7.7', ports: [{ port: 80, nodePort: 30100 }] }));
    first.allocator.stop();
    const second = await setup(store);
    await second.allocator.ready;
    expect(second.allocator.ownerOfNodePort(30100)).toBe('default/a');
    const e = await rejection(second.services.create('default', svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30100 }] })));
    expect(e.message).toContain('provided port is already allocated');
    const ip = await rejection(second.services.create('default', svc('c', { clusterIP: '10.96.7.7' })));
    expect(ip.message).toContain('provided IP is already allocated');
  });

  it('headless and ExternalName services get no address; LoadBalancer gets node ports unless it opts out', async () => {
    const { services } = await setup();
    const headless = await services.create('default', svc('h', { clusterIP: 'None' }));
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.clusterIPs).toEqual(['None']);
    const ext = await services.create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.test' } });
    expect(ext.spec?.clusterIP).toBeUndefined();
    const lb = await services.create('default', svc('lb', { type: 'LoadBalancer' }));
    expect(lb.spec?.ports?.[0].nodePort).toBeGreaterThanOrEqual(30000);
    const lbNoPorts = await services.create('default', svc('lb2', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    expect(lbNoPorts.spec?.ports?.[0].nodePort).toBeUndefined();
  });

  it('keeps allocated values on update, frees node ports when the type goes back to ClusterIP', async () => {
    const { services, allocator } = await setup();
    const a = await services.create('default', svc('a', { type: 'NodePort' }));
    const port = a.spec!.ports![0].nodePort!;
    const ip = a.spec!.clusterIP!;
    // A PUT that leaves the server-owned fields empty (as `kubectl replace` of the original file) keeps them.
    const replaced = await services.update('default', { ...svc('a', { type: 'NodePort' }), metadata: { name: 'a', namespace: 'default', resourceVersion: a.metadata.resourceVersion } });
    expect(replaced.spec?.clusterIP).toBe(ip);
    expect(replaced.spec?.ports?.[0].nodePort).toBe(port);
    const back = await services.update('default', { ...replaced, spec: { ...replaced.spec, type: 'ClusterIP' } });
    expect(back.spec?.ports?.[0].nodePort).toBeUndefined();
    expect(back.spec?.clusterIP).toBe(ip);
    expect(allocator.ownerOfNodePort(port)).toBeUndefined();
  });

  it('dry-run reserves nothing', async () => {
    const { services, allocator } = await setup();
    const d = await services.create('default', svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30200 }] }), { dryRun: true });
    expect(d.spec?.ports?.[0].nodePort).toBe(30200);
    expect(allocator.ownerOfNodePort(30200)).toBeUndefined();
    await services.create('team', svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30200 }] }, 'team'));
  });

  it('switching to ExternalName gives the address back; switching back allocates a new one', async () => {
    const { services, allocator } = await setup();
    const a = await services.create('default', svc('a', { clusterIP: '10.96.9.9' }));
    const ext = await services.update('default', { ...a, spec: { ...a.spec, type: 'ExternalName', externalName: 'db.example.test', selector: undefined } });
    expect(ext.spec?.clusterIP).toBeUndefined();
    expect(ext.spec?.clusterIPs).toBeUndefined();
    expect(allocator.ownerOfIP('10.96.9.9')).toBeUndefined();
    const back = await services.update('default', { ...ext, spec: { type: 'ClusterIP', selector: { app: 'a' }, ports: [{ port: 80 }] } });
    expect(back.spec?.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\./);
    expect(allocator.ownerOfIP(back.spec!.clusterIP!)).toBe('default/a');
  });
});

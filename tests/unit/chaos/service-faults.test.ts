// ServiceFault injector against a recording proxy hook and the real in-process apiserver.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ServiceFault } from '../../../shared/api/chaos';
import { ApiError } from '../../../shared/api/errors';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import { createServiceFaultInjector, serviceFaultSettings } from '../../../main/chaos/service-faults';
import type { ServiceFaults } from '../../../main/proxy/faults';
import { validateServiceFaults } from '../../../main/proxy/faults';
import { MemoryStore } from '../../../main/store/memory-store';

let admin: KubeClient;
let calls: Array<[string, string, ServiceFaults | undefined]>;
const proxy = {
  setServiceFaults(namespace: string, name: string, f: ServiceFaults | undefined): void {
    if (f) validateServiceFaults(f);
    calls.push([namespace, name, f]);
  },
};

const sf = (name: string, spec: Partial<ServiceFault['spec']>, uid = name): ServiceFault => ({
  kind: 'ServiceFault',
  metadata: { name, namespace: 'default', uid },
  spec: { service: { name: 'web' }, ...spec },
});

beforeEach(async () => {
  calls = [];
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock: new FakeClock() });
  admin = new KubeClient(handler, 'system:admin');
  for (const name of ['default', 'kube-system']) await admin.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await admin.services().create('default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  });
});

describe('ServiceFault injector', () => {
  it('turns Go durations and percentages into proxy settings', () => {
    expect(serviceFaultSettings(sf('a', { latency: '1.5s', jitter: '200ms', errorPercent: 30, dropPercent: 5 }))).toEqual({
      latencyMs: 1500,
      jitterMs: 200,
      errorPercent: 30,
      errorMode: 'reset',
      dropPercent: 5,
    });
    expect(() => serviceFaultSettings(sf('a', { latency: '10' }))).toThrow(/spec.latency/);
  });

  it('selects the Service, injects, and reverts to no faults', async () => {
    const inj = createServiceFaultInjector({ proxy, client: admin });
    const fault = sf('slow', { latency: '300ms', errorPercent: 100 });
    const [target] = await inj.selectTargets(fault);
    expect(target).toMatchObject({ kind: 'Service', namespace: 'default', name: 'web' });
    expect(target.uid).toBeTruthy();
    const done = await inj.inject(fault, target);
    expect(calls.at(-1)).toEqual(['default', 'web', { latencyMs: 300, errorPercent: 100, errorMode: 'reset' }]);
    expect(done.message).toBe('+300ms latency, 100% of connections reset on new connections to the NodePorts of Service default/web');
    await inj.revert(fault, done);
    expect(calls.at(-1)).toEqual(['default', 'web', undefined]);
  });

  it('two faults on one Service combine; reverting one keeps the other in force', async () => {
    const inj = createServiceFaultInjector({ proxy, client: admin });
    const a = sf('a', { latency: '100ms', errorPercent: 10 });
    const b = sf('b', { latency: '50ms', dropPercent: 20 });
    const [t] = await inj.selectTargets(a);
    await inj.inject(a, t);
    await inj.inject(b, t);
    expect(calls.at(-1)?.[2]).toEqual({ latencyMs: 100, errorPercent: 10, errorMode: 'reset', dropPercent: 20 });
    await inj.revert(a, t);
    expect(calls.at(-1)?.[2]).toEqual({ latencyMs: 50, dropPercent: 20 });
    await inj.revert(b, t);
    expect(calls.at(-1)?.[2]).toBeUndefined();
    // Reverting again (idempotent, e.g. after a restart) just clears.
    await inj.revert(b, t);
    expect(calls.at(-1)?.[2]).toBeUndefined();
  });

  it('a missing Service or a protected namespace is a 422 naming the field', async () => {
    const inj = createServiceFaultInjector({ proxy, client: admin });
    const missing = await inj.selectTargets(sf('m', { service: { name: 'nope' } })).catch((e) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).causes[0].field).toBe('spec.service.name');
    expect((missing as ApiError).message).toMatch(/Service default\/nope does not exist; create it first/);
    const protectedNs = await inj.selectTargets(sf('k', { service: { namespace: 'kube-system', name: 'kube-dns' } })).catch((e) => e);
    expect((protectedNs as ApiError).causes[0].field).toBe('spec.service.namespace');
    expect(calls).toEqual([]);
  });
});

// The `kubernetes` Service in `default`, which every cluster has (kube-apiserver's master endpoint
// reconciler): ClusterIP 10.96.0.1, port 443 named https, no selector, with an Endpoints and an
// EndpointSlice naming where the API really listens. In the lab that is the host's loopback address
// and the port `bosun serve` chose, so the object tells the truth to someone reading it on the host;
// pods on the lab network cannot dial 127.0.0.1 to reach it (in-cluster API access is a known gap,
// see docs/SERVICES.md). Reconciled at every start, since the port may change between starts.
import { isAlreadyExists, isConflict, isNotFound } from '../../shared/api/errors';
import type { EndpointSlice, Endpoints, Service } from '../../shared/api/service';
import type { KubeClient } from '../client/client';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../client/gvr';
import { KUBERNETES_SERVICE_IP } from '../apiserver/registry/service-allocator';

const NS = 'default';
const NAME = 'kubernetes';
const LABELS = { component: 'apiserver', provider: 'kubernetes' };

async function upsert<T extends { metadata: { resourceVersion?: string } }>(
  get: () => Promise<T>,
  create: () => Promise<unknown>,
  update: (current: T) => Promise<unknown> | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    let current: T | undefined;
    try {
      current = await get();
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      if (!current) await create();
      else await update(current);
      return;
    } catch (e) {
      // Lost a race with another writer (a second start, a user): read again.
      if (!isAlreadyExists(e) && !isConflict(e)) throw e;
    }
  }
}

export async function ensureKubernetesService(client: KubeClient, api: { host: string; port: number }): Promise<void> {
  const services = client.resource<Service>(SERVICES);
  const port = { name: 'https', port: 443, protocol: 'TCP' as const, targetPort: api.port };
  const spec: Service['spec'] = { type: 'ClusterIP', clusterIP: KUBERNETES_SERVICE_IP, ports: [port], sessionAffinity: 'None' };
  await upsert(
    () => services.get(NS, NAME),
    () => services.create(NS, { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NS, labels: LABELS }, spec }),
    (current) => {
      const have = current.spec?.ports ?? [];
      if (have.length === 1 && have[0].port === 443 && have[0].targetPort === api.port) return undefined;
      return services.update(NS, { ...current, spec: { ...current.spec, ports: [port] } });
    },
  );

  const endpoints = client.resource<Endpoints>(ENDPOINTS);
  const subsets = [{ addresses: [{ ip: api.host }], ports: [{ name: 'https', port: api.port, protocol: 'TCP' as const }] }];
  await upsert(
    () => endpoints.get(NS, NAME),
    () => endpoints.create(NS, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets }),
    (current) => (JSON.stringify(current.subsets) === JSON.stringify(subsets) ? undefined : endpoints.update(NS, { ...current, subsets })),
  );

  const slices = client.resource<EndpointSlice>(ENDPOINTSLICES);
  const slice = {
    addressType: 'IPv4' as const,
    endpoints: [{ addresses: [api.host], conditions: { ready: true } }],
    ports: [{ name: 'https', port: api.port, protocol: 'TCP' as const }],
  };
  await upsert(
    () => slices.get(NS, NAME),
    () => slices.create(NS, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: NAME, namespace: NS, labels: { 'kubernetes.io/service-name': NAME } }, ...slice }),
    (current) =>
      JSON.stringify(current.endpoints) === JSON.stringify(slice.endpoints) && JSON.stringify(current.ports) === JSON.stringify(slice.ports) ? undefined : slices.update(NS, { ...current, ...slice }),
  );
}

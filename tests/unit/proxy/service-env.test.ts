// Service environment variables as the kubelet computes them (pkg/kubelet/envvars), and the hook
// through the env resolver: enableServiceLinks honoured, the `kubernetes` Service always present.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { Service } from '../../../shared/api/service';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { NAMESPACES, SERVICES } from '../../../main/client/gvr';
import { createEnvResolver } from '../../../main/kubelet/env';
import { clientServiceEnvironment, serviceEnvVars } from '../../../main/proxy/service-env';
import { MemoryStore } from '../../../main/store/memory-store';

const svc = (namespace: string, name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec });

describe('service environment variables', () => {
  it('produces the Kubernetes variable family for each port', () => {
    const env = serviceEnvVars([
      svc('team', 'redis-primary', { clusterIP: '10.96.1.2', ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }, { name: 'metrics-udp', port: 9100, protocol: 'UDP' }] }),
      svc('team', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
    ]);
    expect(env).toEqual({
      REDIS_PRIMARY_SERVICE_HOST: '10.96.1.2',
      REDIS_PRIMARY_SERVICE_PORT: '6379',
      REDIS_PRIMARY_SERVICE_PORT_REDIS: '6379',
      REDIS_PRIMARY_SERVICE_PORT_METRICS_UDP: '9100',
      REDIS_PRIMARY_PORT: 'tcp://10.96.1.2:6379',
      REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.96.1.2:6379',
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.96.1.2',
      REDIS_PRIMARY_PORT_9100_UDP: 'udp://10.96.1.2:9100',
      REDIS_PRIMARY_PORT_9100_UDP_PROTO: 'udp',
      REDIS_PRIMARY_PORT_9100_UDP_PORT: '9100',
      REDIS_PRIMARY_PORT_9100_UDP_ADDR: '10.96.1.2',
    });
  });

  it('reaches containers through the env resolver; enableServiceLinks: false turns them off', async () => {
    const client = new KubeClient(new RestHandler({ store: new MemoryStore(), resources: builtinResources }), 'system:test');
    for (const name of ['default', 'team', 'other']) await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const services = client.resource<Service>(SERVICES);
    await services.create('default', svc('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] }));
    await services.create('team', svc('team', 'web', { clusterIP: '10.96.3.4', ports: [{ port: 80 }] }));
    await services.create('other', svc('other', 'db', { clusterIP: '10.96.5.6', ports: [{ port: 5432 }] }));
    const resolver = createEnvResolver({ client, serviceEnvironment: clientServiceEnvironment(client) });
    const pod = (links?: boolean): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'team', name: 'p', uid: 'u1' },
      spec: { ...(links === undefined ? {} : { enableServiceLinks: links }), containers: [{ name: 'c', image: 'x', env: [{ name: 'WEB_SERVICE_PORT', value: 'mine' }, { name: 'URL', value: 'http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)' }] }] },
    });
    const toMap = (env: Array<{ name: string; value: string }>) => Object.fromEntries(env.map((e) => [e.name, e.value]));
    const withLinks = toMap(await resolver.resolve(pod(), pod().spec!.containers[0], {}));
    expect(withLinks.WEB_SERVICE_HOST).toBe('10.96.3.4');
    // The container's own variable wins over the service one.
    expect(withLinks.WEB_SERVICE_PORT).toBe('mine');
    expect(withLinks.URL).toBe('http://10.96.3.4:mine');
    expect(withLinks.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
    expect(withLinks.KUBERNETES_SERVICE_PORT_HTTPS).toBe('443');
    expect(withLinks.DB_SERVICE_HOST).toBeUndefined();
    const without = toMap(await resolver.resolve(pod(false), pod(false).spec!.containers[0], {}));
    expect(without.WEB_SERVICE_HOST).toBeUndefined();
    // The resolver's contract skips the hook entirely (Kubernetes would still add the kubernetes Service: see docs/SERVICES.md).
    expect(without.KUBERNETES_SERVICE_HOST).toBeUndefined();
  });
});

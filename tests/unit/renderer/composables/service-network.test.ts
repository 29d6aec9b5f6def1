import { describe, expect, it } from 'vitest';
import type { Endpoints, Service } from '../../../../shared/api/service';
import { endpointAddressRows, externalIPText, inClusterNames, servicePortRows } from '../../../../renderer/composables/service-network';

const svc = (spec: Service['spec'], status?: Service['status']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'team' }, spec, status });

describe('service network', () => {
  it('maps ports to target ports and opens NodePorts on 127.0.0.1 (TCP only)', () => {
    const s = svc({
      type: 'NodePort',
      ports: [
        { name: 'http', port: 80, targetPort: 'http', nodePort: 30080 },
        { port: 53, protocol: 'UDP', nodePort: 30053 },
        { port: 8080 },
      ],
    });
    expect(servicePortRows(s)).toEqual([
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080, openUrl: 'http://127.0.0.1:30080' },
      { protocol: 'UDP', port: 53, targetPort: '53', nodePort: 30053 },
      { protocol: 'TCP', port: 8080, targetPort: '8080' },
    ]);
    expect(servicePortRows(svc({ type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080, nodePort: 30001 }] }))[0].openUrl).toBeUndefined();
  });

  it('prints EXTERNAL-IP as kubectl does', () => {
    expect(externalIPText(svc({ type: 'ClusterIP' }))).toBe('<none>');
    expect(externalIPText(svc({ type: 'LoadBalancer' }))).toBe('<pending>');
    expect(externalIPText(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '127.0.0.1', ipMode: 'VIP' }] } }))).toBe('127.0.0.1');
    expect(externalIPText(svc({ type: 'ClusterIP', externalIPs: ['10.1.2.3'] }))).toBe('10.1.2.3');
    expect(externalIPText(svc({ type: 'ExternalName', externalName: 'db.example' }))).toBe('db.example');
  });

  it('lists the in-cluster names, the short one for the same namespace only', () => {
    expect(inClusterNames(svc({ type: 'ClusterIP' }))).toEqual([
      { name: 'web', sameNamespaceOnly: true },
      { name: 'web.team', sameNamespaceOnly: false },
      { name: 'web.team.svc', sameNamespaceOnly: false },
      { name: 'web.team.svc.cluster.local', sameNamespaceOnly: false },
    ]);
    expect(inClusterNames(svc({ type: 'ExternalName', externalName: 'x' }))).toEqual([]);
  });

  it('lists ready then not-ready addresses with their pod, node and ports', () => {
    const e: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'team' },
      subsets: [
        {
          addresses: [{ ip: '10.244.1.5', nodeName: 'node-2', targetRef: { kind: 'Pod', name: 'web-b', namespace: 'team' } }, { ip: '10.244.0.9', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-a' } }],
          notReadyAddresses: [{ ip: '10.244.0.7', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-c', namespace: 'team' } }],
          ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
        },
      ],
    };
    expect(endpointAddressRows(e)).toEqual([
      { ip: '10.244.0.9', ready: true, ports: 'http:80/TCP', node: 'node-1', pod: { namespace: 'team', name: 'web-a' } },
      { ip: '10.244.1.5', ready: true, ports: 'http:80/TCP', node: 'node-2', pod: { namespace: 'team', name: 'web-b' } },
      { ip: '10.244.0.7', ready: false, ports: 'http:80/TCP', node: 'node-1', pod: { namespace: 'team', name: 'web-c' } },
    ]);
    expect(endpointAddressRows(undefined)).toEqual([]);
  });
});

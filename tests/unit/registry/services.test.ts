import { describe, expect, it } from 'vitest';
import { endpoints } from '../../../main/apiserver/registry/endpoints';
import { endpointslices } from '../../../main/apiserver/registry/endpointslices';
import { services } from '../../../main/apiserver/registry/services';
import { cells, clone, created, createErrors, updateErrors } from './helpers';

const svc = (spec: Record<string, unknown> = {}, name = 'web') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
});

describe('service defaults', () => {
  it('ClusterIP service', () => {
    const s = created(services, svc());
    expect(s.spec).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(s.status).toEqual({ loadBalancer: {} });
  });

  it('NodePort adds externalTrafficPolicy; ClientIP affinity gets its timeout', () => {
    const s = created(services, svc({ type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 'http' }] })) as any;
    expect(s.spec.externalTrafficPolicy).toBe('Cluster');
    expect(s.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    expect(s.spec.ports).toEqual([{ port: 80, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('ExternalName services get no cluster IP machinery', () => {
    const s = created(services, { metadata: { name: 'db', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } }) as any;
    expect(s.spec).toEqual({ type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
    expect(createErrors(services, { metadata: { name: 'db', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } })).toEqual([]);
  });
});

describe('service validation', () => {
  it('accepts a valid service', () => {
    expect(createErrors(services, svc())).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['ports required', { ports: [] }, ['spec.ports: Required value']],
    ['type enum', { type: 'Internal' }, ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ['port range', { ports: [{ port: 0 }] }, ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['named multi-ports', { ports: [{ port: 80 }, { port: 443 }] }, ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    [
      'duplicate port names',
      { ports: [{ name: 'web', port: 80 }, { name: 'web', port: 81 }] },
      ['spec.ports[1].name: Duplicate value: "web"'],
    ],
    ['targetPort name', { ports: [{ port: 80, targetPort: 'http_port' }] }, ['spec.ports[0].targetPort: Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['nodePort on ClusterIP', { ports: [{ port: 80, nodePort: 30080 }] }, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ['protocol enum', { ports: [{ port: 80, protocol: 'HTTP' }] }, ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
  ])('%s', (_n, spec, expected) => {
    expect(createErrors(services, svc(spec))).toEqual(expected);
  });

  it('names are RFC 1035 labels', () => {
    expect(createErrors(services, svc({}, '1web'))[0]).toMatch(/^metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters/);
  });
});

describe('service updates', () => {
  const allocated = () => {
    const s = created(services, svc({ type: 'NodePort' })) as any;
    s.spec.clusterIP = '10.96.0.10';
    s.spec.clusterIPs = ['10.96.0.10'];
    s.spec.ports[0].nodePort = 30080;
    return s;
  };

  it('clusterIP is immutable', () => {
    const old = allocated();
    const next = clone(old);
    next.spec.clusterIP = '10.96.0.11';
    next.spec.clusterIPs = ['10.96.0.11'];
    expect(updateErrors(services, old, next)).toEqual(['spec.clusterIP: Invalid value: "10.96.0.11": field is immutable']);
  });

  it('an apply without clusterIP/nodePort keeps the allocated ones', () => {
    const old = allocated();
    const next = svc({ type: 'NodePort' }) as any;
    next.spec.ports[0].protocol = 'TCP';
    expect(updateErrors(services, old, next)).toEqual([]);
    const n = clone(next);
    services.defaults!(n);
    services.prepareForUpdate!(n, old);
    expect(n.spec.clusterIP).toBe('10.96.0.10');
    expect(n.spec.ports[0].nodePort).toBe(30080);
  });

  it('columns TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (+ SELECTOR)', () => {
    expect(cells(services, allocated(), new Date(), true)).toMatchObject({
      Type: 'NodePort',
      'Cluster-IP': '10.96.0.10',
      'External-IP': '<none>',
      'Port(s)': '80:30080/TCP',
      Selector: 'app=web',
    });
    const lb = created(services, svc({ type: 'LoadBalancer' })) as any;
    expect(cells(services, lb, new Date())['External-IP']).toBe('<pending>');
  });
});

describe('endpoints and endpointslices', () => {
  it('ENDPOINTS column shows three then `+ N more...`', () => {
    const ep = {
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip })), ports: [{ port: 80 }] }],
    };
    expect(cells(endpoints, ep, new Date())).toMatchObject({ Endpoints: '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...' });
    expect(cells(endpoints, { metadata: { name: 'x' } }, new Date())).toMatchObject({ Endpoints: '<none>' });
    expect(created(endpoints, ep)).toMatchObject({ subsets: [{ ports: [{ port: 80, protocol: 'TCP' }] }] });
    expect(createErrors(endpoints, ep)).toEqual([]);
  });

  it('endpointslice addressType is required and immutable', () => {
    const slice = { metadata: { name: 'web-abc', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] };
    expect(createErrors(endpointslices, slice)).toEqual([]);
    expect(createErrors(endpointslices, { ...slice, addressType: 'IPX' })).toEqual(['addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"']);
    const old = created(endpointslices, slice);
    expect(updateErrors(endpointslices, old, { ...clone(old), addressType: 'IPv6' } as any)).toEqual(['addressType: Invalid value: "IPv6": field is immutable']);
    expect(cells(endpointslices, old, new Date())).toMatchObject({ AddressType: 'IPv4', Ports: '80', Endpoints: '10.0.0.1' });
  });
});

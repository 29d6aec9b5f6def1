// core/v1 services: defaults, port validation, immutable clusterIP, `kubectl get svc` columns.
// clusterIP/nodePort ALLOCATION belongs to the service REST storage (an allocator over the lab's
// service CIDR and NodePort range); here we only carry allocated values over on update.
import type { FieldError } from '../../../shared/api/errors';
import { isDNS1123Label, isValidPortNum, nameIsDNS1035Label, validateLabels, validateObjectMetaUpdate, isDNS1123Subdomain } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, ensure, forbidden, formatLabels, immutable, invalid, metaErrors, notSupported, required, setDefault } from './common';
import { validatePortNumOrName } from './pod-validation';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

const needsClusterIP = (spec: Obj): boolean => spec.type !== 'ExternalName';
const usesNodePorts = (spec: Obj): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer';

/** SetDefaults_Service plus the single-stack IPv4 family the lab's allocator always chooses. */
export function defaultService(o: Obj): void {
  const spec = ensure(o, 'spec');
  setDefault(spec, 'sessionAffinity', 'None');
  setDefault(spec, 'type', 'ClusterIP');
  for (const p of (spec.ports ?? []) as Obj[]) {
    setDefault(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (usesNodePorts(spec)) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null) spec.allocateLoadBalancerNodePorts = true;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = ensure(ensure(spec, 'sessionAffinityConfig'), 'clientIP');
    setDefault(cfg, 'timeoutSeconds', 10800);
  }
  if (needsClusterIP(spec)) {
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
    if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
  }
  ensure(o, 'status');
  ensure(o.status, 'loadBalancer');
}

/** Carries the server-allocated clusterIP(s) and nodePorts over when an update leaves them empty. */
export function keepAllocatedValues(o: Obj, old: Obj): void {
  const spec = ensure(o, 'spec');
  const prev: Obj = old.spec ?? {};
  if (needsClusterIP(spec) && needsClusterIP(prev)) {
    if (!spec.clusterIP && prev.clusterIP) spec.clusterIP = prev.clusterIP;
    if (!spec.clusterIPs && prev.clusterIPs) spec.clusterIPs = [...prev.clusterIPs];
  }
  if (usesNodePorts(spec) && usesNodePorts(prev)) {
    for (const p of (spec.ports ?? []) as Obj[]) {
      if (p.nodePort) continue;
      const match = ((prev.ports ?? []) as Obj[]).find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
  }
}

function validateServiceSpec(spec: Obj): FieldError[] {
  const out: FieldError[] = [];
  const type = spec.type;
  if (!SERVICE_TYPES.includes(type)) out.push(notSupported('spec.type', type, SERVICE_TYPES));
  const ports = (spec.ports ?? []) as Obj[];
  if (type === 'ExternalName') {
    if (!spec.externalName) out.push(required('spec.externalName'));
    else out.push(...isDNS1123Subdomain(String(spec.externalName).replace(/\.$/, '')).map((m) => invalid('spec.externalName', spec.externalName, m)));
    if (spec.clusterIP && spec.clusterIP !== 'None') out.push(forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
  } else if (ports.length === 0 && spec.clusterIP !== 'None') {
    out.push(required('spec.ports'));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) out.push(required(`${f}.name`));
    if (p.name) {
      out.push(...isDNS1123Label(p.name).map((m) => invalid(`${f}.name`, p.name, m)));
      if (names.has(p.name)) out.push({ type: 'FieldValueDuplicate', field: `${f}.name`, value: p.name });
      names.add(p.name);
    }
    out.push(...isValidPortNum(p.port).map((m) => invalid(`${f}.port`, p.port, m)));
    if (!p.protocol) out.push(required(`${f}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) out.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    out.push(...validatePortNumOrName(p.targetPort, `${f}.targetPort`));
    if (p.nodePort) {
      if (!usesNodePorts(spec)) out.push(forbidden(`${f}.nodePort`, `may not be used when \`type\` is '${type}'`));
      else out.push(...isValidPortNum(p.nodePort).map((m) => invalid(`${f}.nodePort`, p.nodePort, m)));
    }
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) out.push({ type: 'FieldValueDuplicate', field: f, value: { port: p.port, protocol: p.protocol } });
    seen.add(key);
  });
  if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) out.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.clusterIP && spec.clusterIP !== 'None' && !IPV4.test(spec.clusterIP)) {
    out.push(invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if (spec.externalTrafficPolicy !== undefined) {
    if (!usesNodePorts(spec)) out.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) out.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.internalTrafficPolicy !== undefined && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) {
    out.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  out.push(...validateLabels(spec.selector, 'spec.selector'));
  return out;
}

function portsText(o: Obj): string {
  const ports = (o.spec?.ports ?? []) as Obj[];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function externalIPText(o: Obj): string {
  const spec: Obj = o.spec ?? {};
  const lb = ((o.status?.loadBalancer?.ingress ?? []) as Obj[]).map((i) => i.ip || i.hostname).filter(Boolean);
  switch (spec.type) {
    case 'ExternalName':
      return spec.externalName ?? '<none>';
    case 'LoadBalancer': {
      const all = [...lb, ...(spec.externalIPs ?? [])];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    default:
      return (spec.externalIPs ?? []).length > 0 ? spec.externalIPs.join(',') : '<none>';
  }
}

export const services: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status'],
  defaults: (o) => defaultService(o as Obj),
  prepareForUpdate: (o, old) => keepAllocatedValues(o as Obj, old as Obj),
  validate: (o) => [...metaErrors(o, true, nameIsDNS1035Label), ...validateServiceSpec((o as Obj).spec ?? {})],
  validateUpdate: (o, old) => {
    const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
    const spec: Obj = (o as Obj).spec ?? {};
    const prev: Obj = (old as Obj).spec ?? {};
    if (needsClusterIP(spec) && needsClusterIP(prev) && prev.clusterIP) errs.push(...immutable('spec.clusterIP', spec.clusterIP, prev.clusterIP));
    return errs;
  },
  columns: [
    col('Type', 'string', (o) => o.spec?.type ?? '', 0, 'The type of the service.'),
    col('Cluster-IP', 'string', (o) => o.spec?.clusterIP || '<none>', 0, 'IP address of the service.'),
    col('External-IP', 'string', (o) => externalIPText(o), 0, 'External IP addresses of the service.'),
    col('Port(s)', 'string', (o) => portsText(o), 0, 'Port(s) of the service.'),
    ageColumn,
    col('Selector', 'string', (o) => formatLabels(o.spec?.selector), 1, 'Label selector for pods to route traffic to.'),
  ],
};

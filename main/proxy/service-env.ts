// Service environment variables for containers (k8s pkg/kubelet/envvars): for each Service with a
// cluster IP in the pod's namespace when it starts — `<SVC>_SERVICE_HOST`, `<SVC>_SERVICE_PORT`,
// `<SVC>_SERVICE_PORT_<PORTNAME>` and the docker-links family `<SVC>_PORT`, `<SVC>_PORT_<port>_<PROTO>`
// (+ `_PROTO`, `_PORT`, `_ADDR`). The `kubernetes` Service of `default` is always included, even with
// enableServiceLinks: false, as the kubelet does. Services created after the pod started are not seen
// (that is Kubernetes' documented limitation, and why DNS exists).
import type { Pod } from '../../shared/api/pod';
import type { Service } from '../../shared/api/service';
import type { KubeClient } from '../client/client';
import { SERVICES } from '../client/gvr';

export const MASTER_SERVICE_NAMESPACE = 'default';
const MASTER_SERVICES = new Set(['kubernetes']);

const envName = (name: string): string => name.toUpperCase().replace(/-/g, '_');

const hasClusterIP = (svc: Service): boolean => !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';

/** Variables of the given services (FromServices); services without a cluster IP contribute none. */
export function serviceEnvVars(services: Service[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) continue;
    const prefix = envName(svc.metadata.name ?? '');
    const ip = svc.spec!.clusterIP!;
    out[`${prefix}_SERVICE_HOST`] = ip;
    out[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) out[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    ports.forEach((p, i) => {
      const protocol = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${protocol}://${ip}:${p.port}`;
      if (i === 0) out[`${prefix}_PORT`] = url;
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      out[portPrefix] = url;
      out[`${portPrefix}_PROTO`] = protocol;
      out[`${portPrefix}_PORT`] = String(p.port);
      out[`${portPrefix}_ADDR`] = ip;
    });
  }
  return out;
}

/** Which services a pod sees (getServiceEnvVarMap): its namespace's (if links are on) plus the master ones. */
export function servicesForPod(pod: Pod, services: Service[]): Service[] {
  const ns = pod.metadata.namespace ?? '';
  const links = pod.spec?.enableServiceLinks !== false;
  const byName = new Map<string, Service>();
  for (const svc of services) {
    const name = svc.metadata.name ?? '';
    if (svc.metadata.namespace === ns && links) byName.set(name, svc);
  }
  for (const svc of services) {
    const name = svc.metadata.name ?? '';
    if (svc.metadata.namespace === MASTER_SERVICE_NAMESPACE && MASTER_SERVICES.has(name) && !byName.has(name)) byName.set(name, svc);
  }
  return [...byName.values()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** The kubelet's hook (EnvResolverDeps.serviceEnvironment) over the API. */
export function clientServiceEnvironment(client: KubeClient): (pod: Pod) => Promise<Record<string, string>> {
  return async (pod) => {
    const api = client.resource<Service>(SERVICES);
    const ns = pod.metadata.namespace ?? '';
    const local = pod.spec?.enableServiceLinks !== false ? (await api.list(ns)).items : [];
    const master = ns === MASTER_SERVICE_NAMESPACE && local.length ? [] : (await api.list(MASTER_SERVICE_NAMESPACE)).items.filter((s) => MASTER_SERVICES.has(s.metadata.name ?? ''));
    return serviceEnvVars(servicesForPod(pod, [...local, ...master]));
  };
}

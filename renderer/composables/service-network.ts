// What the Service and Endpoints pages show beyond kubectl get: each port with where it goes and how to
// open it from this machine, the names pods use to reach the Service (docs/SERVICES.md "In-cluster
// names"), and every endpoint address, ready or not, with its pod and node.
import type { EndpointAddress, Endpoints, Service } from '../../shared/api/service';

export interface ServicePortRow {
  name?: string;
  protocol: string;
  port: number;
  targetPort: string;
  nodePort?: number;
  /** http://127.0.0.1:<nodePort> for TCP ports of NodePort/LoadBalancer Services (the lab proxy listens there). */
  openUrl?: string;
}

export function servicePortRows(s: Service): ServicePortRow[] {
  const exposed = s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';
  return (s.spec?.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return {
      ...(p.name ? { name: p.name } : {}),
      protocol,
      port: p.port,
      // Kubernetes defaults targetPort to port; show it the way the API stores it (a number or a port name).
      targetPort: String(p.targetPort ?? p.port),
      ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      ...(exposed && p.nodePort && protocol === 'TCP' ? { openUrl: `http://127.0.0.1:${p.nodePort}` } : {}),
    };
  });
}

/** kubectl's EXTERNAL-IP: load balancer ingress, `<pending>` until assigned, external IPs, else `<none>`. */
export function externalIPText(s: Service): string {
  if (s.spec?.type === 'ExternalName') return s.spec.externalName ?? '<none>';
  const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter(Boolean);
  const all = [...ingress, ...(s.spec?.externalIPs ?? [])];
  if (all.length) return all.join(',');
  return s.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

/** The names a pod can use for the Service, shortest first; the short one only from the same namespace. */
export function inClusterNames(s: Service): { name: string; sameNamespaceOnly: boolean }[] {
  const name = s.metadata.name ?? '';
  const ns = s.metadata.namespace ?? 'default';
  if (s.spec?.type === 'ExternalName') return [];
  return [
    { name, sameNamespaceOnly: true },
    { name: `${name}.${ns}`, sameNamespaceOnly: false },
    { name: `${name}.${ns}.svc`, sameNamespaceOnly: false },
    { name: `${name}.${ns}.svc.cluster.local`, sameNamespaceOnly: false },
  ];
}

export interface EndpointAddressRow {
  ip: string;
  ready: boolean;
  ports: string;
  hostname?: string;
  node?: string;
  /** The pod behind the address (targetRef), for a link. */
  pod?: { namespace: string; name: string };
}

export function endpointAddressRows(e: Endpoints | undefined): EndpointAddressRow[] {
  const rows: EndpointAddressRow[] = [];
  for (const subset of e?.subsets ?? []) {
    const ports = (subset.ports ?? []).map((p) => `${p.name ? `${p.name}:` : ''}${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
    const row = (a: EndpointAddress, ready: boolean): EndpointAddressRow => ({
      ip: a.ip,
      ready,
      ports,
      ...(a.hostname ? { hostname: a.hostname } : {}),
      ...(a.nodeName ? { node: a.nodeName } : {}),
      ...(a.targetRef?.kind === 'Pod' && a.targetRef.name ? { pod: { namespace: a.targetRef.namespace ?? e?.metadata.namespace ?? '', name: a.targetRef.name } } : {}),
    });
    rows.push(...(subset.addresses ?? []).map((a) => row(a, true)), ...(subset.notReadyAddresses ?? []).map((a) => row(a, false)));
  }
  // Ready first, then by pod name, so the table does not jump when an address changes sides.
  return rows.sort((a, b) => Number(b.ready) - Number(a.ready) || (a.pod?.name ?? a.ip).localeCompare(b.pod?.name ?? b.ip));
}

// In-cluster Service names for the lab, the way the kubelets publish them: one watcher of Services and
// Endpoints per lab turns them into host-file entries (name → ready endpoint IP) that every kubelet
// writes into its pods' /etc/hosts (hosts-file.ts). See docs/SERVICES.md "In-cluster names" for why
// names point at ready endpoints rather than at ClusterIPs, and what that means for port → targetPort.
import { createHash } from 'node:crypto';
import type { Endpoints, Service } from '../../shared/api/service';
import type { Clock } from '../client/clock';
import type { KubeClient } from '../client/client';
import { SharedInformer } from '../client/informer';

export const CLUSTER_DOMAIN = 'cluster.local';

export interface HostsEntry {
  ip: string;
  names: string[];
}

interface ServiceNames {
  name: string;
  namespace: string;
  headless: boolean;
  /** Ready endpoint IPs, sorted, deduplicated. */
  ready: string[];
  /** Ready addresses that carry a hostname (pods with spec.hostname + spec.subdomain = this Service). */
  hostnames: Array<{ hostname: string; ip: string }>;
}

/** Names a Service answers to, seen from a pod in `fromNamespace` (short forms: hosts files get no search list). */
export function serviceNames(name: string, namespace: string, fromNamespace: string): string[] {
  const names = [`${name}.${namespace}.svc.${CLUSTER_DOMAIN}`, `${name}.${namespace}.svc`, `${name}.${namespace}`];
  if (namespace === fromNamespace) names.push(name);
  return names;
}

/** A stable pick of one endpoint per (client pod, Service): clients spread over endpoints, each keeps its choice. */
export function pickEndpoint(ready: string[], podUid: string, serviceKey: string): string | undefined {
  if (ready.length === 0) return undefined;
  const h = createHash('sha1').update(`${podUid}/${serviceKey}`).digest();
  return ready[h.readUInt32BE(0) % ready.length];
}

/** Entries for one service table, as seen by one pod. Pure, for tests. */
export function entriesFor(services: Iterable<ServiceNames>, pod: { uid: string; namespace: string }): HostsEntry[] {
  const out: HostsEntry[] = [];
  const sorted = [...services].sort((a, b) => (a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)));
  for (const s of sorted) {
    const names = serviceNames(s.name, s.namespace, pod.namespace);
    if (s.headless) {
      // A headless name is every ready pod in DNS; a hosts file lists them all (resolvers take the first).
      for (const ip of s.ready) out.push({ ip, names });
    } else {
      const ip = pickEndpoint(s.ready, pod.uid, `${s.namespace}/${s.name}`);
      if (ip) out.push({ ip, names });
    }
    for (const { hostname, ip } of s.hostnames) {
      const fqdn = `${hostname}.${s.name}.${s.namespace}.svc.${CLUSTER_DOMAIN}`;
      const short = [`${hostname}.${s.name}.${s.namespace}.svc`, `${hostname}.${s.name}.${s.namespace}`];
      if (s.namespace === pod.namespace) short.push(`${hostname}.${s.name}`);
      out.push({ ip, names: [fqdn, ...short] });
    }
  }
  return out;
}

function namesOf(svc: Service, ep: Endpoints | undefined): ServiceNames | undefined {
  if (svc.spec?.type === 'ExternalName') return undefined;
  const ready = new Set<string>();
  const hostnames = new Map<string, string>();
  for (const subset of ep?.subsets ?? []) {
    for (const a of subset.addresses ?? []) {
      // The `kubernetes` Service's endpoint is the API on the host's loopback, which a pod cannot reach.
      if (a.ip.startsWith('127.') || a.ip === '::1') continue;
      ready.add(a.ip);
      if (a.hostname) hostnames.set(a.hostname, a.ip);
    }
  }
  return {
    name: svc.metadata.name ?? '',
    namespace: svc.metadata.namespace ?? 'default',
    headless: svc.spec?.clusterIP === 'None',
    ready: [...ready].sort(),
    hostnames: [...hostnames].sort(([a], [b]) => a.localeCompare(b)).map(([hostname, ip]) => ({ hostname, ip })),
  };
}

export interface ClusterNamesOptions {
  client: KubeClient;
  clock: Clock;
  logger?: { warn(message: string): void };
}

/** Watches Services and Endpoints of the whole lab; tells listeners when the name table changed. */
export class ClusterNames {
  private readonly services: SharedInformer<Service>;
  private readonly endpoints: SharedInformer<Endpoints>;
  private readonly table = new Map<string, ServiceNames>();
  private readonly listeners = new Set<() => void>();
  private version = 0;

  constructor(options: ClusterNamesOptions) {
    const common = { clock: options.clock, logger: options.logger };
    this.services = new SharedInformer<Service>(options.client.services<Service>(), common);
    this.endpoints = new SharedInformer<Endpoints>(options.client.endpoints<Endpoints>(), common);
    const refresh = (o: { metadata: { namespace?: string; name?: string } }): void => this.refresh(`${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? ''}`);
    for (const informer of [this.services, this.endpoints] as Array<SharedInformer<Service | Endpoints>>) {
      informer.addEventHandler({ onAdd: refresh, onUpdate: (_old, o) => refresh(o), onDelete: refresh });
    }
  }

  async start(): Promise<void> {
    this.services.start();
    this.endpoints.start();
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]);
  }

  stop(): void {
    this.services.stop();
    this.endpoints.stop();
    this.listeners.clear();
  }

  /** Called after each change of the table (not for events that change no name). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Increases with each change; lets writers skip work when nothing moved. */
  get generation(): number {
    return this.version;
  }

  entriesFor(pod: { uid: string; namespace: string }): HostsEntry[] {
    return entriesFor(this.table.values(), pod);
  }

  private refresh(key: string): void {
    const svc = this.services.indexer.getByKey(key);
    const next = svc ? namesOf(svc, this.endpoints.indexer.getByKey(key)) : undefined;
    const before = this.table.get(key);
    if (JSON.stringify(before) === JSON.stringify(next)) return;
    if (next) this.table.set(key, next);
    else this.table.delete(key);
    this.version++;
    for (const l of this.listeners) l();
  }
}

// ClusterIP and NodePort allocation for core/v1 Services, as the service REST storage of
// kube-apiserver does it: at write time, before validation, over the lab's service CIDR and NodePort
// range. It runs as a mutating admission plugin because that is where the lab's write pipeline lets a
// server-owned value be filled in before validation (see rest/pipeline.ts).
//
// Why the bookkeeping follows a store watch instead of a bitmap of its own: the store IS the truth of
// what is allocated (like Kubernetes' repair loop, but continuous). A restart lists services and
// rebuilds; a delete frees at the moment the object leaves the store (not when DELETE is asked, since
// finalizers may hold it); a failed create leaks nothing for longer than PENDING_TTL_MS. Values handed out
// but not yet committed are "pending" so two concurrent creates never get the same IP or port.
import { ApiError, type FieldError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import type { Store, StoreWatch } from '../../store/store';
import type { AdmissionContext, AdmissionPlugin } from '../admission';
import type { Obj } from './common';
import { keepAllocatedValues } from './services';

export const SERVICE_CIDR = '10.96.0.0/12';
/** The first address of the range, kept for the `kubernetes` Service in `default` (as every cluster). */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
const PENDING_TTL_MS = 30_000;
const SERVICES_PREFIX = '/core/services/';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function ipToNumber(ip: string): number | undefined {
  const m = IPV4.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export const numberToIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

const CIDR_BASE = ipToNumber('10.96.0.0')!;
const CIDR_SIZE = 1 << 20;

const needsClusterIP = (spec: Obj): boolean => spec.type !== 'ExternalName';
/** NodePort services, and LoadBalancers unless they opted out of node ports. */
const wantsNodePorts = (spec: Obj): boolean =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

interface Allocation {
  ips: string[];
  nodePorts: number[];
}

interface Pending {
  owner: string;
  expiresAt: number;
}

export interface ServiceAllocatorOptions {
  random?: () => number;
  now?: () => number;
}

export interface ServiceAllocator extends AdmissionPlugin {
  /** Resolves once the existing services were read from the store. */
  ready: Promise<void>;
  /** Who holds an IP or NodePort right now (committed or pending), as "namespace/name". */
  ownerOfIP(ip: string): string | undefined;
  ownerOfNodePort(port: number): string | undefined;
  stop(): void;
}

const ownerOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

function allocationOf(o: KubeObject): Allocation {
  const spec: Obj = (o as Obj).spec ?? {};
  const ips = ((spec.clusterIPs as string[] | undefined) ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
  const nodePorts = ((spec.ports ?? []) as Obj[]).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number' && n > 0);
  return { ips, nodePorts };
}

export function createServiceAllocator(store: Store, options: ServiceAllocatorOptions = {}): ServiceAllocator {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const committed = new Map<string, Allocation>();
  const ipOwners = new Map<string, string>();
  const portOwners = new Map<number, string>();
  const pendingIPs = new Map<string, Pending>();
  const pendingPorts = new Map<number, Pending>();
  let watch: StoreWatch | undefined;
  let stopped = false;

  const commit = (owner: string, next: Allocation | undefined): void => {
    const prev = committed.get(owner);
    for (const ip of prev?.ips ?? []) if (ipOwners.get(ip) === owner) ipOwners.delete(ip);
    for (const p of prev?.nodePorts ?? []) if (portOwners.get(p) === owner) portOwners.delete(p);
    if (next) {
      committed.set(owner, next);
      for (const ip of next.ips) if (!ipOwners.has(ip)) ipOwners.set(ip, owner);
      for (const p of next.nodePorts) if (!portOwners.has(p)) portOwners.set(p, owner);
    } else committed.delete(owner);
    // What this owner's write committed supersedes whatever it had pending.
    for (const [ip, p] of pendingIPs) if (p.owner === owner) pendingIPs.delete(ip);
    for (const [port, p] of pendingPorts) if (p.owner === owner) pendingPorts.delete(port);
  };

  const ready = (async () => {
    const listed = await store.list(SERVICES_PREFIX);
    for (const o of listed.items) commit(ownerOf(o), allocationOf(o));
    if (stopped) return;
    watch = store.watch(SERVICES_PREFIX, listed.resourceVersion, (e) => {
      commit(ownerOf(e.object), e.type === 'DELETED' ? undefined : allocationOf(e.object));
    });
  })();

  const holderOf = <K>(owners: Map<K, string>, pending: Map<K, Pending>, key: K): string | undefined => {
    const c = owners.get(key);
    if (c) return c;
    const p = pending.get(key);
    if (p && p.expiresAt > now()) return p.owner;
    if (p) pending.delete(key);
    return undefined;
  };
  const ipHolder = (ip: string): string | undefined => holderOf(ipOwners, pendingIPs, ip);
  const portHolder = (port: number): string | undefined => holderOf(portOwners, pendingPorts, port);

  function pickIP(owner: string, taken: Set<string>): string | undefined {
    // Random probes first (as Kubernetes' allocator), then a scan so a nearly full range still succeeds.
    const free = (n: number): boolean => {
      const ip = numberToIp(CIDR_BASE + n);
      const holder = ipHolder(ip);
      return (!holder || holder === owner) && !taken.has(ip);
    };
    for (let i = 0; i < 64; i++) {
      const n = 2 + Math.floor(random() * (CIDR_SIZE - 3));
      if (free(n)) return numberToIp(CIDR_BASE + n);
    }
    for (let n = 2; n < CIDR_SIZE - 1; n++) if (free(n)) return numberToIp(CIDR_BASE + n);
    return undefined;
  }

  function pickPort(owner: string, taken: Set<number>): number | undefined {
    const size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    const start = Math.floor(random() * size);
    for (let i = 0; i < size; i++) {
      const port = NODE_PORT_MIN + ((start + i) % size);
      const holder = portHolder(port);
      if ((!holder || holder === owner) && !taken.has(port)) return port;
    }
    return undefined;
  }

  /** Kubernetes clears type-dependent fields the user left unchanged when the type changes (dropTypeDependentFields). */
  function dropTypeDependentFields(spec: Obj, prev: Obj): void {
    if (!needsClusterIP(spec) && needsClusterIP(prev)) {
      if (spec.clusterIP === prev.clusterIP) delete spec.clusterIP;
      if (JSON.stringify(spec.clusterIPs) === JSON.stringify(prev.clusterIPs)) delete spec.clusterIPs;
      delete spec.ipFamilies;
      delete spec.ipFamilyPolicy;
      delete spec.internalTrafficPolicy;
    }
    if (!wantsNodePorts(spec) && wantsNodePorts(prev)) {
      const prevPorts = new Set(((prev.ports ?? []) as Obj[]).map((p) => p.nodePort));
      for (const p of (spec.ports ?? []) as Obj[]) if (p.nodePort && prevPorts.has(p.nodePort)) delete p.nodePort;
    }
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') delete spec.externalTrafficPolicy;
  }

  async function admit(ctx: AdmissionContext): Promise<void> {
    if (ctx.resource.group !== '' || ctx.resource.resource !== 'services' || ctx.subresource) return;
    if (ctx.operation !== 'CREATE' && ctx.operation !== 'UPDATE') return;
    await ready;
    const obj = ctx.object as Obj | undefined;
    if (!obj) return;
    const spec: Obj = (obj.spec ??= {});
    const owner = ownerOf(obj as KubeObject);
    if (ctx.operation === 'UPDATE' && ctx.oldObject) {
      const prev: Obj = (ctx.oldObject as Obj).spec ?? {};
      dropTypeDependentFields(spec, prev);
      keepAllocatedValues(obj, ctx.oldObject as Obj);
    }
    const errs: FieldError[] = [];
    const newIPs: string[] = [];
    const newPorts: number[] = [];

    if (needsClusterIP(spec)) {
      const requested: string | undefined = spec.clusterIP || (Array.isArray(spec.clusterIPs) ? spec.clusterIPs[0] : undefined);
      if (requested === 'None') {
        spec.clusterIP = 'None';
        spec.clusterIPs = ['None'];
      } else if (requested) {
        const n = ipToNumber(requested);
        // A malformed address is left to validation, which names it properly.
        if (n !== undefined) {
          const holder = ipHolder(requested);
          if (n < CIDR_BASE || n >= CIDR_BASE + CIDR_SIZE) {
            errs.push({
              type: 'FieldValueInvalid',
              field: 'spec.clusterIPs',
              value: [requested],
              printedValue: `[]string{"${requested}"}`,
              detail: `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`,
            });
          } else if (holder && holder !== owner) {
            errs.push({
              type: 'FieldValueInvalid',
              field: 'spec.clusterIPs',
              value: [requested],
              printedValue: `[]string{"${requested}"}`,
              detail: `failed to allocate IP ${requested}: provided IP is already allocated`,
            });
          } else newIPs.push(requested);
          spec.clusterIP = requested;
          spec.clusterIPs = [requested];
        }
      } else {
        const ip = pickIP(owner, new Set());
        if (!ip) throw ApiError.internal(`failed to allocate a serviceIP: range is full`);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
        newIPs.push(ip);
      }
    }

    if (wantsNodePorts(spec)) {
      const mine = new Set<number>();
      const ports = (spec.ports ?? []) as Obj[];
      ports.forEach((p, i) => {
        if (!p.nodePort) return;
        const field = `spec.ports[${i}].nodePort`;
        if (typeof p.nodePort !== 'number') return;
        if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
          errs.push({ type: 'FieldValueInvalid', field, value: p.nodePort, detail: `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}` });
          return;
        }
        const holder = portHolder(p.nodePort);
        if (holder && holder !== owner) errs.push({ type: 'FieldValueInvalid', field, value: p.nodePort, detail: 'provided port is already allocated' });
        else {
          mine.add(p.nodePort);
          newPorts.push(p.nodePort);
        }
      });
      for (const p of ports) {
        if (p.nodePort) continue;
        // One node port serves the same port number over two protocols (Kubernetes shares it likewise).
        const sibling = ports.find((q) => q !== p && q.port === p.port && q.nodePort);
        const port = sibling?.nodePort ?? pickPort(owner, mine);
        if (!port) throw ApiError.internal('failed to allocate a nodePort: range is full');
        p.nodePort = port;
        mine.add(port);
        newPorts.push(port);
      }
    }

    if (errs.length) throw ApiError.invalid('', 'Service', obj.metadata?.name ?? '', errs);
    if (ctx.dryRun) return;
    const expiresAt = now() + PENDING_TTL_MS;
    for (const ip of newIPs) if (!ipOwners.has(ip)) pendingIPs.set(ip, { owner, expiresAt });
    for (const port of newPorts) if (!portOwners.has(port)) pendingPorts.set(port, { owner, expiresAt });
  }

  return {
    name: 'ServiceAllocation',
    admit,
    ready,
    ownerOfIP: ipHolder,
    ownerOfNodePort: portHolder,
    stop() {
      stopped = true;
      watch?.stop();
    },
  };
}

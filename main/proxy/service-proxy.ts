// The lab's kube-proxy: for every TCP port of a NodePort or LoadBalancer Service, a listener on
// 127.0.0.1:<nodePort> that forwards each connection to a ready endpoint of the Service, round robin.
// Endpoints come from EndpointSlices (ready condition, as kube-proxy reads them); a terminating or
// not-ready endpoint gets no new connection. The host never dials a pod IP (Docker Desktop cannot):
// `resolveBackend` maps an endpoint (pod + target port) to the 127.0.0.1 port that pod's sandbox
// publishes, and a failed dial tries the next endpoint. Fault hooks: see faults.ts.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { EndpointSlice, Service } from '../../shared/api/service';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { ENDPOINTSLICES, SERVICES } from '../client/gvr';
import type { SharedInformer } from '../client/informer';
import { SharedInformerFactory } from '../client/informer-factory';
import { decideFault, validateServiceFaults, type ServiceFaults } from './faults';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** One ready endpoint of a service port, as the proxy needs it. */
export interface ProxyEndpoint {
  namespace: string;
  podName?: string;
  podUid?: string;
  ip: string;
  /** The resolved target (container) port. */
  port: number;
}

export interface BackendTarget {
  host: string;
  port: number;
}

export interface BackendResolver {
  resolve(endpoint: ProxyEndpoint): Promise<BackendTarget | undefined>;
  /** A dial to what resolve() answered failed: forget any cached answer. */
  forget?(endpoint: ProxyEndpoint): void;
}

export interface ProxyLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface ServiceProxyOptions {
  client: KubeClient;
  resolver: BackendResolver;
  informers?: SharedInformerFactory;
  clock?: Clock;
  /** Address the node ports listen on; the lab keeps them on loopback. */
  host?: string;
  random?: () => number;
  logger?: ProxyLogger;
  /** How often a node port that could not be bound is tried again. */
  rebindMs?: number;
  connectTimeoutMs?: number;
}

export interface NodePortListener {
  namespace: string;
  service: string;
  portName: string;
  nodePort: number;
  listening: boolean;
  error?: string;
}

interface Listener extends NodePortListener {
  server?: Server;
  retry?: ReturnType<typeof setTimeout>;
}

const svcKey = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

export class ServiceProxy {
  private readonly informers: SharedInformerFactory;
  private readonly ownInformers: boolean;
  private readonly services: SharedInformer<Service>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly listeners = new Map<number, Listener>();
  private readonly faults = new Map<string, ServiceFaults>();
  private readonly cursors = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  /** sessionAffinity ClientIP: client address → endpoint ip, per service port, with its expiry. */
  private readonly affinity = new Map<string, { ip: string; expiresAt: number }>();
  /** Endpoints already reported as unreachable from the host (one warning each). */
  private readonly unpublishedReported = new Set<string>();
  private readonly clock: Clock;
  private readonly recorder: EventRecorder;
  private readonly host: string;
  private readonly random: () => number;
  private readonly logger: ProxyLogger;
  private stopped = false;

  constructor(private readonly options: ServiceProxyOptions) {
    const clock = options.clock ?? new RealClock();
    this.clock = clock;
    this.ownInformers = !options.informers;
    this.informers = options.informers ?? new SharedInformerFactory(options.client, { clock });
    this.host = options.host ?? '127.0.0.1';
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? { info: () => undefined, warn: (m) => console.warn(m) };
    this.recorder = new EventRecorder(options.client, { component: 'kube-proxy', clock });
    this.services = this.informers.informerFor<Service>(SERVICES);
    this.slices = this.informers.informerFor<EndpointSlice>(ENDPOINTSLICES);
    const sync = (): void => this.syncListeners();
    this.services.addEventHandler({ onAdd: sync, onUpdate: sync, onDelete: sync });
  }

  async start(): Promise<void> {
    if (this.ownInformers) this.informers.start();
    await this.services.waitForSync();
    this.syncListeners();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.listeners.values()) this.closeListener(l);
    this.listeners.clear();
    for (const s of this.sockets) s.destroy();
    if (this.ownInformers) this.informers.shutdown();
  }

  /** Installs (or with undefined, clears) the fault config of one Service. Throws ApiError 422 on bad values. */
  setServiceFaults(namespace: string, name: string, faults: ServiceFaults | undefined): void {
    if (!faults) {
      this.faults.delete(svcKey(namespace, name));
      return;
    }
    validateServiceFaults(faults);
    this.faults.set(svcKey(namespace, name), { ...faults });
  }

  getServiceFaults(namespace: string, name: string): ServiceFaults | undefined {
    const f = this.faults.get(svcKey(namespace, name));
    return f ? { ...f } : undefined;
  }

  /** What the proxy serves right now (for the dashboard and tests). */
  nodePorts(): NodePortListener[] {
    return [...this.listeners.values()].map(({ namespace, service, portName, nodePort, listening, error }) => ({ namespace, service, portName, nodePort, listening, error }));
  }

  /** Ready endpoints of a service port, from its EndpointSlices. */
  readyEndpoints(namespace: string, service: string, portName: string): ProxyEndpoint[] {
    const out: ProxyEndpoint[] = [];
    for (const slice of this.slices.lister.listNamespace(namespace)) {
      if (slice.metadata.labels?.[SERVICE_NAME_LABEL] !== service) continue;
      const port = slice.ports?.find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP')?.port;
      if (!port) continue;
      for (const e of slice.endpoints ?? []) {
        // A nil ready condition means ready (discovery.k8s.io/v1 semantics).
        if (e.conditions?.ready === false || e.conditions?.terminating) continue;
        out.push({ namespace, podName: e.targetRef?.name, podUid: e.targetRef?.uid, ip: e.addresses[0], port });
      }
    }
    return out.sort((a, b) => a.ip.localeCompare(b.ip));
  }

  private syncListeners(): void {
    if (this.stopped) return;
    const desired = new Map<number, { namespace: string; service: string; portName: string; svc: Service }>();
    for (const svc of this.services.lister.list()) {
      const type = svc.spec?.type;
      if (type !== 'NodePort' && type !== 'LoadBalancer') continue;
      for (const p of svc.spec?.ports ?? []) {
        if (!p.nodePort || (p.protocol ?? 'TCP') !== 'TCP' || desired.has(p.nodePort)) continue;
        desired.set(p.nodePort, { namespace: svc.metadata.namespace ?? '', service: svc.metadata.name ?? '', portName: p.name ?? '', svc });
      }
    }
    for (const [port, l] of this.listeners) {
      const want = desired.get(port);
      if (!want || want.namespace !== l.namespace || want.service !== l.service || want.portName !== l.portName) {
        this.closeListener(l);
        this.listeners.delete(port);
        this.logger.info(`service proxy: closed 127.0.0.1:${port} (${l.namespace}/${l.service})`);
      }
    }
    for (const [port, want] of desired) {
      if (this.listeners.has(port)) continue;
      const l: Listener = { namespace: want.namespace, service: want.service, portName: want.portName, nodePort: port, listening: false };
      this.listeners.set(port, l);
      this.open(l, want.svc);
    }
  }

  private open(l: Listener, svc: Service): void {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => void this.handle(l, socket));
    l.server = server;
    server.once('error', (err: NodeJS.ErrnoException) => {
      l.listening = false;
      // Report once per episode; the retries that follow stay quiet until the port is bound again.
      const firstFailure = l.error === undefined;
      l.error = err.message;
      if (this.listeners.get(l.nodePort) !== l || this.stopped) return;
      const message = `can't listen on ${this.host}:${l.nodePort} for Service ${l.namespace}/${l.service}${l.portName ? ` port "${l.portName}"` : ''}: ${err.code ?? err.message}; another program holds the port — stop it or give the Service another nodePort (retrying every ${Math.round((this.options.rebindMs ?? 5000) / 1000)}s)`;
      if (firstFailure) {
        this.logger.warn(`service proxy: ${message}`);
        this.recorder.event(svc, 'Warning', 'NodePortUnavailable', message);
      }
      l.retry = setTimeout(() => {
        if (this.listeners.get(l.nodePort) === l && !this.stopped) this.open(l, svc);
      }, this.options.rebindMs ?? 5000);
      l.retry.unref?.();
    });
    server.listen(l.nodePort, this.host, () => {
      l.listening = true;
      l.error = undefined;
      this.logger.info(`service proxy: serving ${l.namespace}/${l.service} on ${this.host}:${l.nodePort}`);
    });
  }

  /** The host reaches a pod only through ports its sandbox publishes: say so once, with the fix. */
  private reportUnpublished(ep: ProxyEndpoint, svc: Service | undefined): void {
    const key = `${ep.podUid ?? ep.ip}:${ep.port}`;
    if (this.unpublishedReported.has(key)) return;
    this.unpublishedReported.add(key);
    const message = `can't reach port ${ep.port} of pod ${ep.namespace}/${ep.podName ?? ep.ip} from the host: the pod does not publish it; declare it in the container's ports (containerPort: ${ep.port}) so its sandbox publishes it`;
    this.logger.warn(`service proxy: ${message}`);
    if (svc) this.recorder.event(svc, 'Warning', 'EndpointUnreachable', message);
  }

  private closeListener(l: Listener): void {
    if (l.retry) clearTimeout(l.retry);
    l.server?.close();
    l.server = undefined;
    l.listening = false;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  private async handle(l: Listener, client: Socket): Promise<void> {
    this.track(client);
    const decision = decideFault(this.faults.get(svcKey(l.namespace, l.service)), this.random);
    if (decision.kind === 'drop') {
      client.resume();
      client.on('data', () => undefined);
      const t = setTimeout(() => client.destroy(), decision.holdMs);
      client.once('close', () => clearTimeout(t));
      return;
    }
    if (decision.kind === 'error') {
      if (decision.mode === 'reset') client.resetAndDestroy();
      else client.end();
      return;
    }
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    if (client.destroyed) return;
    const endpoints = this.readyEndpoints(l.namespace, l.service, l.portName);
    const cursorKey = `${l.namespace}/${l.service}:${l.portName}`;
    let start = this.cursors.get(cursorKey) ?? 0;
    this.cursors.set(cursorKey, start + 1);
    const svc = this.services.lister.get(l.namespace, l.service);
    const affinityTimeoutMs = svc?.spec?.sessionAffinity === 'ClientIP' ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) * 1000 : 0;
    const affinityKey = `${cursorKey}@${client.remoteAddress ?? ''}`;
    if (affinityTimeoutMs > 0) {
      const pinned = this.affinity.get(affinityKey);
      const at = pinned && pinned.expiresAt > this.clock.nowMs() ? endpoints.findIndex((e) => e.ip === pinned.ip) : -1;
      if (at >= 0) start = at;
    }
    for (let i = 0; i < endpoints.length; i++) {
      const ep = endpoints[(start + i) % endpoints.length];
      const upstream = await this.dial(ep, svc);
      if (!upstream) continue;
      if (affinityTimeoutMs > 0) this.affinity.set(affinityKey, { ip: ep.ip, expiresAt: this.clock.nowMs() + affinityTimeoutMs });
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      this.track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      return;
    }
    // No ready endpoint answered: refuse the way a node without endpoints does (kube-proxy REJECTs).
    this.logger.info(`service proxy: no ready endpoint for ${l.namespace}/${l.service} on port ${l.nodePort}`);
    client.resetAndDestroy();
  }

  private async dial(ep: ProxyEndpoint, svc: Service | undefined): Promise<Socket | undefined> {
    let target: BackendTarget | undefined;
    try {
      target = await this.options.resolver.resolve(ep);
    } catch {
      target = undefined;
    }
    if (!target) {
      this.reportUnpublished(ep, svc);
      return undefined;
    }
    const timeoutMs = this.options.connectTimeoutMs ?? 2000;
    return new Promise((resolve) => {
      const socket = connect({ host: target.host, port: target.port, allowHalfOpen: true });
      const timer = setTimeout(() => fail(), timeoutMs);
      const fail = (): void => {
        clearTimeout(timer);
        socket.destroy();
        this.options.resolver.forget?.(ep);
        resolve(undefined);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', fail);
        resolve(socket);
      });
    });
  }
}

// HandlerRunner: probe handlers and lifecycle hooks (exec, httpGet, tcpSocket, grpc, sleep) run against
// a container, with Kubernetes' success rules and failure texts (pkg/probe/{exec,http,tcp,grpc}).
// The host never dials a container IP (Docker Desktop cannot): httpGet/tcpSocket/grpc go to the port
// the pod's sandbox publishes on 127.0.0.1 for the container port. Messages still name the pod IP and
// container port, as a user reading `kubectl describe` expects.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import type { Container, IntOrString, Pod, Probe } from '../../shared/api/pod';
import { RealClock, type Clock } from '../client/clock';
import { RuntimeLabels, type ContainerRuntime, type PublishedPort } from '../runtime/runtime';
import type { HandlerRunner, ProbeResult } from './types';

/** Kubernetes sends `kube-probe/<major>.<minor>`; the lab serves 1.32. */
export const PROBE_USER_AGENT = 'kube-probe/1.32';
/** Kubernetes reads at most 10 KiB of a probe's HTTP body. */
const MAX_BODY = 10 * 1024;

export interface HandlerRunnerDeps {
  runtime: ContainerRuntime;
  clock?: Clock;
  /**
   * The ports the pod's sandbox publishes on 127.0.0.1. Default: looks the sandbox up by its labels;
   * the kubelet core may pass its own cached view instead.
   */
  publishedPorts?: (pod: Pod) => Promise<PublishedPort[]>;
}

type Target = { dialHost: string; dialPort: number; shownHost: string; shownPort: number };

/** Resolves a named port against the container's ports (probe.findPortByName). */
export function resolvePort(container: Container, port: IntOrString): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = container.ports?.find((p) => p.name === port);
  if (!found) throw new Error(`couldn't find port: ${port} in container "${container.name}"`);
  return found.containerPort;
}

export function createHandlerRunner(deps: HandlerRunnerDeps): HandlerRunner {
  const clock = deps.clock ?? new RealClock();
  // The sandbox's IP for messages while the pod object the prober holds has no status.podIP yet.
  const sandboxIPs = new Map<string, string>();
  const publishedPorts =
    deps.publishedPorts ??
    (async (pod: Pod): Promise<PublishedPort[]> => {
      const sandboxes = await deps.runtime.listContainers({ [RuntimeLabels.podUid]: pod.metadata.uid ?? '', [RuntimeLabels.container]: 'POD' });
      const running = sandboxes.find((s) => s.state === 'running') ?? sandboxes[0];
      if (running?.ip) sandboxIPs.set(pod.metadata.uid ?? '', running.ip);
      else sandboxIPs.delete(pod.metadata.uid ?? '');
      return running?.ports ?? [];
    });

  async function target(pod: Pod, container: Container, port: IntOrString, host: string | undefined): Promise<Target> {
    const containerPort = resolvePort(container, port);
    if (host) return { dialHost: host, dialPort: containerPort, shownHost: host, shownPort: containerPort };
    const published = (await publishedPorts(pod)).find((p) => p.containerPort === containerPort && p.protocol === 'TCP');
    if (!published) {
      throw new Error(`port ${containerPort} of pod ${pod.metadata.namespace}/${pod.metadata.name} is not published on the host; the sandbox publishes containerPorts and probe ports when it starts`);
    }
    return { dialHost: published.hostIP && published.hostIP !== '0.0.0.0' ? published.hostIP : '127.0.0.1', dialPort: published.hostPort, shownHost: pod.status?.podIP || sandboxIPs.get(pod.metadata.uid ?? '') || '127.0.0.1', shownPort: containerPort };
  }

  return {
    async run(pod, container, info, handler, timeoutMs) {
      const started = clock.nowMs();
      const t0 = performance.now();
      const done = (ok: boolean, message: string): ProbeResult => ({
        time: new Date(started).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ok,
        latencyMs: Math.round((performance.now() - t0) * 10) / 10,
        message,
      });
      try {
        if (deps.runtime.simulateProbe && !('sleep' in handler && handler.sleep)) {
          const h = handler as Probe;
          const kind = h.exec ? 'exec' : h.httpGet ? 'httpGet' : h.tcpSocket ? 'tcpSocket' : h.grpc ? 'grpc' : undefined;
          if (kind) {
            const port = h.httpGet?.port ?? h.tcpSocket?.port ?? h.grpc?.port;
            const r = await deps.runtime.simulateProbe(info.id, {
              handler: kind,
              port: port === undefined ? undefined : resolvePort(container, port),
              path: h.httpGet?.path,
              command: h.exec?.command,
            });
            return done(r.ok, r.message);
          }
        }
        if (handler.exec) {
          const command = handler.exec.command ?? [];
          const r = await deps.runtime.exec(info.id, command, { timeoutMs });
          if (r.timedOut) return done(false, `command ${JSON.stringify(command.join(' '))} timed out`);
          return done(r.exitCode === 0, r.stdout + r.stderr);
        }
        if (handler.httpGet) {
          const g = handler.httpGet;
          const t = await target(pod, container, g.port, g.host);
          const r = await httpProbe(t, g.scheme ?? 'HTTP', g.path ?? '/', g.httpHeaders ?? [], timeoutMs);
          return done(r.ok, r.message);
        }
        if (handler.tcpSocket) {
          const t = await target(pod, container, handler.tcpSocket.port, handler.tcpSocket.host);
          const r = await tcpProbe(t, timeoutMs);
          return done(r.ok, r.message);
        }
        if ('grpc' in handler && handler.grpc) {
          const t = await target(pod, container, handler.grpc.port, undefined);
          const r = await grpcProbe(t, handler.grpc.service ?? '', timeoutMs);
          return done(r.ok, r.message);
        }
        if ('sleep' in handler && handler.sleep) {
          const ms = Math.max(0, handler.sleep.seconds) * 1000;
          await new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
          return done(true, '');
        }
        return done(false, 'missing probe handler');
      } catch (e) {
        return done(false, (e as Error).message);
      }
    },
  };
}

const shownUrl = (t: Target, scheme: string, path: string): string =>
  `${scheme.toLowerCase()}://${t.shownHost}:${t.shownPort}${path.startsWith('/') ? path : `/${path}`}`;

/** Go's net error text for a failed dial (what kubectl describe shows in Kubernetes). */
function dialError(t: Target, e: NodeJS.ErrnoException): string {
  const where = `dial tcp ${t.shownHost}:${t.shownPort}`;
  if (e.code === 'ECONNREFUSED') return `${where}: connect: connection refused`;
  // Before any response, a reset is Docker's userland proxy finding nothing listening in the container.
  if (e.code === 'ECONNRESET') return `${where}: connect: connection refused`;
  if (e.code === 'ETIMEDOUT') return `${where}: i/o timeout`;
  return `${where}: ${e.message}`;
}

function httpProbe(t: Target, scheme: 'HTTP' | 'HTTPS', path: string, headers: { name: string; value: string }[], timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  const url = shownUrl(t, scheme, path);
  const reqHeaders: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*' };
  for (const h of headers) {
    const existing = Object.keys(reqHeaders).find((k) => k.toLowerCase() === h.name.toLowerCase());
    if (existing) delete reqHeaders[existing];
    reqHeaders[h.name] = h.value;
  }
  const send = scheme === 'HTTPS' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: { ok: boolean; message: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = send(
      {
        host: t.dialHost,
        port: t.dialPort,
        path: path.startsWith('/') ? path : `/${path}`,
        method: 'GET',
        headers: reqHeaders,
        rejectUnauthorized: false, // Kubernetes probes skip TLS verification
        agent: false,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c.subarray(0, MAX_BODY - size));
          size += c.length;
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8');
          if (code >= 200 && code < 400) finish({ ok: true, message: body });
          else finish({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
        });
        res.on('error', (e) => finish({ ok: false, message: `Get ${JSON.stringify(url)}: ${e.message}` }));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, message: `Get ${JSON.stringify(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, message: `Get ${JSON.stringify(url)}: ${dialError(t, e)}` }));
    req.end();
  });
}

/**
 * How long a connected probe socket must stay open to count. Docker's userland proxy accepts on the
 * published port even when nothing listens in the container, then closes at once when it cannot reach
 * the container; a socket closed by the peer this quickly, with no data, is a refused connection.
 */
const PROXY_SETTLE_MS = 200;

function tcpProbe(t: Target, timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = netConnect({ host: t.dialHost, port: t.dialPort });
    const finish = (r: { ok: boolean; message: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, message: `dial tcp ${t.shownHost}:${t.shownPort}: i/o timeout` }), timeoutMs);
    socket.once('connect', () => {
      setTimeout(() => finish({ ok: true, message: '' }), Math.min(PROXY_SETTLE_MS, timeoutMs / 2));
    });
    socket.once('data', () => finish({ ok: true, message: '' }));
    socket.once('close', () => finish({ ok: false, message: `dial tcp ${t.shownHost}:${t.shownPort}: connect: connection refused` }));
    socket.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, message: dialError(t, e) }));
  });
}

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** grpc.health.v1.Health/Check over HTTP/2 with a hand-encoded HealthCheckRequest{service}. */
function grpcProbe(t: Target, service: string, timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const session = http2Connect(`http://${t.dialHost}:${t.dialPort}`);
    const finish = (r: { ok: boolean; message: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, message: `timeout: failed to connect service "${t.shownHost}:${t.shownPort}" within ${timeoutMs / 1000}s` }), timeoutMs);
    session.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, message: `timeout: failed to connect service "${t.shownHost}:${t.shownPort}": ${dialError(t, e)}` }));
    const svc = Buffer.from(service, 'utf8');
    const message = svc.length ? Buffer.concat([Buffer.from([0x0a, svc.length]), svc]) : Buffer.alloc(0);
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    const stream = session.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers', 'user-agent': PROBE_USER_AGENT });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    let grpcMessage = '';
    stream.on('response', (h) => {
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
    });
    stream.on('trailers', (h) => {
      grpcStatus = String(h['grpc-status'] ?? grpcStatus ?? '0');
      grpcMessage = String(h['grpc-message'] ?? '');
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (grpcStatus && grpcStatus !== '0') {
        finish({ ok: false, message: `rpc error: code = ${grpcStatus} desc = ${grpcMessage}` });
        return;
      }
      const body = Buffer.concat(chunks).subarray(5);
      const status = body[0] === 0x08 ? body[1] : 0;
      const name = SERVING_STATUS[status] ?? String(status);
      finish(status === 1 ? { ok: true, message: '' } : { ok: false, message: `service unhealthy (responded with "${name}")` });
    });
    stream.on('error', (e) => finish({ ok: false, message: e.message }));
    stream.end(frame);
  });
}

// Drill checks: each one answers "does the steady state hold right now?" from what a user could watch
// with kubectl (Deployment status.readyReplicas, Endpoints ready addresses) or from real HTTP requests to
// a NodePort on 127.0.0.1, and keeps the counts the report needs.
import { request } from 'node:http';
import { parseGoDuration, type DrillCheck, type DrillCheckReport } from '../../shared/api/chaos';
import type { Endpoints, Service } from '../../shared/api/service';
import type { Deployment } from '../../shared/api/workloads';
import type { Clock, TimerHandle } from '../client/clock';
import type { Lister } from '../client/lister';

export interface CheckSample {
  held: boolean;
  /** Human text for the timeline: `3/3 ready`, `9/10 requests answered 2xx`. */
  message: string;
  /** The ready count for deploymentReady/endpoints. */
  value?: number;
}

/** GETs `url` and resolves with the HTTP status, or rejects (refused, reset, timed out). */
export type HttpGet = (url: string, timeoutMs: number) => Promise<number>;

export interface CheckContext {
  namespace: string;
  clock: Clock;
  deployments: Lister<Deployment>;
  endpoints: Lister<Endpoints>;
  getService(namespace: string, name: string): Promise<Service>;
  httpGet?: HttpGet;
}

export interface RunningCheck {
  readonly spec: DrillCheck;
  readonly role: DrillCheckReport['role'];
  sample(): CheckSample;
  /** From now on count samples and requests for the report (the first step is about to start). */
  startMeasuring(): void;
  /** Records a sample taken while measuring. */
  count(sample: CheckSample): void;
  report(): DrillCheckReport;
  stop(): void;
}

export const DEFAULT_HTTP_RATE = 10;
export const DEFAULT_HTTP_SUCCESS_PERCENT = 95;
export const DEFAULT_HTTP_TIMEOUT_MS = 1000;

/** A plain GET on a fresh connection, so each request is routed anew by the proxy as a new client would be. */
export const nodeHttpGet: HttpGet = (url, timeoutMs) =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });

/** The Endpoints' ready addresses (notReadyAddresses do not count, as for the proxy). */
export function readyAddressCount(ep: Endpoints | undefined): number {
  return (ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
}

abstract class BaseCheck implements RunningCheck {
  protected measuring = false;
  private samples = 0;
  private failedSamples = 0;
  private minObserved?: number;

  constructor(
    readonly spec: DrillCheck,
    readonly role: DrillCheckReport['role'],
  ) {}

  abstract sample(): CheckSample;

  startMeasuring(): void {
    this.measuring = true;
  }

  count(sample: CheckSample): void {
    if (!this.measuring) return;
    this.samples++;
    if (!sample.held) this.failedSamples++;
    if (sample.value !== undefined) this.minObserved = Math.min(this.minObserved ?? sample.value, sample.value);
  }

  report(): DrillCheckReport {
    const out: DrillCheckReport = { name: this.spec.name, role: this.role, samples: this.samples, failedSamples: this.failedSamples };
    if (this.minObserved !== undefined) out.minObserved = this.minObserved;
    return out;
  }

  stop(): void {}
}

class DeploymentReadyCheck extends BaseCheck {
  constructor(spec: DrillCheck, role: DrillCheckReport['role'], private readonly ctx: CheckContext) {
    super(spec, role);
  }
  sample(): CheckSample {
    const want = this.spec.deploymentReady!;
    const d = this.ctx.deployments.get(this.ctx.namespace, want.name);
    if (!d) return { held: false, value: 0, message: `deployment ${want.name} not found` };
    const ready = d.status?.readyReplicas ?? 0;
    return { held: ready >= want.minReady, value: ready, message: `deployment ${want.name}: ${ready} ready (want ≥ ${want.minReady})` };
  }
}

class EndpointsCheck extends BaseCheck {
  constructor(spec: DrillCheck, role: DrillCheckReport['role'], private readonly ctx: CheckContext) {
    super(spec, role);
  }
  sample(): CheckSample {
    const want = this.spec.endpoints!;
    const ready = readyAddressCount(this.ctx.endpoints.get(this.ctx.namespace, want.service));
    return { held: ready >= want.minReady, value: ready, message: `endpoints ${want.service}: ${ready} ready (want ≥ ${want.minReady})` };
  }
}

/** The NodePort of `port` (or the only port) of a NodePort/LoadBalancer Service, as a loopback URL. */
export function nodePortUrl(svc: Service, port: number | undefined, path = '/'): string {
  const ports = svc.spec?.ports ?? [];
  const sp = port === undefined ? (ports.length === 1 ? ports[0] : undefined) : ports.find((p) => p.port === port);
  const name = `${svc.metadata.namespace}/${svc.metadata.name}`;
  if (!sp) throw new Error(`service ${name} has no port ${port ?? '(several ports: set http.port)'}`);
  if (!sp.nodePort) throw new Error(`service ${name} port ${sp.port} has no nodePort (make it type: NodePort)`);
  return `http://127.0.0.1:${sp.nodePort}${path}`;
}

class HttpCheck extends BaseCheck {
  private readonly rate: number;
  private readonly successPercent: number;
  private readonly timeoutMs: number;
  private readonly recent: boolean[] = [];
  private timer?: TimerHandle;
  private url?: string;
  private resolveError?: string;
  private resolving = false;
  private stopped = false;
  private sent = 0;
  private failed = 0;

  constructor(spec: DrillCheck, role: DrillCheckReport['role'], private readonly ctx: CheckContext) {
    super(spec, role);
    const h = spec.http!;
    this.rate = h.ratePerSecond ?? DEFAULT_HTTP_RATE;
    this.successPercent = h.successPercent ?? DEFAULT_HTTP_SUCCESS_PERCENT;
    this.timeoutMs = (h.timeout ? parseGoDuration(h.timeout) : undefined) || DEFAULT_HTTP_TIMEOUT_MS;
    this.url = h.url;
    this.timer = ctx.clock.setInterval(() => this.fire(), Math.max(10, Math.round(1000 / this.rate)));
  }

  private fire(): void {
    if (this.stopped) return;
    if (!this.url) {
      void this.resolve();
      return;
    }
    // Counted when answered: a request still in flight when the drill ends is in neither total.
    const counted = this.measuring;
    const get = this.ctx.httpGet ?? nodeHttpGet;
    get(this.url, this.timeoutMs).then(
      (status) => this.record(status >= 200 && status < 300, counted),
      () => this.record(false, counted),
    );
  }

  private async resolve(): Promise<void> {
    if (this.resolving) return;
    this.resolving = true;
    const h = this.spec.http!;
    try {
      const svc = await this.ctx.getService(this.ctx.namespace, h.service!);
      this.url = nodePortUrl(svc, h.port, h.path ?? '/');
      this.resolveError = undefined;
    } catch (e) {
      this.resolveError = e instanceof Error ? e.message : String(e);
    } finally {
      this.resolving = false;
    }
  }

  private record(ok: boolean, counted: boolean): void {
    if (this.stopped) return;
    if (counted) this.sent++;
    if (counted && !ok) this.failed++;
    this.recent.push(ok);
    if (this.recent.length > this.rate) this.recent.shift();
  }

  sample(): CheckSample {
    if (!this.url) return { held: false, message: this.resolveError ?? `resolving service ${this.spec.http!.service}` };
    if (this.recent.length === 0) return { held: false, message: `no answer yet from ${this.url}` };
    const ok = this.recent.filter(Boolean).length;
    const percent = (ok * 100) / this.recent.length;
    return { held: percent >= this.successPercent, message: `${this.url}: ${ok}/${this.recent.length} answered 2xx (want ≥ ${this.successPercent}%)` };
  }

  override report(): DrillCheckReport {
    return { ...super.report(), requestsTotal: this.sent, requestsFailed: this.failed };
  }

  override stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }
}

export function startCheck(spec: DrillCheck, role: DrillCheckReport['role'], ctx: CheckContext): RunningCheck {
  if (spec.deploymentReady) return new DeploymentReadyCheck(spec, role, ctx);
  if (spec.endpoints) return new EndpointsCheck(spec, role, ctx);
  if (spec.http) return new HttpCheck(spec, role, ctx);
  throw new Error(`check ${spec.name} has no kind`);
}

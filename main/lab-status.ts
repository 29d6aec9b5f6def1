// Whether the lab's container engine answers, published where kubectl and the dashboard can both see it:
// the ConfigMap kube-system/bosun-lab-status. Without Docker the control plane still starts (API,
// dashboard, scheduler, controllers); only the kubelets wait. This module pings the engine, rewrites the
// ConfigMap when the answer changes, and starts the nodes the first time the engine answers — so starting
// Docker Desktop after Bosun is enough, no restart needed.
import type { ConfigMap } from '../shared/api/config';
import { isAlreadyExists, isNotFound } from '../shared/api/errors';
import type { Clock, TimerHandle } from './client/clock';
import type { KubeClient } from './client/client';
import { CONFIGMAPS } from './client/gvr';
import type { RuntimeKind } from './lab-defaults';
import type { ContainerRuntime } from './runtime/runtime';

export const LAB_STATUS_CONFIGMAP = 'bosun-lab-status';
export const LAB_STATUS_NAMESPACE = 'kube-system';
/** How often an unreachable engine is asked again, and how often a reachable one is checked. */
export const RUNTIME_RETRY_MS = 2_000;
export const RUNTIME_CHECK_MS = 15_000;

export interface RuntimeReachability {
  runtime: RuntimeKind;
  /** unix:///var/run/docker.sock, tcp://host:port, or "simulated" for the fake runtime. */
  endpoint: string;
  reachable: boolean;
  /** The engine's error while unreachable. */
  error?: string;
  /** What the person should do, while unreachable. */
  help?: string;
  /** When `reachable` last changed (RFC 3339). */
  since: string;
}

/** The address DockerRuntime will use (same precedence: the setting, then DOCKER_HOST, then the default socket). */
export function dockerEndpoint(dockerHost: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return dockerHost || env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** The banner text, kept in one place so the dashboard, tray and kubectl all say the same thing. */
export function unreachableHelp(endpoint: string): string {
  return `Docker engine not reachable at ${endpoint.replace(/^unix:\/\//, '')}: start Docker Desktop / sudo systemctl start docker. The lab keeps trying; nodes register as soon as the engine answers.`;
}

export function labStatusConfigMap(status: RuntimeReachability): ConfigMap {
  const data: Record<string, string> = {
    runtime: status.runtime,
    runtimeEndpoint: status.endpoint,
    runtimeReachable: String(status.reachable),
    since: status.since,
  };
  if (status.error) data.runtimeError = status.error;
  if (status.help) data.help = status.help;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: LAB_STATUS_CONFIGMAP, namespace: LAB_STATUS_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'bosun' } },
    data,
  };
}

/** Reads the ConfigMap back (the renderer has its own copy of this in renderer/components/DockerBanner.vue). */
export function reachabilityFromConfigMap(configMap: Pick<ConfigMap, 'data'> | undefined): RuntimeReachability | undefined {
  const data = configMap?.data;
  if (!data?.runtimeReachable) return undefined;
  return {
    runtime: data.runtime === 'fake' ? 'fake' : 'docker',
    endpoint: data.runtimeEndpoint ?? '',
    reachable: data.runtimeReachable === 'true',
    ...(data.runtimeError ? { error: data.runtimeError } : {}),
    ...(data.help ? { help: data.help } : {}),
    since: data.since ?? '',
  };
}

export interface LabRuntimeStatusOptions {
  client: KubeClient;
  runtime: ContainerRuntime;
  runtimeKind: RuntimeKind;
  endpoint: string;
  clock: Clock;
  /** Keep checking after start (Docker); the fake runtime is asked once. */
  monitor: boolean;
  retryMs?: number;
  checkMs?: number;
  logger?: { warn(message: string): void };
}

export class LabRuntimeStatus {
  private status?: RuntimeReachability;
  private timer?: TimerHandle;
  private stopped = false;
  private waiting?: () => Promise<void>;
  private readonly listeners = new Set<(status: RuntimeReachability) => void>();

  constructor(private readonly options: LabRuntimeStatusOptions) {}

  get current(): RuntimeReachability | undefined {
    return this.status;
  }

  onChange(listener: (status: RuntimeReachability) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the engine once and publishes the answer; with `monitor`, keeps asking in the background. */
  async start(): Promise<void> {
    await this.check();
  }

  /**
   * Runs `startNodes` now when the engine answers (its failure fails the caller, as before), else the first
   * time it does — then a failure is logged and shown in the status instead of ending the lab.
   */
  async whenReachable(startNodes: () => Promise<void>): Promise<void> {
    if (this.status?.reachable) return startNodes();
    this.waiting = startNodes;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.waiting = undefined;
  }

  private schedule(): void {
    if (this.stopped || (!this.options.monitor && this.status?.reachable)) return;
    const delay = this.status?.reachable ? (this.options.checkMs ?? RUNTIME_CHECK_MS) : (this.options.retryMs ?? RUNTIME_RETRY_MS);
    this.timer = this.options.clock.setTimeout(() => void this.check(), delay);
  }

  private async check(): Promise<void> {
    let error: string | undefined;
    try {
      await this.options.runtime.ping();
    } catch (e) {
      error = (e as Error).message;
    }
    if (this.stopped) return;
    const reachable = error === undefined;
    if (this.status?.reachable !== reachable) {
      const { runtimeKind, endpoint } = this.options;
      this.status = {
        runtime: runtimeKind,
        endpoint: runtimeKind === 'fake' ? 'simulated' : endpoint,
        reachable,
        ...(error ? { error, help: unreachableHelp(endpoint) } : {}),
        since: this.options.clock.now().toISOString(),
      };
      if (!reachable) this.options.logger?.warn(`bosun: ${unreachableHelp(endpoint)} (${error})`);
      await this.publish(this.status).catch((e: unknown) => this.options.logger?.warn(`bosun: could not publish the lab status: ${(e as Error).message}`));
      for (const listener of this.listeners) listener(this.status);
      if (reachable && this.waiting) {
        const startNodes = this.waiting;
        this.waiting = undefined;
        void startNodes().catch((e: unknown) => this.options.logger?.warn(`bosun: starting the lab nodes failed: ${(e as Error).message}`));
      }
    }
    this.schedule();
  }

  private async publish(status: RuntimeReachability): Promise<void> {
    const configMaps = this.options.client.resource<ConfigMap>(CONFIGMAPS);
    const desired = labStatusConfigMap(status);
    try {
      const current = await configMaps.get(LAB_STATUS_NAMESPACE, LAB_STATUS_CONFIGMAP);
      await configMaps.update(LAB_STATUS_NAMESPACE, { ...current, metadata: { ...current.metadata, labels: desired.metadata.labels }, data: desired.data });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await configMaps.create(LAB_STATUS_NAMESPACE, desired).catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
    }
  }
}

// DockerRuntime: ContainerRuntime on the local Docker engine through dockerode (the only file that
// imports it; wire formats and translations live in docker-streams.ts / docker-mapping.ts / docker-events.ts).
// Two clients: ordinary calls get a request timeout so a wedged engine surfaces as an error, while
// streams (logs -f, events, exec/attach, pull) and calls that legitimately wait (stop with a grace
// period) use a client without one.
import Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { EventWatcher } from './docker-events';
import { DockerExec } from './docker-exec';
import { removeNetworkWhenDetached } from './docker-network';
import {
  computeStats,
  createContainerBody,
  labelFilters,
  pullFailure,
  toContainerInfo,
  toRuntimeError,
  type EngineOperation,
  type PullMessage,
  type StatsSample,
} from './docker-mapping';
import { ChunkQueue } from './chunk-queue';
import { FrameDemuxer, JsonLines, demuxBuffer } from './docker-streams';
import {
  RuntimeLabels,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerStats,
  type ExecOptions,
  type ExecResult,
  type ExecSession,
  type NetworkInfo,
  type Labels,
  type LogChunk,
  type LogOptions,
  type PullProgress,
  type RuntimeEventHandlers,
  type RuntimeVersion,
  type VolumeInfo,
} from './runtime';

export interface DockerRuntimeOptions {
  /** Unix socket of the engine; default from DOCKER_HOST, else /var/run/docker.sock. */
  socketPath?: string;
  /** A DOCKER_HOST-style address (unix:///path or tcp://host:port); overrides the environment. */
  dockerHost?: string;
  /** Lab instance id: stamped as bosun.lab on everything created; lists and events are limited to it. */
  labId?: string;
  /** Timeout of ordinary (non-streaming) engine calls; default 30 s. */
  requestTimeoutMs?: number;
}

// dockerode 5 outgrew its 4.x typings; engine bodies are typed where they are translated (docker-mapping.ts).
type Any = any;

function connection(options: DockerRuntimeOptions): { modem: Record<string, unknown>; endpoint: string } {
  if (options.socketPath) return { modem: { socketPath: options.socketPath }, endpoint: `unix://${options.socketPath}` };
  const host = options.dockerHost ?? process.env.DOCKER_HOST ?? '';
  if (!host || host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || '/var/run/docker.sock';
    return { modem: { socketPath }, endpoint: `unix://${socketPath}` };
  }
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { modem: { host: url.hostname, port: url.port || '2375', protocol: 'http' }, endpoint: host };
}

export class DockerRuntime implements ContainerRuntime {
  readonly kind = 'docker' as const;
  private readonly docker: Any;
  private readonly streaming: Any;
  private readonly endpoint: string;
  private readonly labId?: string;
  private readonly watchers = new Set<EventWatcher>();
  private readonly openStreams = new Set<{ destroy(): void }>();
  private readonly statsSamples = new Map<string, StatsSample>();
  private readonly execs: DockerExec;

  constructor(options: DockerRuntimeOptions = {}) {
    const { modem, endpoint } = connection(options);
    this.endpoint = `the Docker engine at ${endpoint}`;
    this.labId = options.labId;
    this.docker = new Docker({ ...modem, timeout: options.requestTimeoutMs ?? 30_000 } as Any);
    this.streaming = new Docker({ ...modem } as Any);
    this.execs = new DockerExec(this.streaming, (e, what) => this.fail(e, what), this.openStreams);
  }

  private fail(err: unknown, what: string, operation: EngineOperation = 'other'): never {
    throw toRuntimeError(err, what, operation, this.endpoint);
  }

  private async call(what: string, fn: () => Promise<Any>, operation: EngineOperation = 'other'): Promise<Any> {
    try {
      return await fn();
    } catch (err) {
      this.fail(err, what, operation);
    }
  }

  /** Everything the lab creates is findable (managed) and attributable (lab), whatever the caller passed. */
  private stamp(labels: Labels): Labels {
    return { [RuntimeLabels.managed]: 'true', ...(this.labId ? { [RuntimeLabels.lab]: this.labId } : {}), ...labels };
  }

  private scope(labels: Labels): string[] {
    return labelFilters(this.labId ? { [RuntimeLabels.lab]: this.labId, ...labels } : labels);
  }

  // ---- engine ----

  async ping(): Promise<void> {
    await this.call('ping', () => this.docker.ping());
  }

  async version(): Promise<RuntimeVersion> {
    const [v, info] = await this.call('version', () => Promise.all([this.docker.version(), this.docker.info()]));
    return {
      runtimeName: 'docker',
      runtimeVersion: String(v.Version ?? info.ServerVersion ?? ''),
      apiVersion: String(v.ApiVersion ?? ''),
      osImage: String(info.OperatingSystem ?? ''),
      kernelVersion: String(info.KernelVersion ?? v.KernelVersion ?? ''),
      operatingSystem: String(info.OSType ?? v.Os ?? 'linux'),
      architecture: v.Arch === 'x86_64' ? 'amd64' : String(v.Arch ?? info.Architecture ?? ''),
      memTotalBytes: Number(info.MemTotal ?? 0),
      cpus: Number(info.NCPU ?? 0),
    };
  }

  async imagePresent(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      this.fail(err, `inspecting image ${image}`, 'image');
    }
  }

  async pullImage(image: string, onProgress?: (p: PullProgress) => void): Promise<void> {
    // An image that never came from a registry (built or imported locally: no RepoDigests) has nowhere
    // to be pulled from; pulling it would only fail, so a present local image is up to date by definition.
    const local = await this.docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    if (local && (local.RepoDigests ?? []).length === 0) {
      onProgress?.({ id: '', status: `Status: Image is up to date for ${image} (local image)` });
      return;
    }
    const stream: Readable = await this.call(`pulling image ${image}`, () => this.streaming.pull(image), 'pull');
    this.openStreams.add(stream);
    try {
      await new Promise<void>((resolve, reject) => {
        let failure: Error | undefined;
        const lines = new JsonLines((value) => {
          const m = value as PullMessage;
          // The engine answers 200 and reports most failures inside the stream.
          if (m.error || m.errorDetail) failure ??= pullFailure(image, m);
          else if (m.status) onProgress?.({ id: m.id ?? '', status: m.status, current: m.progressDetail?.current, total: m.progressDetail?.total });
        });
        stream.on('data', (chunk: Buffer) => lines.push(chunk));
        stream.on('error', (err) => reject(toRuntimeError(err, `pulling image ${image}`, 'pull', this.endpoint)));
        stream.on('end', () => {
          lines.flush();
          if (failure) reject(failure);
          else resolve();
        });
      });
    } finally {
      this.openStreams.delete(stream);
    }
  }

  // ---- networks ----

  async ensureNetwork(name: string, options: { subnet: string; gateway: string; labels: Labels }): Promise<NetworkInfo> {
    const inspect = (): Promise<any> =>
      this.docker
        .getNetwork(name)
        .inspect()
        .catch((err: { statusCode?: number }) => (err.statusCode === 404 ? undefined : this.fail(err, `inspecting network ${name}`)));
    const inUse = (net: any): NetworkInfo => {
      const config = net?.IPAM?.Config?.[0] ?? {};
      return { subnet: config.Subnet ?? options.subnet, gateway: config.Gateway ?? options.gateway };
    };
    const existing = await inspect();
    if (existing) return inUse(existing);
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: options.subnet, Gateway: options.gateway }] },
        Labels: this.stamp(options.labels),
      });
    } catch (err) {
      // Another kubelet of the same lab created it between our inspect and create.
      if ((err as { statusCode?: number }).statusCode === 409) return inUse(await inspect());
      this.fail(err, `creating network ${name} (${options.subnet})`);
    }
    return { subnet: options.subnet, gateway: options.gateway };
  }

  async removeNetwork(name: string): Promise<void> {
    // Waits while the engine finishes removing the containers still attached (docker-network.ts).
    await removeNetworkWhenDetached(this.docker, name, (e, what) => this.fail(e, what));
  }

  async disconnectNetwork(id: string, network: string): Promise<void> {
    await this.call(`disconnecting ${id} from network ${network}`, () => this.docker.getNetwork(network).disconnect({ Container: id, Force: true }));
  }

  async connectNetwork(id: string, network: string, options: { ip?: string; aliases?: string[] }): Promise<void> {
    const endpoint = { ...(options.ip ? { IPAMConfig: { IPv4Address: options.ip } } : {}), Aliases: options.aliases ?? [] };
    await this.call(`connecting ${id} to network ${network}`, () => this.docker.getNetwork(network).connect({ Container: id, EndpointConfig: endpoint }));
  }

  // ---- containers ----

  async createContainer(spec: ContainerSpec): Promise<string> {
    const body = createContainerBody({ ...spec, labels: this.stamp(spec.labels) });
    const container = await this.call(`creating container ${spec.name}`, () => this.docker.createContainer({ name: spec.name, ...body }), 'create');
    return container.id as string;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return; // already running
      this.fail(err, `starting container ${id}`, 'start');
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const t = Math.max(0, Math.ceil(graceSeconds));
    try {
      // The streaming client: a stop legitimately takes up to the grace period.
      await this.streaming.getContainer(id).stop({ t });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return; // already stopped
      this.fail(err, `stopping container ${id}`);
    }
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    await this.call(`killing container ${id} with ${signal}`, () => this.docker.getContainer(id).kill({ signal }));
  }

  async removeContainer(id: string): Promise<void> {
    this.statsSamples.delete(id);
    await this.call(`removing container ${id}`, () => this.streaming.getContainer(id).remove({ force: true, v: true }));
  }

  async pauseContainer(id: string): Promise<void> {
    await this.call(`pausing container ${id}`, () => this.docker.getContainer(id).pause());
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.call(`unpausing container ${id}`, () => this.docker.getContainer(id).unpause());
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    try {
      return toContainerInfo(await this.docker.getContainer(id).inspect());
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      this.fail(err, `inspecting container ${id}`);
    }
  }

  async listContainers(labels: Labels): Promise<ContainerInfo[]> {
    const summaries: Array<{ Id: string }> = await this.call('listing containers', () =>
      this.docker.listContainers({ all: true, filters: { label: this.scope(labels) } }),
    );
    // The list lacks exit codes, OOM and start times the kubelet needs for adoption: inspect each.
    const out: ContainerInfo[] = [];
    for (let i = 0; i < summaries.length; i += 8) {
      const batch = await Promise.all(summaries.slice(i, i + 8).map((s) => this.inspectContainer(s.Id)));
      for (const info of batch) if (info) out.push(info); // removed between list and inspect
    }
    return out;
  }

  // ---- exec, logs, stats ----

  exec(id: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.execs.run(id, command, options);
  }

  execInteractive(id: string, command: string[], options: { tty: boolean; stdin: boolean }): Promise<ExecSession> {
    return this.execs.interactive(id, command, options);
  }

  attachContainer(id: string, options: { tty: boolean; stdin: boolean }): Promise<ExecSession> {
    return this.execs.attach(id, options);
  }

  async logs(id: string, options: LogOptions): Promise<AsyncIterable<LogChunk> & { close(): void }> {
    const container = this.streaming.getContainer(id);
    const inspect = await this.call(`reading logs of container ${id}`, () => container.inspect());
    const tty = inspect.Config?.Tty === true;
    const query = {
      follow: options.follow ?? false,
      stdout: true,
      stderr: true,
      timestamps: options.timestamps ?? false,
      since: options.since ?? 0,
      tail: options.tail !== undefined && options.tail >= 0 ? String(options.tail) : 'all',
    };
    const body: Buffer | Readable = await this.call(`reading logs of container ${id}`, () => container.logs(query));
    if (Buffer.isBuffer(body)) {
      const queue = new ChunkQueue();
      for (const chunk of tty ? [{ stream: 'stdout' as const, data: body }] : demuxBuffer(body)) queue.push(chunk);
      queue.end();
      return queue;
    }
    const stream = body;
    this.openStreams.add(stream);
    const queue = new ChunkQueue(() => {
      this.openStreams.delete(stream);
      stream.destroy();
    });
    const demuxer = new FrameDemuxer((chunk) => queue.push(chunk));
    stream.on('data', (data: Buffer) => (tty ? queue.push({ stream: 'stdout', data }) : demuxer.push(data)));
    stream.on('end', () => queue.end());
    stream.on('close', () => queue.end());
    stream.on('error', (err) => (queue.closed ? undefined : queue.end(toRuntimeError(err, `following logs of container ${id}`, 'other', this.endpoint))));
    return queue;
  }

  async stats(id: string): Promise<ContainerStats | undefined> {
    const container = this.docker.getContainer(id);
    const previous = this.statsSamples.get(id);
    // With our own earlier sample a one-shot read is enough; otherwise let Docker take two (precpu).
    const raw = await this.call(`reading stats of container ${id}`, () => container.stats(previous ? { stream: false, 'one-shot': true } : { stream: false }));
    if (!raw?.read || raw.read.startsWith('0001-01-01') || !raw.memory_stats?.usage) {
      this.statsSamples.delete(id);
      return undefined; // not running
    }
    const { stats, sample } = computeStats(raw, previous);
    this.statsSamples.set(id, sample);
    return stats;
  }

  // ---- volumes ----

  async createVolume(name: string, labels: Labels): Promise<VolumeInfo> {
    const v = await this.call(`creating volume ${name}`, async () => {
      await this.docker.createVolume({ Name: name, Labels: this.stamp(labels) });
      return this.docker.getVolume(name).inspect();
    });
    return { name: v.Name, labels: v.Labels ?? {}, mountpoint: v.Mountpoint };
  }

  async removeVolume(name: string): Promise<void> {
    await this.call(`removing volume ${name}`, () => this.docker.getVolume(name).remove());
  }

  async listVolumes(labels: Labels): Promise<VolumeInfo[]> {
    const res = await this.call('listing volumes', () => this.docker.listVolumes({ filters: { label: this.scope(labels) } }));
    return ((res.Volumes ?? []) as Array<{ Name: string; Labels?: Labels; Mountpoint?: string }>).map((v) => ({
      name: v.Name,
      labels: v.Labels ?? {},
      mountpoint: v.Mountpoint,
    }));
  }

  // ---- events ----

  watchEvents(handlers: RuntimeEventHandlers): { stop(): void } {
    const filters = { type: ['container'], label: this.scope({ [RuntimeLabels.managed]: 'true' }) };
    const watcher = new EventWatcher((since) => this.streaming.getEvents({ since, filters }) as Promise<Readable>, handlers);
    this.watchers.add(watcher);
    watcher.start();
    return {
      stop: () => {
        watcher.stop();
        this.watchers.delete(watcher);
      },
    };
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.stop();
    this.watchers.clear();
    for (const s of this.openStreams) s.destroy();
    this.openStreams.clear();
  }
}

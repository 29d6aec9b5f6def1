// FakeRuntime: a ContainerRuntime with no processes, for simulated nodes (scale drills) and unit tests.
// Containers "run" at once; ids are deterministic; IPs and published ports are simulated; events follow
// Docker's order (create/start, kill/die/stop, oom/die, destroy) and are delivered in a microtask. Every
// call is recorded (bounded, so a long-running simulated node does not grow without end) and any method
// can be told to fail next. Behaviour is scripted per image/command/name/labels (fake-script.ts).
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { RealClock, type Clock } from '../client/clock';
import { FakeContainers, type FakeContainer } from './fake-containers';
import { FakeNetwork } from './fake-network';
import { builtinBehavior, type FakeBehavior, type FakeExecScript, type FakeMatch, labelsMatch, matches, sameArgv } from './fake-script';
import {
  RuntimeError,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerStats,
  type ExecOptions,
  type ExecResult,
  type ExecSession,
  type Labels,
  type LogChunk,
  type NetworkInfo,
  type LogOptions,
  type PullProgress,
  type RuntimeEventHandlers,
  type RuntimeVersion,
  type SimulatedProbe,
  type VolumeInfo,
} from './runtime';

export interface FakeRuntimeOptions {
  clock?: Clock;
  /** Images present from the start (others must be pulled first, as with Docker). */
  images?: string[];
  /** Every image counts as present (simulated nodes never pull for real). */
  allImagesPresent?: boolean;
  /** Recorded calls kept (oldest dropped); default 10,000; 0 records none (the lab's simulated nodes). */
  maxCalls?: number;
  /** How long a process takes to exit after SIGTERM; default 0 (at once, for unit tests). */
  sigtermExitMs?: number;
}

/**
 * What a simulated node's process takes to exit after SIGTERM. A pod on a real node takes a moment to
 * go (the process handles the signal, the kubelet tears the pod down), and clients count on it: `kubectl
 * delete pod` (which waits by default) reads the pod once more, then lists and watches it until it is
 * gone. A StatefulSet pod deleted and recreated under the same name inside that gap — which an instant
 * exit made possible — leaves kubectl waiting for a deletion it will never see.
 */
export const SIMULATED_NODE_SIGTERM_EXIT_MS = 500;

export interface FakeCall {
  method: string;
  args: unknown[];
}

export type FakeMethod = Exclude<keyof ContainerRuntime, 'kind' | 'simulateProbe'> | 'simulateProbe';

/** Docker normalises `busybox` to `busybox:latest`; so does the fake, so presence checks agree. */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

const imageHost = (image: string): string => {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':')) ? first.split(':')[0] : '';
};

export class FakeRuntime extends FakeContainers implements ContainerRuntime {
  readonly kind = 'fake' as const;
  readonly calls: FakeCall[] = [];
  private readonly maxCalls: number;
  private readonly failures = new Map<string, Error[]>();
  private readonly images = new Set<string>();
  private readonly allImagesPresent: boolean;
  private readonly pullFailures = new Map<string, RuntimeError>();
  private readonly networks = new Map<string, FakeNetwork>();
  private readonly volumes = new Map<string, VolumeInfo>();
  private readonly execScripts: Array<{ match: FakeMatch; command: string[]; script: FakeExecScript }> = [];
  private readonly probeResults: Array<{ target: string | Labels; ok: boolean; message: string }> = [];
  private readonly statsOverride = new Map<string, Omit<ContainerStats, 'timestamp'>>();
  private nextPort = 32768;
  private idCounter = 0;
  private closed = false;

  constructor(options: FakeRuntimeOptions = {}) {
    super(options.clock ?? new RealClock(), options.sigtermExitMs ?? 0);
    this.maxCalls = options.maxCalls ?? 10_000;
    this.allImagesPresent = options.allImagesPresent ?? false;
    for (const image of options.images ?? []) this.images.add(normalizeImage(image));
  }

  // ---- test controls ----

  /** The next call of `method` throws `error` (queued: several failNext calls fail several calls). */
  failNext(method: FakeMethod, error: Error): void {
    const queue = this.failures.get(method) ?? [];
    queue.push(error);
    this.failures.set(method, queue);
  }

  /** Pulling this image fails (ErrImagePull unless another reason is given). */
  failPull(image: string, message: string, reason: 'ErrImagePull' | 'ImageNotFound' = 'ErrImagePull'): void {
    this.pullFailures.set(normalizeImage(image), new RuntimeError(reason, message));
  }

  /** Scripted exec result for an exact argv, optionally only in containers matching `match`. */
  scriptExec(command: string[], script: FakeExecScript, match: FakeMatch = {}): void {
    this.execScripts.unshift({ match, command, script });
  }

  /** simulateProbe answers for a container id or for containers whose labels match a selector. */
  setProbeResult(target: string | Labels, ok: boolean, message = ok ? 'simulated probe succeeded' : 'simulated probe failed'): void {
    this.probeResults.unshift({ target, ok, message });
  }

  clearProbeResults(): void {
    this.probeResults.length = 0;
  }

  setStats(id: string, stats: Omit<ContainerStats, 'timestamp'>): void {
    this.statsOverride.set(id, stats);
  }

  /** Calls of one method, newest last. */
  callsOf(method: FakeMethod): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private record(method: FakeMethod, ...args: unknown[]): void {
    if (this.closed && method !== 'close') throw new RuntimeError('EngineUnavailable', 'the fake runtime is closed');
    if (this.maxCalls > 0) {
      this.calls.push({ method, args });
      if (this.calls.length > this.maxCalls * 2) this.calls.splice(0, this.calls.length - this.maxCalls);
    }
    const queue = this.failures.get(method);
    const error = queue?.shift();
    if (queue && queue.length === 0) this.failures.delete(method);
    if (error) throw error;
  }

  // ---- engine ----

  async ping(): Promise<void> {
    this.record('ping');
  }

  async version(): Promise<RuntimeVersion> {
    this.record('version');
    return {
      runtimeName: 'fake',
      runtimeVersion: '1.0.0',
      apiVersion: '1.41',
      osImage: 'Bosun simulated node',
      kernelVersion: '6.1.0-fake',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      memTotalBytes: 16 * 1024 ** 3,
      cpus: 8,
    };
  }

  async imagePresent(image: string): Promise<boolean> {
    this.record('imagePresent', image);
    return this.hasImage(image);
  }

  private hasImage(image: string): boolean {
    return this.allImagesPresent || this.images.has(normalizeImage(image));
  }

  async pullImage(image: string, onProgress?: (p: PullProgress) => void): Promise<void> {
    this.record('pullImage', image);
    const ref = normalizeImage(image);
    const failure = this.pullFailures.get(ref);
    if (failure) throw new RuntimeError(failure.reason, failure.message);
    const host = imageHost(image);
    if (host.endsWith('.invalid')) {
      throw new RuntimeError('ErrImagePull', `Get "https://${host}/v2/": dial tcp: lookup ${host}: no such host`);
    }
    if (this.hasImage(ref)) {
      onProgress?.({ id: '', status: `Status: Image is up to date for ${ref}` });
      return;
    }
    const [, tag] = ref.split(/:(?=[^:/]*$)/);
    onProgress?.({ id: tag ?? 'latest', status: `Pulling from ${ref.replace(/:[^:/]*$/, '')}` });
    onProgress?.({ id: 'f4ce0001', status: 'Downloading', current: 512, total: 1024 });
    onProgress?.({ id: 'f4ce0001', status: 'Downloading', current: 1024, total: 1024 });
    onProgress?.({ id: 'f4ce0001', status: 'Pull complete' });
    onProgress?.({ id: '', status: `Status: Downloaded newer image for ${ref}` });
    this.images.add(ref);
  }

  // ---- networks ----

  async ensureNetwork(name: string, options: { subnet: string; gateway: string; labels: Labels }): Promise<NetworkInfo> {
    this.record('ensureNetwork', name, options);
    const existing = this.networks.get(name);
    if (existing) return { subnet: existing.subnet, gateway: existing.gateway };
    for (const other of this.networks.values()) {
      if (other.subnet === options.subnet) {
        throw new RuntimeError('Conflict', `creating network ${name} (${options.subnet}): Pool overlaps with other one on this address space`);
      }
    }
    this.networks.set(name, new FakeNetwork(name, options.subnet, options.gateway, options.labels));
    return { subnet: options.subnet, gateway: options.gateway };
  }

  async removeNetwork(name: string): Promise<void> {
    this.record('removeNetwork', name);
    if (!this.networks.has(name)) throw new RuntimeError('NotFound', `network ${name} not found`);
    const attached = [...this.byId.values()].filter((c) => c.networks?.has(name));
    if (attached.length > 0) throw new RuntimeError('Conflict', `error while removing network: network ${name} has active endpoints`);
    this.networks.delete(name);
  }

  async disconnectNetwork(id: string, network: string): Promise<void> {
    this.record('disconnectNetwork', id, network);
    const c = this.mustGet(id);
    const endpoint = c.networks?.get(network);
    if (!endpoint) throw new RuntimeError('Conflict', `container ${c.id} is not connected to network ${network}`);
    this.networks.get(network)?.release(endpoint.ip);
    c.networks!.delete(network);
  }

  async connectNetwork(id: string, network: string, options: { ip?: string; aliases?: string[] }): Promise<void> {
    this.record('connectNetwork', id, network, options);
    const c = this.mustGet(id);
    const net = this.mustNetwork(network);
    if (c.networks?.has(network)) throw new RuntimeError('Conflict', `endpoint with name ${c.name} already exists in network ${network}`);
    if (c.spec.network && 'joinContainer' in c.spec.network) {
      throw new RuntimeError('Conflict', `container ${c.name} shares the network namespace of another container`);
    }
    const ip = net.allocate(options.ip);
    (c.networks ??= new Map()).set(network, { ip, aliases: options.aliases ?? [] });
  }

  private mustNetwork(name: string): FakeNetwork {
    const net = this.networks.get(name);
    if (!net) throw new RuntimeError('NotFound', `network ${name} not found`);
    return net;
  }

  // ---- containers ----

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.record('createContainer', spec);
    if (!this.hasImage(spec.image)) throw new RuntimeError('ImageNotFound', `No such image: ${spec.image}`);
    if (this.byName.has(spec.name)) {
      throw new RuntimeError('Conflict', `Conflict. The container name "/${spec.name}" is already in use by container "${this.byName.get(spec.name)}"`);
    }
    const id = createHash('sha256').update(`bosun-fake:${++this.idCounter}`).digest('hex');
    // Nothing observes a simulated process's environment (ContainerInfo has none), and with the Service
    // variables it is most of a spec: 10,000 simulated pods kept megabytes of it.
    // (A rest copy rather than `delete`, which can turn an object into a slower dictionary.)
    const { env: _env, ...kept } = spec;
    const c: FakeContainer = {
      id,
      name: spec.name,
      image: spec.image,
      spec: kept,
      argv: [...(spec.command ?? []), ...(spec.args ?? [])],
      state: 'created',
      createdAt: this.clock.nowMs(),
      oomKilled: false,
      behavior: {},
    };
    if ('sandbox' in spec.network) {
      const sb = spec.network.sandbox;
      const net = this.mustNetwork(sb.network);
      c.networks = new Map([[sb.network, { ip: net.allocate(sb.ip), aliases: sb.aliases ?? [] }]]);
      c.ports = sb.ports.map((p) => ({
        containerPort: p.containerPort,
        protocol: p.protocol,
        hostIP: '127.0.0.1',
        hostPort: p.hostPort || this.nextPort++,
      }));
    } else {
      this.mustGet(spec.network.joinContainer);
    }
    for (const m of spec.mounts ?? []) {
      if (m.kind === 'volume' && !this.volumes.has(m.source)) this.volumes.set(m.source, { name: m.source, labels: {} });
    }
    c.behavior = this.behaviorFor(c);
    this.add(c);
    this.emit('create', c);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.record('startContainer', id);
    const c = this.mustGet(id);
    if (c.state === 'running' || c.state === 'paused') return;
    if (c.behavior.startError) {
      c.error = c.behavior.startError;
      c.exitCode = 127;
      c.state = 'created';
      throw new RuntimeError('RunContainerError', c.behavior.startError);
    }
    if ('joinContainer' in c.spec.network) {
      const owner = this.byId.get(this.resolve(c.spec.network.joinContainer) ?? '');
      if (owner?.state !== 'running') {
        throw new RuntimeError('RunContainerError', `cannot join network of a non running container: ${c.spec.network.joinContainer}`);
      }
    }
    this.run(c);
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    this.record('stopContainer', id, graceSeconds);
    const c = this.mustGet(id);
    if (c.state !== 'running' && c.state !== 'paused') return;
    await this.terminate(c, graceSeconds);
    this.emit('stop', c);
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    this.record('killContainer', id, signal);
    const c = this.mustGet(id);
    if (c.state !== 'running' && c.state !== 'paused') throw new RuntimeError('Conflict', `Container ${c.id} is not running`);
    this.emit('kill', c);
    const sig = signal.replace(/^SIG/, '');
    if (sig === 'KILL' || sig === '9') this.exit(c, 137, false);
    else if ((sig === 'TERM' || sig === '15') && c.behavior.onTerm !== 'ignore') this.onSigterm(c);
  }

  async removeContainer(id: string): Promise<void> {
    this.record('removeContainer', id);
    const c = this.mustGet(id);
    if (c.state === 'running' || c.state === 'paused') {
      this.emit('kill', c);
      this.exit(c, 137, false);
    }
    for (const [name, endpoint] of c.networks ?? []) this.networks.get(name)?.release(endpoint.ip);
    this.statsOverride.delete(c.id);
    this.delete(c);
    this.emit('destroy', c);
  }

  async pauseContainer(id: string): Promise<void> {
    this.record('pauseContainer', id);
    const c = this.mustGet(id);
    if (c.state !== 'running') throw new RuntimeError('Conflict', `Container ${c.id} is not running`);
    c.state = 'paused';
    this.emit('pause', c);
  }

  async unpauseContainer(id: string): Promise<void> {
    this.record('unpauseContainer', id);
    const c = this.mustGet(id);
    if (c.state !== 'paused') throw new RuntimeError('Conflict', `Container ${c.id} is not paused`);
    c.state = 'running';
    this.emit('unpause', c);
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    this.record('inspectContainer', id);
    const c = this.byId.get(this.resolve(id) ?? '');
    return c && this.info(c);
  }

  async listContainers(labels: Labels): Promise<ContainerInfo[]> {
    this.record('listContainers', labels);
    const out: ContainerInfo[] = [];
    for (const c of this.candidates(labels)) if (labelsMatch(labels, c.spec.labels)) out.push(this.info(c));
    return out;
  }

  // ---- exec, logs, stats ----

  async exec(id: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.record('exec', id, command, options);
    const c = this.mustBeRunning(id);
    const script = this.execScriptFor(c, command);
    const duration = script.durationMs ?? 0;
    if (options.timeoutMs !== undefined && options.timeoutMs > 0 && duration > options.timeoutMs) {
      await this.sleep(options.timeoutMs);
      return { exitCode: -1, stdout: '', stderr: '', timedOut: true };
    }
    if (duration > 0) await this.sleep(duration);
    for (const line of script.containerOutput ?? []) this.appendLog(c, line.stream, line.text);
    return { exitCode: script.exitCode ?? 0, stdout: script.stdout ?? '', stderr: script.stderr ?? '', timedOut: false };
  }

  /** Writes the scripted output, then echoes stdin (like `cat`) until it ends; exits with the scripted code. */
  async execInteractive(id: string, command: string[], options: { tty: boolean; stdin: boolean }): Promise<ExecSession> {
    this.record('execInteractive', id, command, options);
    const c = this.mustBeRunning(id);
    const script = this.execScriptFor(c, command);
    const stdout = new PassThrough();
    const stderr = options.tty ? undefined : new PassThrough();
    const stdin = options.stdin ? new PassThrough() : undefined;
    let finish!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (finish = resolve));
    const end = (code: number): void => {
      stdout.end();
      stderr?.end();
      finish(code);
    };
    if (script.stdout) stdout.write(script.stdout);
    if (script.stderr) (stderr ?? stdout).write(script.stderr);
    if (stdin) {
      stdin.on('data', (d: Buffer) => stdout.write(d));
      stdin.on('end', () => end(script.exitCode ?? 0));
    } else queueMicrotask(() => end(script.exitCode ?? 0));
    return {
      stdin,
      stdout,
      stderr,
      resize: async () => {},
      wait: () => exited,
      kill: () => end(137),
    };
  }

  async logs(id: string, options: LogOptions): Promise<AsyncIterable<LogChunk> & { close(): void }> {
    this.record('logs', id, options);
    return this.openLogs(this.mustGet(id), options);
  }

  async stats(id: string): Promise<ContainerStats | undefined> {
    this.record('stats', id);
    const c = this.mustGet(id);
    if (c.state !== 'running') return undefined;
    const s = this.statsOverride.get(c.id) ?? { cpuNanoCores: 0, memoryWorkingSetBytes: 0 };
    return { ...s, timestamp: this.clock.nowMs() };
  }

  // ---- volumes ----

  async createVolume(name: string, labels: Labels): Promise<VolumeInfo> {
    this.record('createVolume', name, labels);
    let v = this.volumes.get(name);
    if (!v) this.volumes.set(name, (v = { name, labels: { ...labels }, mountpoint: `/var/lib/bosun-fake/volumes/${name}/_data` }));
    return { ...v, labels: { ...v.labels } };
  }

  async removeVolume(name: string): Promise<void> {
    this.record('removeVolume', name);
    if (!this.volumes.has(name)) throw new RuntimeError('NotFound', `get ${name}: no such volume`);
    const user = [...this.byId.values()].find((c) => c.spec.mounts?.some((m) => m.kind === 'volume' && m.source === name));
    if (user) throw new RuntimeError('Conflict', `remove ${name}: volume is in use - [${user.id}]`);
    this.volumes.delete(name);
  }

  async listVolumes(labels: Labels): Promise<VolumeInfo[]> {
    this.record('listVolumes', labels);
    return [...this.volumes.values()].filter((v) => labelsMatch(labels, v.labels)).map((v) => ({ ...v, labels: { ...v.labels } }));
  }

  // ---- probes, events ----

  async simulateProbe(id: string, probe: SimulatedProbe): Promise<{ ok: boolean; message: string }> {
    this.record('simulateProbe', id, probe);
    const c = this.byId.get(this.resolve(id) ?? '');
    if (!c) return { ok: false, message: `container ${id} not found` };
    if (c.state !== 'running') return { ok: false, message: `container ${c.name} is ${c.state}` };
    const hit = this.probeResults.find((r) => (typeof r.target === 'string' ? r.target === c.id : labelsMatch(r.target, c.spec.labels)));
    return hit ? { ok: hit.ok, message: hit.message } : { ok: true, message: 'simulated probe succeeded' };
  }

  watchEvents(handlers: RuntimeEventHandlers): { stop(): void } {
    this.record('watchEvents', handlers);
    this.watchers.add(handlers);
    return { stop: () => this.watchers.delete(handlers) };
  }

  /** Simulates an engine restart: running containers die, watchers get onResync (as Docker's would). */
  restartEngine(): void {
    for (const c of this.byId.values()) if (c.state === 'running' || c.state === 'paused') this.exit(c, 255, false);
    for (const w of [...this.watchers]) queueMicrotask(() => w.onResync?.());
  }

  async close(): Promise<void> {
    this.record('close');
    this.closed = true;
    this.watchers.clear();
    for (const c of this.byId.values()) this.cancelTimer(c);
    this.closeAllLogs();
  }

  // ---- internals ----

  private behaviorFor(c: FakeContainer): FakeBehavior {
    const target = { image: c.image, argv: c.argv, name: c.name, labels: c.spec.labels };
    const merged: FakeBehavior = builtinBehavior(c.argv);
    // Scripts are applied oldest first so that a later, more specific script overrides an earlier one.
    for (const s of this.scripts) if (matches(s.match, target)) Object.assign(merged, s.behavior);
    return merged;
  }

  private execScriptFor(c: FakeContainer, command: string[]): FakeExecScript {
    const target = { image: c.image, argv: c.argv, name: c.name, labels: c.spec.labels };
    return this.execScripts.find((s) => sameArgv(s.command, command) && matches(s.match, target))?.script ?? {};
  }

  private mustBeRunning(id: string): FakeContainer {
    const c = this.mustGet(id);
    if (c.state !== 'running') throw new RuntimeError('Conflict', `Container ${c.id} is not running`);
    return c;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }
}

// Pure translations between ContainerRuntime shapes and Docker Engine API bodies (API 1.41+). No
// dockerode import: docker.ts is the only file that talks to the engine; these are unit-tested alone.
import {
  RuntimeError,
  type ContainerInfo,
  type ContainerSpec,
  type ContainerState,
  type ContainerStats,
  type PublishedPort,
  type RuntimeEvent,
  type RuntimeEventType,
} from './runtime';

type Json = Record<string, unknown>;

const portKey = (port: number, protocol: string): string => `${port}/${protocol.toLowerCase()}`;

/** The body of POST /containers/create for a sandbox (owns the network) or an app container (joins it). */
export function createContainerBody(spec: ContainerSpec): Json {
  const host: Json = {
    RestartPolicy: { Name: 'no' },
    Mounts: (spec.mounts ?? []).map((m) =>
      m.kind === 'tmpfs'
        ? {
            Type: 'tmpfs',
            Target: m.target,
            ReadOnly: m.readOnly ?? false,
            // emptyDir medium: Memory with a sizeLimit (Mount.sizeBytes, added to the contract by the volume work).
            ...((m as { sizeBytes?: number }).sizeBytes ? { TmpfsOptions: { SizeBytes: (m as { sizeBytes?: number }).sizeBytes } } : {}),
          }
        : { Type: m.kind, Source: m.source, Target: m.target, ReadOnly: m.readOnly ?? false },
    ),
    Privileged: spec.privileged ?? false,
    ReadonlyRootfs: spec.readOnlyRootFilesystem ?? false,
  };
  if (spec.capAdd?.length) host.CapAdd = spec.capAdd;
  if (spec.capDrop?.length) host.CapDrop = spec.capDrop;
  if (spec.memoryLimitBytes) {
    host.Memory = spec.memoryLimitBytes;
    // Kubernetes nodes run without swap: a limit must OOM-kill, not page out.
    host.MemorySwap = spec.memoryLimitBytes;
  }
  if (spec.nanoCpus) host.NanoCpus = spec.nanoCpus;
  if (spec.cpuShares) host.CpuShares = spec.cpuShares;

  const body: Json = {
    Image: spec.image,
    Labels: spec.labels,
    Env: (spec.env ?? []).map((e) => `${e.name}=${e.value}`),
    Tty: spec.tty ?? false,
    OpenStdin: spec.stdin ?? false,
    StdinOnce: spec.stdinOnce ?? false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: host,
  };
  // Kubernetes `command` replaces ENTRYPOINT (and then the image's CMD is dropped, as Docker does when
  // Entrypoint is given); `args` replaces CMD.
  if (spec.command) body.Entrypoint = spec.command;
  if (spec.args) body.Cmd = spec.args;
  if (spec.workingDir) body.WorkingDir = spec.workingDir;
  if (spec.user) body.User = spec.user;

  if ('sandbox' in spec.network) {
    const sb = spec.network.sandbox;
    host.NetworkMode = sb.network;
    // Shareable so that the pod's containers can join its IPC namespace (daemon default is private).
    host.IpcMode = 'shareable';
    const exposed: Json = {};
    const bindings: Json = {};
    for (const p of sb.ports) {
      const key = portKey(p.containerPort, p.protocol);
      exposed[key] = {};
      // Always loopback: a lab pod must never be reachable from the user's LAN.
      bindings[key] = [{ HostIp: '127.0.0.1', HostPort: p.hostPort ? String(p.hostPort) : '' }];
    }
    body.ExposedPorts = exposed;
    host.PortBindings = bindings;
    if (sb.hostname) body.Hostname = sb.hostname;
    if (sb.dnsServers?.length) host.Dns = sb.dnsServers;
    if (sb.dnsSearch?.length) host.DnsSearch = sb.dnsSearch;
    if (sb.dnsOptions?.length) host.DnsOptions = sb.dnsOptions;
    if (sb.extraHosts?.length) host.ExtraHosts = sb.extraHosts;
    body.NetworkingConfig = {
      EndpointsConfig: {
        [sb.network]: {
          ...(sb.ip ? { IPAMConfig: { IPv4Address: sb.ip } } : {}),
          Aliases: sb.aliases ?? [],
        },
      },
    };
  } else {
    host.NetworkMode = `container:${spec.network.joinContainer}`;
    host.IpcMode = `container:${spec.network.joinContainer}`;
  }
  return body;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const time = (t: unknown): string | undefined => (typeof t === 'string' && t && t !== ZERO_TIME ? t : undefined);

const STATES: ContainerState[] = ['created', 'running', 'paused', 'restarting', 'exited', 'dead'];

interface InspectShape {
  Id: string;
  Name?: string;
  Image?: string;
  Created?: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State?: {
    Status?: string;
    ExitCode?: number;
    OOMKilled?: boolean;
    Error?: string;
    Pid?: number;
    StartedAt?: string;
    FinishedAt?: string;
  };
  NetworkSettings?: {
    Networks?: Record<string, { IPAddress?: string }> | null;
    Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
  };
}

/** GET /containers/{id}/json → ContainerInfo. */
export function toContainerInfo(raw: unknown): ContainerInfo {
  const c = raw as InspectShape;
  const st = c.State ?? {};
  const status = (STATES as string[]).includes(st.Status ?? '') ? (st.Status as ContainerState) : st.Status === 'removing' ? 'dead' : 'unknown';
  const ip = Object.values(c.NetworkSettings?.Networks ?? {}).find((n) => n?.IPAddress)?.IPAddress || undefined;
  const ports: PublishedPort[] = [];
  for (const [key, binds] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of binds ?? []) {
      // Docker also lists an IPv6 binding for some setups; ours are bound to 127.0.0.1 only.
      if (b.HostIp && b.HostIp !== '127.0.0.1' && b.HostIp !== '0.0.0.0') continue;
      ports.push({ containerPort: Number(port), protocol: proto.toUpperCase() as PublishedPort['protocol'], hostIP: b.HostIp || '127.0.0.1', hostPort: Number(b.HostPort) });
    }
  }
  const started = time(st.StartedAt);
  let finished = time(st.FinishedAt);
  // dockerd stamps StartedAt after containerd's start returns, while FinishedAt comes from the exit
  // event, so a process that exits at once can "finish" a millisecond before it "started". Kubernetes
  // never reports a termination before its start, so clamp to the start.
  if (started && finished && Date.parse(finished) < Date.parse(started)) finished = started;
  return {
    id: c.Id,
    name: (c.Name ?? '').replace(/^\//, ''),
    image: c.Config?.Image ?? '',
    imageId: c.Image ?? '',
    labels: c.Config?.Labels ?? {},
    state: status,
    createdAt: c.Created ?? '',
    startedAt: started,
    finishedAt: finished,
    // Docker reports 0 for a container that never ran; Kubernetes has no exit code then.
    exitCode: started || status === 'exited' || status === 'dead' ? st.ExitCode : undefined,
    oomKilled: st.OOMKilled ?? false,
    error: st.Error || undefined,
    pid: st.Pid || undefined,
    ip,
    ports: ports.length > 0 || c.NetworkSettings?.Ports ? ports : undefined,
  };
}

const EVENT_TYPES = new Set<string>(['create', 'start', 'die', 'oom', 'kill', 'pause', 'unpause', 'destroy', 'stop']);
// Docker merges these into Actor.Attributes next to the container's labels.
const NON_LABEL_ATTRIBUTES = new Set(['image', 'name', 'exitCode', 'signal', 'execID', 'execDuration']);

export interface DockerEventShape {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/** One /events message → RuntimeEvent, or undefined for actions the runtime does not report (exec_*, health…). */
export function toRuntimeEvent(raw: DockerEventShape): RuntimeEvent | undefined {
  const action = raw.Action ?? raw.status ?? '';
  if ((raw.Type && raw.Type !== 'container') || !EVENT_TYPES.has(action)) return undefined;
  const attributes = raw.Actor?.Attributes ?? {};
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) if (!NON_LABEL_ATTRIBUTES.has(k)) labels[k] = v;
  const event: RuntimeEvent = {
    type: action as RuntimeEventType,
    id: raw.Actor?.ID ?? raw.id ?? '',
    labels,
    time: raw.timeNano ? Math.floor(raw.timeNano / 1e6) : (raw.time ?? 0) * 1000,
  };
  if (action === 'die' && attributes.exitCode !== undefined) event.exitCode = Number(attributes.exitCode);
  return event;
}

export interface StatsSample {
  read: string;
  cpuTotalNs: number;
}

interface StatsShape {
  read?: string;
  preread?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  precpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/**
 * CPU as metrics-server computes it: cumulative usage delta (ns) over wall-clock delta (s) between two
 * samples = nano-cores. `previous` is our own last sample of this container when we have one; otherwise
 * Docker's precpu sample. Memory working set = usage − inactive_file (cgroup v2; total_inactive_file v1).
 */
export function computeStats(raw: unknown, previous?: StatsSample): { stats: ContainerStats; sample: StatsSample } {
  const s = raw as StatsShape;
  const read = s.read ?? new Date().toISOString();
  const total = s.cpu_stats?.cpu_usage?.total_usage ?? 0;
  const prev: StatsSample | undefined =
    previous ??
    (s.preread && time(s.preread) && s.precpu_stats?.cpu_usage?.total_usage !== undefined
      ? { read: s.preread, cpuTotalNs: s.precpu_stats.cpu_usage.total_usage }
      : undefined);
  let cpuNanoCores = 0;
  if (prev) {
    const seconds = (Date.parse(read) - Date.parse(prev.read)) / 1000;
    const used = total - prev.cpuTotalNs;
    if (seconds > 0 && used >= 0) cpuNanoCores = Math.round(used / seconds);
  }
  const usage = s.memory_stats?.usage ?? 0;
  const inactive = s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.total_inactive_file ?? 0;
  return {
    stats: { cpuNanoCores, memoryWorkingSetBytes: Math.max(0, usage - inactive), timestamp: Date.parse(read) },
    sample: { read, cpuTotalNs: total },
  };
}

export const ENGINE_HOWTO =
  'Start a Docker engine: install Docker (Debian/Ubuntu: apt-get install docker.io, then start dockerd or `systemctl start docker`; ' +
  'macOS/Windows: start Docker Desktop), or run `node scripts/test-env.mjs` in a Bosun dev checkout. Set DOCKER_HOST if it listens elsewhere.';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND']);

/** What to call a failure when the engine gives no more specific reason. */
export type EngineOperation = 'create' | 'start' | 'pull' | 'image' | 'other';

/** Any dockerode/engine failure → RuntimeError with the engine's own words kept. */
export function toRuntimeError(err: unknown, what: string, operation: EngineOperation = 'other', endpoint = 'the Docker engine'): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const e = err as { statusCode?: number; code?: string; json?: { message?: string } | Buffer | null; message?: string };
  if (e?.code === 'EACCES') {
    return new RuntimeError('EngineUnavailable', `permission denied connecting to ${endpoint} (${what}): run as a user in the "docker" group or as root.`);
  }
  if (e?.code && UNREACHABLE.has(e.code)) {
    return new RuntimeError('EngineUnavailable', `cannot reach ${endpoint} (${what}: ${e.code}). ${ENGINE_HOWTO}`);
  }
  if (e?.message && /Timeout of \d+ms exceeded|socket hang up/i.test(e.message) && !e.statusCode) {
    return new RuntimeError('EngineUnavailable', `${endpoint} did not answer (${what}): ${e.message}. ${ENGINE_HOWTO}`);
  }
  const json = e?.json && !Buffer.isBuffer(e.json) ? e.json : undefined;
  const engineMessage = (json?.message ?? e?.message ?? String(err)).trim();
  const message = `${what}: ${engineMessage}`;
  switch (e?.statusCode) {
    case 404:
      if (operation === 'pull' || operation === 'image' || /no such image/i.test(engineMessage)) return new RuntimeError('ImageNotFound', message);
      return new RuntimeError('NotFound', message);
    case 409:
      return new RuntimeError('Conflict', message);
  }
  if (operation === 'pull') return new RuntimeError(isImageMissingMessage(engineMessage) ? 'ImageNotFound' : 'ErrImagePull', message);
  if (operation === 'create') return new RuntimeError('CreateContainerError', message);
  if (operation === 'start') return new RuntimeError('RunContainerError', message);
  if (/no such (container|volume|network)|not found/i.test(engineMessage)) return new RuntimeError('NotFound', message);
  return new RuntimeError('Unknown', message);
}

/** Registries say an image does not exist in these words (vs. network/auth trouble). */
export function isImageMissingMessage(message: string): boolean {
  return /manifest unknown|manifest for .* not found|repository does not exist|not found: manifest|name unknown/i.test(message);
}

/** Pull stream messages: {"status","id","progressDetail":{current,total}} or {"error","errorDetail"}. */
export interface PullMessage {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export function pullFailure(image: string, m: PullMessage): RuntimeError {
  const text = m.errorDetail?.message ?? m.error ?? 'unknown error';
  return new RuntimeError(isImageMissingMessage(text) ? 'ImageNotFound' : 'ErrImagePull', `pulling image ${image}: ${text}`);
}

export function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

// ContainerRuntime: the CRI-like seam between the kubelet and a container engine (DESIGN.md rule 4).
// `docker.ts` (the only file importing dockerode) runs real containers; `fake.ts` simulates them for
// scale drills and unit tests. Both pass tests/conformance/runtime.case.ts.
//
// A pod is one sandbox container (the pause/infra container holding the network namespace, publishing
// host-side ports on 127.0.0.1) plus app/init containers that join its namespaces. Everything created
// carries the labels in RuntimeLabels, so a restarted lab adopts what runs and removes what is orphaned.
import type { Readable, Writable } from 'node:stream';

export type Labels = Record<string, string>;

/** Docker labels on every object the lab creates (containers, networks, volumes). */
export const RuntimeLabels = {
  managed: 'bosun.managed', // "true" on everything; tests fail if any remains after the suite
  lab: 'bosun.lab', // lab instance id (data dir hash) so two labs on one engine never touch each other's objects
  node: 'bosun.node',
  podUid: 'bosun.pod.uid',
  podNamespace: 'bosun.pod.namespace',
  podName: 'bosun.pod.name',
  container: 'bosun.container.name', // "POD" for the sandbox, as the Docker shim named it
  attempt: 'bosun.container.attempt', // restart count of this container instance
  role: 'bosun.role', // "sandbox" | "init" | "app" | "volume" | "network"
} as const;

export interface RuntimeVersion {
  /** e.g. "docker" / "fake"; shown as nodeInfo.containerRuntimeVersion `docker://28.2.2`. */
  runtimeName: string;
  runtimeVersion: string;
  apiVersion: string;
  osImage: string;
  kernelVersion: string;
  operatingSystem: string;
  architecture: string;
  /** Engine capacity, for node conditions and sizing. */
  memTotalBytes: number;
  cpus: number;
}

export interface PullProgress {
  /** Layer id or "" for whole-image messages. */
  id: string;
  status: string;
  current?: number;
  total?: number;
}

export interface PortMapping {
  containerPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** 0 or absent: an ephemeral port chosen by the engine. Always bound on 127.0.0.1. */
  hostPort?: number;
}

export interface PublishedPort {
  containerPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostIP: string;
  hostPort: number;
}

export interface Mount {
  kind: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume); unused for tmpfs. */
  source: string;
  target: string;
  readOnly?: boolean;
  /** tmpfs only: size limit in bytes (emptyDir medium Memory with sizeLimit). */
  sizeBytes?: number;
}

export interface SandboxNetwork {
  /** The lab pod network (a bridge network created with ensureNetwork). */
  network: string;
  /** Static IP from the node's pod range, so the IP tells the node. */
  ip?: string;
  /** DNS names under which other containers on the network reach this pod. */
  aliases?: string[];
  /** Published on 127.0.0.1 (host-side probes, NodePorts, port-forward). */
  ports: PortMapping[];
  hostname?: string;
  dnsServers?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** "name:ip" entries for /etc/hosts. */
  extraHosts?: string[];
}

export interface NetworkInfo {
  subnet: string;
  gateway: string;
}

export interface ContainerSpec {
  /** Engine-level name; the kubelet uses k8s_<container>_<pod>_<ns>_<uid>_<attempt> like the Docker shim. */
  name: string;
  image: string;
  labels: Labels;
  /** ENTRYPOINT override (Kubernetes `command`). */
  command?: string[];
  /** CMD override (Kubernetes `args`). */
  args?: string[];
  workingDir?: string;
  env?: Array<{ name: string; value: string }>;
  mounts?: Mount[];
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  /** "uid" or "uid:gid". */
  user?: string;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  memoryLimitBytes?: number;
  /** CPU limit in nano-CPUs (1e9 = one core). */
  nanoCpus?: number;
  /** Relative CPU weight from requests (Docker CpuShares). */
  cpuShares?: number;
  /** Sandbox containers own the network; others join the sandbox's namespaces (network, IPC). */
  network: { sandbox: SandboxNetwork } | { joinContainer: string };
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'unknown';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  /** Resolved image id (sha256:…), Kubernetes' containerStatuses[].imageID. */
  imageId: string;
  labels: Labels;
  state: ContainerState;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  oomKilled?: boolean;
  /** Engine error (e.g. a start failure), if any. */
  error?: string;
  pid?: number;
  /** Sandboxes: the pod IP on the lab network and the ports published on 127.0.0.1. */
  ip?: string;
  ports?: PublishedPort[];
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Appended to stdin, then stdin is closed. */
  input?: string;
  env?: string[];
  user?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** An interactive exec (kubectl exec -it): raw streams the apiserver bridges to the client. */
export interface ExecSession {
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a TTY (stderr is merged into stdout). */
  stderr?: Readable;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with the exit code when the process ends. */
  wait(): Promise<number>;
  kill(): void;
}

export interface LogOptions {
  follow?: boolean;
  /** Seconds since the epoch. */
  since?: number;
  tail?: number;
  timestamps?: boolean;
}

/** A line of container output; demuxed from Docker's multiplexed stream (raw with a TTY). */
export interface LogChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

export type RuntimeEventType = 'create' | 'start' | 'die' | 'oom' | 'kill' | 'pause' | 'unpause' | 'destroy' | 'stop';

export interface RuntimeEvent {
  type: RuntimeEventType;
  id: string;
  labels: Labels;
  exitCode?: number;
  /** Milliseconds since the epoch (engine time). */
  time: number;
}

export interface RuntimeEventHandlers {
  onEvent(event: RuntimeEvent): void;
  /** The engine connection dropped and came back: events may have been missed, so re-list. */
  onResync?(): void;
  onError?(error: Error): void;
}

export interface ContainerStats {
  /** CPU use in nano-cores averaged since the previous sample (metrics.k8s.io units). */
  cpuNanoCores: number;
  memoryWorkingSetBytes: number;
  timestamp: number;
}

export interface VolumeInfo {
  name: string;
  labels: Labels;
  mountpoint?: string;
}

export interface SimulatedProbe {
  handler: 'httpGet' | 'tcpSocket' | 'exec' | 'grpc';
  port?: number;
  path?: string;
  command?: string[];
}

export type RuntimeErrorReason =
  | 'ImageNotFound' // not present and policy Never, or the registry has no such image
  | 'ErrImagePull' // pull failed (network, auth, bad reference): message carries the engine's words
  | 'NotFound' // no such container/volume/network
  | 'Conflict' // name already in use
  | 'EngineUnavailable' // cannot reach the engine: the message says how to start one
  | 'CreateContainerError'
  | 'RunContainerError'
  | 'Unknown';

export class RuntimeError extends Error {
  constructor(
    readonly reason: RuntimeErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export const isRuntimeError = (e: unknown, reason?: RuntimeErrorReason): e is RuntimeError =>
  e instanceof RuntimeError && (reason === undefined || e.reason === reason);

export interface ContainerRuntime {
  readonly kind: 'docker' | 'fake';

  ping(): Promise<void>;
  version(): Promise<RuntimeVersion>;

  imagePresent(image: string): Promise<boolean>;
  /** Pulls with progress; failures (also those reported inside a 200 stream) throw ErrImagePull/ImageNotFound. */
  pullImage(image: string, onProgress?: (p: PullProgress) => void): Promise<void>;

  /**
   * Creates the bridge network unless it exists. Answers the subnet and gateway actually in use: an
   * existing network keeps its own (a lab restarted later finds the range it chose before).
   */
  ensureNetwork(name: string, options: { subnet: string; gateway: string; labels: Labels }): Promise<NetworkInfo>;
  removeNetwork(name: string): Promise<void>;
  /** Partition faults: cut a container from a network and heal it (with its IP and aliases). */
  disconnectNetwork(id: string, network: string): Promise<void>;
  connectNetwork(id: string, network: string, options: { ip?: string; aliases?: string[] }): Promise<void>;

  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), then SIGKILL after graceSeconds. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  killContainer(id: string, signal?: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerInfo | undefined>;
  /** Every container (running or not) whose labels include all of `labels`. */
  listContainers(labels: Labels): Promise<ContainerInfo[]>;

  exec(id: string, command: string[], options?: ExecOptions): Promise<ExecResult>;
  execInteractive(id: string, command: string[], options: { tty: boolean; stdin: boolean }): Promise<ExecSession>;
  logs(id: string, options: LogOptions): Promise<AsyncIterable<LogChunk> & { close(): void }>;
  /**
   * Attaches to the main process of a running container (`kubectl attach`, `kubectl run -i`): its output
   * from now on and, with `stdin`, its stdin (the container must have been created with stdin open).
   * `wait()` resolves with the container's exit code; `kill()` detaches without stopping the container.
   * Optional: pods/attach answers a clear error on runtimes without it.
   */
  attachContainer?(id: string, options: { tty: boolean; stdin: boolean }): Promise<ExecSession>;
  stats(id: string): Promise<ContainerStats | undefined>;

  createVolume(name: string, labels: Labels): Promise<VolumeInfo>;
  removeVolume(name: string): Promise<void>;
  listVolumes(labels: Labels): Promise<VolumeInfo[]>;

  /**
   * Simulated runtimes have no network to probe, so they answer probes themselves (healthy unless a test
   * or a fault says otherwise); real runtimes leave this undefined and the prober uses published ports.
   */
  simulateProbe?(id: string, probe: SimulatedProbe): Promise<{ ok: boolean; message: string }>;

  /** Engine events for containers labelled bosun.managed; reconnects by itself and calls onResync. */
  watchEvents(handlers: RuntimeEventHandlers): { stop(): void };

  close(): Promise<void>;
}

// The container state machine behind FakeRuntime: scripted runs, exits, SIGTERM/SIGKILL, events in
// Docker's order, and log buffers with followers. Kept apart from fake.ts (the ContainerRuntime surface).
import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../client/clock';
import { ChunkQueue } from './chunk-queue';
import { type FakeBehavior, type FakeLogLine, type FakeMatch, selectLines, toChunk } from './fake-script';
import {
  RuntimeError,
  RuntimeLabels,
  type ContainerInfo,
  type ContainerSpec,
  type ContainerState,
  type LogChunk,
  type LogOptions,
  type PublishedPort,
  type RuntimeEventHandlers,
  type RuntimeEventType,
} from './runtime';

export interface FakeContainer {
  id: string;
  name: string;
  image: string;
  spec: ContainerSpec;
  argv: string[];
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  oomKilled: boolean;
  error?: string;
  pid?: number;
  behavior: FakeBehavior;
  /** Sandboxes only: endpoints per network (absent after a disconnect). */
  networks?: Map<string, { ip: string; aliases: string[] }>;
  ports?: PublishedPort[];
  timer?: TimerHandle;
  exitWaiters?: Array<() => void>;
  // Allocated lazily: most simulated containers never print or get followed.
  logs?: FakeLogLine[];
  followers?: Set<{ queue: ChunkQueue; timestamps: boolean }>;
}

const imageIds = new Map<string, string>();
const imageIdOf = (image: string): string => {
  let id = imageIds.get(image);
  if (!id) imageIds.set(image, (id = `sha256:${createHash('sha256').update(`bosun-fake-image:${image}`).digest('hex')}`));
  return id;
};

/**
 * Labels whose values are indexed: a kubelet lists a pod's containers (pod uid) on every sync and its node's
 * containers on every resync, and a full scan of 20,000 simulated containers per call made 100 simulated
 * nodes spend most of their time in labelsMatch. Docker labels never change after create, so the index
 * is maintained only on add/delete.
 */
const INDEXED_LABELS = [RuntimeLabels.podUid, RuntimeLabels.node] as const;

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export abstract class FakeContainers {
  protected readonly byId = new Map<string, FakeContainer>();
  protected readonly byName = new Map<string, string>();
  /** label key → value → containers with it, in creation order (the order byId iterates in). */
  private readonly byLabel = new Map<string, Map<string, Set<FakeContainer>>>(INDEXED_LABELS.map((k) => [k, new Map()]));
  protected readonly watchers = new Set<RuntimeEventHandlers>();
  protected readonly scripts: Array<{ match: FakeMatch; behavior: FakeBehavior }> = [];
  private nextPid = 1000;

  /**
   * @param sigtermExitMs how long a simulated process takes to exit after SIGTERM (0: at once). See
   *   SIMULATED_NODE_SIGTERM_EXIT_MS.
   */
  protected constructor(
    protected readonly clock: Clock,
    private readonly sigtermExitMs = 0,
  ) {}

  /** What containers matching `match` do when started (later scripts override earlier ones field by field). */
  script(match: FakeMatch, behavior: FakeBehavior): void {
    this.scripts.push({ match, behavior });
  }

  /** Appends output as the container's process would print it (followers receive it at once). */
  writeLog(id: string, stream: 'stdout' | 'stderr', text: string): void {
    this.appendLog(this.mustGet(id), stream, text);
  }

  /** Number of containers known (for scale tests). */
  get containerCount(): number {
    return this.byId.size;
  }

  protected add(c: FakeContainer): void {
    this.byId.set(c.id, c);
    this.byName.set(c.name, c.id);
    for (const [key, index] of this.byLabel) {
      const value = c.spec.labels[key];
      if (value === undefined) continue;
      let set = index.get(value);
      if (!set) index.set(value, (set = new Set()));
      set.add(c);
    }
  }

  protected delete(c: FakeContainer): void {
    this.cancelTimer(c);
    this.byId.delete(c.id);
    this.byName.delete(c.name);
    for (const [key, index] of this.byLabel) {
      const value = c.spec.labels[key];
      const set = value === undefined ? undefined : index.get(value);
      if (!set) continue;
      set.delete(c);
      if (set.size === 0) index.delete(value!);
    }
  }

  /**
   * The containers a label selector can match, narrowed by the smallest index it names (every container
   * when it names none); callers still check the whole selector. Same order as byId.
   */
  protected candidates(selector: Readonly<Record<string, string>>): Iterable<FakeContainer> {
    let best: Iterable<FakeContainer> = this.byId.values();
    let bestSize = this.byId.size;
    for (const [key, index] of this.byLabel) {
      const value = selector[key];
      if (value === undefined) continue;
      const set = index.get(value);
      if (!set) return [];
      if (set.size < bestSize) {
        best = set;
        bestSize = set.size;
      }
    }
    return best;
  }

  /** Docker accepts a full id, a name (with or without "/") or an unambiguous id prefix. */
  protected resolve(idOrName: string): string | undefined {
    if (this.byId.has(idOrName)) return idOrName;
    const byName = this.byName.get(idOrName.replace(/^\//, ''));
    if (byName) return byName;
    if (idOrName.length < 4 || !/^[0-9a-f]+$/.test(idOrName)) return undefined;
    let found: string | undefined;
    for (const id of this.byId.keys()) {
      if (!id.startsWith(idOrName)) continue;
      if (found) return undefined;
      found = id;
    }
    return found;
  }

  protected mustGet(idOrName: string): FakeContainer {
    const c = this.byId.get(this.resolve(idOrName) ?? '');
    if (!c) throw new RuntimeError('NotFound', `No such container: ${idOrName}`);
    return c;
  }

  protected info(c: FakeContainer): ContainerInfo {
    const endpoint = c.networks?.values().next().value;
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      imageId: imageIdOf(c.image),
      labels: { ...c.spec.labels },
      state: c.state,
      createdAt: new Date(c.createdAt).toISOString(),
      startedAt: iso(c.startedAt),
      finishedAt: iso(c.finishedAt),
      exitCode: c.exitCode,
      oomKilled: c.oomKilled,
      error: c.error,
      pid: c.state === 'running' || c.state === 'paused' ? c.pid : undefined,
      ip: endpoint?.ip,
      ports: c.ports?.map((p) => ({ ...p })),
    };
  }

  protected run(c: FakeContainer): void {
    c.state = 'running';
    c.startedAt = this.clock.nowMs();
    c.finishedAt = undefined;
    c.exitCode = undefined;
    c.oomKilled = false;
    c.error = undefined;
    c.pid = this.nextPid++;
    this.emit('start', c);
    for (const line of c.behavior.output ?? []) this.appendLog(c, line.stream, line.text);
    const b = c.behavior;
    if (b.oomAfterMs !== undefined && (b.exitAfterMs === undefined || b.oomAfterMs <= b.exitAfterMs)) {
      c.timer = this.clock.setTimeout(() => this.exit(c, 137, true), b.oomAfterMs);
    } else if (b.exitAfterMs !== undefined) {
      c.timer = this.clock.setTimeout(() => this.exit(c, b.exitCode ?? 0, false), b.exitAfterMs);
    }
  }

  /** The main process ended: die (after oom when OOM-killed), followers end, stop() waiters resume. */
  protected exit(c: FakeContainer, code: number, oom: boolean): void {
    if (c.state !== 'running' && c.state !== 'paused') return;
    this.cancelTimer(c);
    c.state = 'exited';
    c.exitCode = code;
    c.oomKilled = oom;
    c.finishedAt = this.clock.nowMs();
    if (oom) this.emit('oom', c);
    this.emit('die', c);
    for (const f of c.followers ?? []) f.queue.end();
    c.followers = undefined;
    for (const resume of c.exitWaiters ?? []) resume();
    c.exitWaiters = undefined;
  }

  /** docker stop: SIGTERM, then SIGKILL after the grace period if the process is still there. */
  protected terminate(c: FakeContainer, graceSeconds: number): Promise<void> {
    const exited = new Promise<void>((resolve) => (c.exitWaiters ??= []).push(resolve));
    this.emit('kill', c);
    if (c.behavior.onTerm !== 'ignore') this.onSigterm(c);
    if (c.state === 'running' || c.state === 'paused') {
      const killer = this.clock.setTimeout(() => {
        this.emit('kill', c);
        this.exit(c, 137, false);
      }, Math.max(0, graceSeconds) * 1000);
      void exited.then(() => killer.cancel());
    }
    return exited;
  }

  protected onSigterm(c: FakeContainer): void {
    const exit = (): void => {
      // Already gone (a SIGKILL at the end of the grace period, a removal): nothing left to exit.
      if (c.state !== 'running' && c.state !== 'paused') return;
      if (c.behavior.termOutput) this.appendLog(c, 'stdout', c.behavior.termOutput);
      this.exit(c, typeof c.behavior.onTerm === 'number' ? c.behavior.onTerm : 143, false);
    };
    if (this.sigtermExitMs > 0) this.clock.setTimeout(exit, this.sigtermExitMs);
    else exit();
  }

  protected cancelTimer(c: FakeContainer): void {
    c.timer?.cancel();
    c.timer = undefined;
  }

  protected emit(type: RuntimeEventType, c: FakeContainer): void {
    if (this.watchers.size === 0) return;
    const event = {
      type,
      id: c.id,
      labels: { ...c.spec.labels },
      exitCode: type === 'die' ? c.exitCode : undefined,
      time: this.clock.nowMs(),
    };
    // A microtask, like an engine event arriving after the call that caused it has returned.
    for (const w of [...this.watchers]) queueMicrotask(() => this.watchers.has(w) && w.onEvent({ ...event, labels: { ...event.labels } }));
  }

  protected appendLog(c: FakeContainer, stream: 'stdout' | 'stderr', text: string): void {
    const now = this.clock.nowMs();
    for (const piece of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
      const line: FakeLogLine = { stream, data: Buffer.from(piece), time: now };
      (c.logs ??= []).push(line);
      for (const f of c.followers ?? []) f.queue.push(toChunk(line, f.timestamps));
    }
  }

  protected openLogs(c: FakeContainer, options: LogOptions): AsyncIterable<LogChunk> & { close(): void } {
    const follower = { queue: undefined as unknown as ChunkQueue, timestamps: options.timestamps === true };
    follower.queue = new ChunkQueue(() => c.followers?.delete(follower));
    for (const line of selectLines(c.logs ?? [], options.since, options.tail)) follower.queue.push(toChunk(line, follower.timestamps));
    if (options.follow && (c.state === 'running' || c.state === 'paused')) (c.followers ??= new Set()).add(follower);
    else follower.queue.end();
    return follower.queue;
  }

  protected closeAllLogs(): void {
    for (const c of this.byId.values()) {
      for (const f of c.followers ?? []) f.queue.end();
      c.followers = undefined;
    }
  }
}

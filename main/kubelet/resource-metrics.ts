// Resource metrics, metrics-server style: CPU and working-set memory of every running pod container,
// read from the container runtime (Docker stats), served as metrics.k8s.io/v1beta1 PodMetrics and
// NodeMetrics so that `kubectl top` and the HorizontalPodAutoscaler work. Scrapes happen on demand
// (at most one per resolution) instead of on a timer, so an idle lab spends nothing on them.
import { ApiError } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import type { Clock } from '../client/clock';
import type { VirtualResourceProvider } from '../apiserver/rest/virtual';
import type { ResourceDef } from '../apiserver/types';
import { RuntimeLabels, type ContainerRuntime } from '../runtime/runtime';
import { isRunning, roleOf } from './naming';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

export interface ContainerUsage {
  name: string;
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface PodUsage {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  containers: ContainerUsage[];
  /** Time of the samples (ms). */
  timestamp: number;
}

export interface MetricsSnapshot {
  pods: PodUsage[];
  /** When the scrape ran, and the window the CPU rates average over (ms). */
  timestamp: number;
  windowMs: number;
}

/** metrics.k8s.io quantities as metrics-server writes them: CPU in nano-cores ("n"), memory in Ki. */
export const cpuQuantity = (nanoCores: number): string => `${Math.max(0, Math.round(nanoCores))}n`;
export const memoryQuantity = (bytes: number): string => `${Math.max(0, Math.round(bytes / 1024))}Ki`;
const windowOf = (ms: number): string => `${Math.max(1, Math.round(ms / 1000))}s`;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface ResourceMetricsOptions {
  runtime: ContainerRuntime;
  labId: string;
  clock: Clock;
  /** Metrics resolution: a read older than this triggers a new scrape (metrics-server: 15 s). */
  resolutionMs: number;
  /** Stats calls in flight at once (Docker answers each in its own request). */
  concurrency?: number;
}

/** Scrapes stats of the lab's running pod containers, at most once per resolution. */
export class ResourceMetrics {
  private last?: MetricsSnapshot;
  private inFlight?: Promise<MetricsSnapshot>;

  constructor(private readonly options: ResourceMetricsOptions) {}

  /** The newest snapshot, scraping first when it is older than the resolution (or missing). */
  async current(): Promise<MetricsSnapshot> {
    const now = this.options.clock.nowMs();
    if (this.last && now - this.last.timestamp < this.options.resolutionMs) return this.last;
    this.inFlight ??= this.scrape().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async scrape(): Promise<MetricsSnapshot> {
    const { runtime, labId, clock } = this.options;
    const started = clock.nowMs();
    const containers = (await runtime.listContainers({ [RuntimeLabels.managed]: 'true', [RuntimeLabels.lab]: labId })).filter(
      (c) => isRunning(c) && c.state !== 'paused' && (roleOf(c) === 'app' || roleOf(c) === 'init'),
    );
    const pods = new Map<string, PodUsage>();
    const queue = [...containers];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const s = await runtime.stats(c.id).catch(() => undefined);
        if (!s) continue;
        const uid = c.labels[RuntimeLabels.podUid] ?? '';
        let pod = pods.get(uid);
        if (!pod) {
          pod = {
            uid,
            namespace: c.labels[RuntimeLabels.podNamespace] ?? '',
            name: c.labels[RuntimeLabels.podName] ?? '',
            node: c.labels[RuntimeLabels.node] ?? '',
            containers: [],
            timestamp: s.timestamp,
          };
          pods.set(uid, pod);
        }
        pod.containers.push({ name: c.labels[RuntimeLabels.container] ?? '', cpuNanoCores: s.cpuNanoCores, memoryBytes: s.memoryWorkingSetBytes });
        pod.timestamp = Math.max(pod.timestamp, s.timestamp);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 8 }, worker));
    for (const p of pods.values()) p.containers.sort((a, b) => a.name.localeCompare(b.name));
    const windowMs = this.last ? started - this.last.timestamp : this.options.resolutionMs;
    this.last = { pods: [...pods.values()], timestamp: started, windowMs: Math.min(Math.max(windowMs, 1000), 10 * this.options.resolutionMs) };
    return this.last;
  }
}

export function podMetricsOf(p: PodUsage, snapshot: MetricsSnapshot, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
    kind: 'PodMetrics',
    metadata: { name: p.name, namespace: p.namespace, creationTimestamp: iso(snapshot.timestamp), labels },
    timestamp: iso(p.timestamp),
    window: windowOf(snapshot.windowMs),
    containers: p.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpuNanoCores), memory: memoryQuantity(c.memoryBytes) } })),
  };
}

export function nodeMetricsOf(node: string, pods: PodUsage[], snapshot: MetricsSnapshot, labels?: Record<string, string>): KubeObject {
  const mine = pods.filter((p) => p.node === node);
  const sum = (f: (c: ContainerUsage) => number): number => mine.reduce((n, p) => n + p.containers.reduce((m, c) => m + f(c), 0), 0);
  return {
    apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
    kind: 'NodeMetrics',
    metadata: { name: node, creationTimestamp: iso(snapshot.timestamp), labels },
    timestamp: iso(snapshot.timestamp),
    window: windowOf(snapshot.windowMs),
    usage: { cpu: cpuQuantity(sum((c) => c.cpuNanoCores)), memory: memoryQuantity(sum((c) => c.memoryBytes)) },
  };
}

const usageCell = (o: KubeObject, key: 'cpu' | 'memory'): string => {
  const m = o as KubeObject & { usage?: Record<string, string>; containers?: Array<{ usage: Record<string, string> }> };
  if (m.usage) return m.usage[key] ?? '';
  return (m.containers ?? []).map((c) => c.usage[key]).join(',');
};

const metricsColumns: ResourceDef['columns'] = [
  { name: 'CPU', type: 'string', priority: 0, description: 'CPU usage (nano-cores).', cell: (o) => usageCell(o, 'cpu') },
  { name: 'Memory', type: 'string', priority: 0, description: 'Working-set memory.', cell: (o) => usageCell(o, 'memory') },
  { name: 'Window', type: 'string', priority: 0, description: 'Window the CPU rate averages over.', cell: (o) => String((o as { window?: string }).window ?? '') },
];

export const podMetricsResource: ResourceDef = {
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  resource: 'pods',
  kind: 'PodMetrics',
  singular: '',
  namespaced: true,
  verbs: ['get', 'list'],
  columns: metricsColumns,
};

export const nodeMetricsResource: ResourceDef = {
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  resource: 'nodes',
  kind: 'NodeMetrics',
  singular: '',
  namespaced: false,
  verbs: ['get', 'list'],
  columns: metricsColumns,
};

export interface MetricsProviderDeps {
  metrics: ResourceMetrics;
  /** Labels of the pods (by "namespace/name") the metrics describe: selectors filter on them, and metrics of
   * containers whose pod is gone from the API are left out, as metrics-server does. */
  podLabels(namespace?: string): Promise<Map<string, Record<string, string>>>;
  nodes(): Promise<Array<{ name: string; labels?: Record<string, string> }>>;
}

export function createPodMetricsProvider(deps: MetricsProviderDeps): VirtualResourceProvider {
  const build = async (namespace: string | undefined, filter: (p: PodUsage) => boolean): Promise<KubeObject[]> => {
    const s = await deps.metrics.current();
    const labels = await deps.podLabels(namespace);
    return s.pods
      .filter((p) => (!namespace || p.namespace === namespace) && filter(p) && labels.has(`${p.namespace}/${p.name}`))
      .map((p) => podMetricsOf(p, s, labels.get(`${p.namespace}/${p.name}`)))
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  };
  return {
    async get(namespace, name) {
      const [obj] = await build(namespace, (p) => p.name === name);
      if (!obj) throw ApiError.notFound({ group: METRICS_GROUP, resource: 'pods' }, name);
      return obj;
    },
    list: (namespace) => build(namespace, () => true),
  };
}

export function createNodeMetricsProvider(deps: MetricsProviderDeps): VirtualResourceProvider {
  return {
    async get(_namespace, name) {
      const node = (await deps.nodes()).find((n) => n.name === name);
      if (!node) throw ApiError.notFound({ group: METRICS_GROUP, resource: 'nodes' }, name);
      const s = await deps.metrics.current();
      return nodeMetricsOf(node.name, s.pods, s, node.labels);
    },
    async list() {
      const s = await deps.metrics.current();
      return (await deps.nodes()).map((n) => nodeMetricsOf(n.name, s.pods, s, n.labels));
    },
  };
}

// In-process stack for the ReplicaSet and Deployment controller tests: apiserver on a memory store, the
// lab's controller manager on a FakeClock (pumped in step with real time so retries and requeues run),
// and a tiny pod readiness simulator standing in for kubelets (marks pods Running/Ready via /status).
import type { Pod } from '../../../shared/api/pod';
import type { Deployment, ReplicaSet } from '../../../shared/api/workloads';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import type { ApiHandler } from '../../../main/apiserver/types';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import type { CoreEvent } from '../../../main/client/events';
import { startControllers } from '../../../main/controllers';
import { MemoryStore } from '../../../main/store/memory-store';

export const NS = 'team';
export const stops: Array<() => void> = [];

export function stopAll(): void {
  for (const stop of stops.splice(0).reverse()) stop();
}

export interface Stack {
  client: KubeClient;
  clock: FakeClock;
  sim: ReadinessSimulator;
}

export async function startStack(options: { ready?: boolean; pump?: boolean; wrap?: (inner: ApiHandler) => ApiHandler } = {}): Promise<Stack> {
  const rest = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const handler = options.wrap ? options.wrap(rest) : rest;
  const client = new KubeClient(handler, 'system:test');
  const clock = new FakeClock(Date.now());
  // Fake time follows real time (so rate-limited retries and short requeues happen) unless a test
  // wants full control; tests jump ahead with clock.step() for deadlines.
  if (options.pump !== false) {
    const timer = setInterval(() => clock.step(5), 5);
    stops.push(() => clearInterval(timer));
  }
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const manager = startControllers({ client, resources: builtinResources, clock });
  stops.push(() => manager.stop());
  const sim = new ReadinessSimulator(client, clock, options.ready ?? true);
  stops.push(() => sim.stop());
  return { client, clock, sim };
}

/** Plays the kubelet: pods become Running and Ready unless their image is in `broken` or auto is off. */
export class ReadinessSimulator {
  readonly broken = new Set<string>();
  private readonly watch: { stop(): void };
  private readonly seen = new Set<string>();

  constructor(
    private readonly client: KubeClient,
    private readonly clock: FakeClock,
    public auto: boolean,
  ) {
    this.watch = client.pods<Pod>().watch(NS, {}, {
      onEvent: (e) => {
        if (e.type !== 'ADDED' || !this.auto) return;
        const pod = e.object;
        if (pod.spec?.containers.some((c) => this.broken.has(c.image ?? ''))) return;
        void this.markReady(pod.metadata.name!).catch(() => undefined);
      },
    });
  }

  stop(): void {
    this.watch.stop();
  }

  async markReady(name: string, ready = true, restarts = 0): Promise<Pod> {
    const pods = this.client.pods<Pod>();
    const pod = await pods.get(NS, name);
    this.seen.add(name);
    const now = this.clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = ready ? 'True' : 'False';
    return pods.updateStatus(NS, {
      ...pod,
      status: {
        phase: 'Running',
        startTime: now,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status, lastTransitionTime: now },
          { type: 'ContainersReady', status, lastTransitionTime: now },
        ],
        containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
          name: c.name, image: c.image ?? '', imageID: '', ready, restartCount: restarts, started: true, state: { running: { startedAt: now } },
        })),
      },
    });
  }

  /** Marks every pod of the namespace not yet Ready (e.g. after turning auto on). */
  async readyAll(): Promise<void> {
    for (const pod of (await this.client.pods<Pod>().list(NS)).items) {
      if (!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !pod.metadata.deletionTimestamp) {
        await this.markReady(pod.metadata.name!).catch(() => undefined);
      }
    }
  }
}

export async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 8000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what} not reached in time${last ? `: ${String(last)}` : ''}`);
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function deployment(name: string, replicas: number, image = 'bosun-test/web:1', extra: Partial<NonNullable<Deployment['spec']>> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
      ...extra,
    },
  };
}

export function replicaSet(name: string, replicas: number, labels: Record<string, string> = { app: name }, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'bosun-test/web:1' }] } },
      ...extra,
    },
  };
}

export async function podsOf(client: KubeClient, selector: string): Promise<Pod[]> {
  return (await client.pods<Pod>().list(NS, { labelSelector: selector })).items.filter((p) => !p.metadata.deletionTimestamp);
}

export async function eventsFor(client: KubeClient, name: string): Promise<CoreEvent[]> {
  return (await client.events<CoreEvent>().list(NS)).items.filter((e) => e.involvedObject.name === name);
}

export async function setsOf(client: KubeClient, name: string): Promise<ReplicaSet[]> {
  return (await client.replicaSets<ReplicaSet>().list(NS, { labelSelector: `app=${name}` })).items;
}

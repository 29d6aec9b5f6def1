// In-process stack for drill tests: apiserver on a memory store, the real generic fault controller with
// scriptable fake injectors (their inject/revert change Deployment/Endpoints status the way Kubernetes
// would react to the fault), and the drill controller, on a FakeClock pumped ahead of real time.
import type { AnyFault, Drill, FaultKind, FaultTarget, NodeFault, PodFault } from '../../../shared/api/chaos';
import type { Endpoints } from '../../../shared/api/service';
import type { Deployment } from '../../../shared/api/workloads';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler, type EvictionPolicy } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import { DrillController } from '../../../main/chaos/drill-controller';
import type { HttpGet } from '../../../main/chaos/drill-checks';
import { DRILLS } from '../../../main/chaos/drill-steps';
import { FaultController } from '../../../main/chaos/fault-controller';
import type { FaultInjector } from '../../../main/chaos/types';
import { MemoryStore } from '../../../main/store/memory-store';

export const NS = 'drills';
const quiet = { warn: () => undefined };

type Hook = (fault: AnyFault, target: FaultTarget) => Promise<void> | void;

/** A fake injector for one kind; tests script what "injecting" does to the cluster. */
export class ScriptedInjector<F extends AnyFault> implements FaultInjector<F> {
  onInject?: Hook;
  onRevert?: Hook;
  failWith?: string;
  readonly log: string[] = [];
  constructor(readonly kind: FaultKind) {}
  async selectTargets(fault: F): Promise<FaultTarget[]> {
    const spec = fault.spec as { selector?: { nodeNames?: string[] } };
    const names = spec.selector?.nodeNames ?? [fault.metadata.name!];
    return names.map((name) => ({ kind: this.kind === 'NodeFault' ? 'Node' : 'Pod', name }));
  }
  async inject(fault: F, target: FaultTarget): Promise<FaultTarget> {
    this.log.push(`inject ${fault.metadata.name}`);
    if (this.failWith) throw new Error(this.failWith);
    await this.onInject?.(fault, target);
    return { ...target, message: 'injected' };
  }
  async revert(fault: F, target: FaultTarget): Promise<void> {
    this.log.push(`revert ${fault.metadata.name}`);
    await this.onRevert?.(fault, target);
  }
}

export interface DrillStack {
  client: KubeClient;
  clock: FakeClock;
  nodeInjector: ScriptedInjector<NodeFault>;
  podInjector: ScriptedInjector<PodFault>;
  drills: DrillController;
  faults: FaultController;
  stop(): Promise<void>;
}

export async function startDrillStack(options: { httpGet?: HttpGet; evictionPolicy?: EvictionPolicy; speed?: number } = {}): Promise<DrillStack> {
  const clock = new FakeClock(Date.now());
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock, evictionPolicy: options.evictionPolicy });
  const client = new KubeClient(handler, 'system:test');
  // Fake time runs `speed` times faster than real time so second-long drill steps take a fraction of that.
  const speed = options.speed ?? 4;
  const pump = setInterval(() => clock.step(5 * speed), 5);
  for (const name of ['default', NS]) await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const nodeInjector = new ScriptedInjector<NodeFault>('NodeFault');
  const podInjector = new ScriptedInjector<PodFault>('PodFault');
  const faults = new FaultController({ client, clock, injectors: [nodeInjector, podInjector] as FaultInjector[], logger: quiet });
  await faults.start();
  const drills = new DrillController({ client, clock, httpGet: options.httpGet, logger: quiet, run: { sampleMs: 100, flushMs: 300, pollMs: 50 } });
  drills.start();
  return {
    client,
    clock,
    nodeInjector,
    podInjector,
    drills,
    faults,
    stop: async () => {
      await drills.stop();
      await faults.stop();
      clearInterval(pump);
    },
  };
}

/** A Deployment whose status the test sets directly (no controllers: the checks read status only). */
export async function deployment(client: KubeClient, name: string, ready: number): Promise<void> {
  const d = await client.deployments<Deployment>().create(NS, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  } as Deployment);
  await setReady(client, name, ready, d);
}

export async function setReady(client: KubeClient, name: string, ready: number, current?: Deployment): Promise<void> {
  const d = current ?? (await client.deployments<Deployment>().get(NS, name));
  await client.deployments<Deployment>().updateStatus(NS, { ...d, status: { ...(d.status ?? {}), replicas: 3, readyReplicas: ready, availableReplicas: ready, updatedReplicas: 3, observedGeneration: d.metadata.generation } });
}

export async function setEndpoints(client: KubeClient, name: string, ready: number): Promise<void> {
  const body: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: NS },
    subsets: ready ? [{ addresses: Array.from({ length: ready }, (_, i) => ({ ip: `10.244.0.${i + 10}` })), ports: [{ port: 80, protocol: 'TCP' }] }] : [],
  };
  const existing = await client.endpoints<Endpoints>().get(NS, name).catch(() => undefined);
  if (existing) await client.endpoints<Endpoints>().update(NS, { ...body, metadata: existing.metadata });
  else await client.endpoints<Endpoints>().create(NS, body);
}

export function drillObject(name: string, spec: Drill['spec']): Drill {
  return { apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'Drill', metadata: { name, namespace: NS }, spec };
}

/** Creates the drill and waits (real time) until it reaches a terminal phase. */
export async function runDrill(stack: DrillStack, drill: Drill, timeoutMs = 20_000): Promise<Drill> {
  const c = stack.client.resource<Drill>(DRILLS);
  await c.create(NS, drill);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await c.get(NS, drill.metadata.name!);
    if (['Succeeded', 'Failed', 'Aborted'].includes(d.status?.phase ?? '')) return d;
    if (Date.now() > deadline) throw new Error(`drill ${drill.metadata.name} still ${d.status?.phase} (${d.status?.message})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Real-time wait for a condition (the stack's fake time runs alongside). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

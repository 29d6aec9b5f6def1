// What each drill step does, through the API only (as a person with kubectl would): fault objects created
// and deleted, `kubectl set image` / `rollout restart` patches, `kubectl drain` = cordon + evictions.
import {
  CHAOS_API_VERSION, DRILL_NAME_LABEL, DRILL_NAMESPACE_LABEL, parseGoDuration,
  type AnyFault, type Drill, type DrillStep, type FaultKind,
} from '../../shared/api/chaos';
import { isAlreadyExists, isNotFound, isTooManyRequests } from '../../shared/api/errors';
import type { GroupVersionResource } from '../../shared/api/meta';
import type { Node } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';
import type { Deployment } from '../../shared/api/workloads';
import type { KubeClient } from '../client/client';
import type { Clock } from '../client/clock';
import type { Timeline } from './drill-timeline';

export const DRILLS: GroupVersionResource = { group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'drills' };
export const FAULT_GVRS: Readonly<Record<FaultKind, GroupVersionResource>> = {
  NodeFault: { group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'nodefaults' },
  PodFault: { group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'podfaults' },
  ServiceFault: { group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'servicefaults' },
};
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** How long a fault may take to report Injected, and its revert (finalizer) to let it go. */
export const FAULT_INJECT_TIMEOUT_MS = 60_000;
export const FAULT_REVERT_TIMEOUT_MS = 60_000;
export const ROLLOUT_TIMEOUT_MS = 300_000;
export const DRAIN_TIMEOUT_MS = 120_000;
/** kubectl drain retries a refused (429) eviction every 5 s; drills retry every second to keep them short. */
export const EVICTION_RETRY_MS = 1000;

export type WaitResult = 'ok' | 'timeout' | 'interrupted';

/** What the runner lends a step. */
export interface StepHost {
  drill: Drill;
  client: KubeClient;
  clock: Clock;
  timeline: Timeline;
  sleep(ms: number): Promise<boolean>;
  waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<WaitResult>;
  /** The first step's action took effect at `time` (only the first call counts). */
  markDisrupted(time: string): void;
  /** A fault this drill created, for the cleanup on abort, deletion or stop. */
  trackFault(kind: FaultKind, namespace: string | undefined, name: string): void;
  /** Nodes to uncordon on cleanup when the drain step asked for it but the drill ended early. */
  trackCordon(node: string, uncordon: boolean): void;
}

export class StepError extends Error {}

export function stepKind(step: DrillStep): FaultKind | 'rollout' | 'drain' | 'pause' {
  if (step.nodeFault) return 'NodeFault';
  if (step.podFault) return 'PodFault';
  if (step.serviceFault) return 'ServiceFault';
  if (step.rollout) return 'rollout';
  if (step.drain) return 'drain';
  return 'pause';
}

const durationMs = (text: string | undefined): number | undefined => (text === undefined ? undefined : parseGoDuration(text));

/** The fault object a step creates: `<drill>-<step>`, labelled with its drill, owned by it when namespaced. */
export function faultObject(drill: Drill, step: DrillStep, kind: FaultKind): AnyFault {
  const ns = drill.metadata.namespace!;
  const template = structuredClone((step.nodeFault ?? step.podFault ?? step.serviceFault)!) as Record<string, any>;
  // The fault's own persisted deadline is the safety net: it reverts even if the lab dies mid-drill.
  if (template.duration === undefined && step.duration !== undefined) template.duration = step.duration;
  const metadata: AnyFault['metadata'] = {
    name: `${drill.metadata.name}-${step.name}`,
    labels: { [DRILL_NAME_LABEL]: drill.metadata.name!, [DRILL_NAMESPACE_LABEL]: ns },
  };
  if (kind !== 'NodeFault') {
    metadata.namespace = ns;
    // Cluster-scoped NodeFaults cannot have a namespaced owner; the drill's finalizer deletes those.
    metadata.ownerReferences = [{ apiVersion: CHAOS_API_VERSION, kind: 'Drill', name: drill.metadata.name!, uid: drill.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  }
  return { apiVersion: CHAOS_API_VERSION, kind, metadata, spec: template } as AnyFault;
}

async function runFaultStep(host: StepHost, step: DrillStep, kind: FaultKind): Promise<WaitResult> {
  const body = faultObject(host.drill, step, kind);
  const ns = body.metadata.namespace;
  const name = body.metadata.name!;
  const faults = host.client.resource<AnyFault>(FAULT_GVRS[kind]);
  try {
    await faults.create(ns, body);
  } catch (e) {
    if (!isAlreadyExists(e)) throw new StepError(`cannot create ${kind} ${name}: ${e instanceof Error ? e.message : String(e)}`);
    // A fault of the same name (an earlier run of a drill with this name) still reverting: wait it out once.
    const gone = await host.waitFor(async () => (await faults.get(ns, name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))) === undefined, FAULT_REVERT_TIMEOUT_MS);
    if (gone !== 'ok') throw new StepError(`${kind} ${name} already exists (left by an earlier drill?): delete it, then delete and re-create this drill`);
    await faults.create(ns, body);
  }
  host.trackFault(kind, ns, name);
  host.timeline.add('Step', `${kind} ${name} created (${(body.spec as { action?: string }).action ?? 'service fault'})`, { object: { kind, ...(ns ? { namespace: ns } : {}), name } });
  let current: AnyFault | undefined;
  const injected = await host.waitFor(async () => {
    current = await faults.get(ns, name);
    const phase = current.status?.phase;
    if (phase === 'Failed') throw new StepError(`${kind} ${name} failed: ${current.status?.message ?? 'injection failed'}`);
    return phase === 'Injected' || phase === 'Reverting' || phase === 'Reverted';
  }, FAULT_INJECT_TIMEOUT_MS);
  if (injected === 'timeout') {
    throw new StepError(`${kind} ${name} was not injected within ${FAULT_INJECT_TIMEOUT_MS / 1000}s (phase ${current?.status?.phase ?? '<none>'}: is the chaos controller running?)`);
  }
  if (injected === 'interrupted') return injected;
  host.markDisrupted(current?.status?.injectedAt ?? host.clock.now().toISOString());
  const stepMs = durationMs(step.duration);
  // Without a step duration the fault's own duration rules: wait for its revert.
  const held = stepMs !== undefined
    ? ((await host.sleep(stepMs)) ? 'ok' : 'interrupted')
    : await host.waitFor(async () => (await faults.get(ns, name)).status?.phase === 'Reverted', (durationMs((body.spec as { duration?: string }).duration) ?? 0) + FAULT_REVERT_TIMEOUT_MS);
  if (held === 'interrupted') return held;
  await deleteFaultAndWait(host.client, kind, ns, name, host);
  return 'ok';
}

/** Deletes a fault and waits until its finalizer (the revert) has let it go. */
export async function deleteFaultAndWait(client: KubeClient, kind: FaultKind, ns: string | undefined, name: string, host: Pick<StepHost, 'clock'> & { waitFor?: StepHost['waitFor'] }): Promise<boolean> {
  const faults = client.resource<AnyFault>(FAULT_GVRS[kind]);
  await faults.delete(ns, name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
  const gone = async (): Promise<boolean> => (await faults.get(ns, name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)))) === undefined;
  if (host.waitFor) return (await host.waitFor(gone, FAULT_REVERT_TIMEOUT_MS)) === 'ok';
  const deadline = host.clock.nowMs() + FAULT_REVERT_TIMEOUT_MS;
  while (host.clock.nowMs() < deadline) {
    if (await gone()) return true;
    await new Promise<void>((r) => host.clock.setTimeout(r, 250));
  }
  return false;
}

/** kubectl rollout status's notion of done: observed, all updated, no old replicas, all available. */
export function rolloutComplete(d: Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want;
}

async function runRolloutStep(host: StepHost, step: DrillStep): Promise<WaitResult> {
  const r = step.rollout!;
  const ns = host.drill.metadata.namespace!;
  const deployments = host.client.deployments<Deployment>();
  const d = await deployments.get(ns, r.deployment).catch((e) => {
    throw new StepError(isNotFound(e) ? `deployment ${r.deployment} not found in ${ns}` : String(e));
  });
  let patch: unknown;
  if (r.image) {
    const containers = d.spec?.template?.spec?.containers ?? [];
    const container = r.container ?? containers[0]?.name;
    if (!containers.some((c) => c.name === container)) throw new StepError(`deployment ${r.deployment} has no container ${container}`);
    patch = { spec: { template: { spec: { containers: [{ name: container, image: r.image }] } } } };
  } else {
    patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: host.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z') } } } } };
  }
  await deployments.patch(ns, r.deployment, 'application/strategic-merge-patch+json', patch, { fieldManager: 'bosun-drill' });
  host.markDisrupted(host.clock.now().toISOString());
  host.timeline.add('Step', r.image ? `deployment ${r.deployment}: image set to ${r.image}` : `deployment ${r.deployment} restarted`, { object: { kind: 'Deployment', namespace: ns, name: r.deployment } });
  const done = await host.waitFor(async () => rolloutComplete(await deployments.get(ns, r.deployment)), ROLLOUT_TIMEOUT_MS);
  if (done === 'timeout') throw new StepError(`deployment ${r.deployment} did not finish rolling out within ${ROLLOUT_TIMEOUT_MS / 1000}s`);
  if (done === 'interrupted') return done;
  host.timeline.add('Step', `deployment ${r.deployment} successfully rolled out`, { object: { kind: 'Deployment', namespace: ns, name: r.deployment }, ok: true });
  return (await host.sleep(durationMs(step.duration) ?? 0)) ? 'ok' : 'interrupted';
}

/** kubectl drain's filters: DaemonSet pods stay (--ignore-daemonsets), mirror pods cannot be evicted. */
export function podsToEvict(pods: Pod[]): Pod[] {
  return pods.filter((p) => {
    if (p.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) return false;
    return !(p.metadata.ownerReferences ?? []).some((o) => o.controller && o.kind === 'DaemonSet');
  });
}

async function evictWithRetry(host: StepHost, pod: Pod, deadline: number): Promise<WaitResult> {
  const pods = host.client.pods<Pod>();
  const ns = pod.metadata.namespace!;
  const name = pod.metadata.name!;
  let refusedOnce = false;
  const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } };
  const result = await host.waitFor(async () => {
    try {
      await pods.createSubresource(ns, name, 'eviction', eviction);
      host.timeline.add('Step', `evicting pod ${ns}/${name}`, { object: { kind: 'Pod', namespace: ns, name } });
      return true;
    } catch (e) {
      if (isNotFound(e)) return true;
      if (!isTooManyRequests(e)) throw e;
      if (!refusedOnce) host.timeline.add('Step', `eviction of pod ${ns}/${name} refused (will retry): ${(e as Error).message}`, { object: { kind: 'Pod', namespace: ns, name }, ok: false });
      refusedOnce = true;
      await host.sleep(EVICTION_RETRY_MS);
      return false;
    }
  }, Math.max(0, deadline - host.clock.nowMs()));
  return result;
}

async function runDrainStep(host: StepHost, step: DrillStep): Promise<WaitResult> {
  const { node, uncordonAfter, timeout } = step.drain!;
  const nodes = host.client.nodes<Node>();
  await nodes.patch(undefined, node, 'application/merge-patch+json', { spec: { unschedulable: true } }).catch((e) => {
    throw new StepError(isNotFound(e) ? `node ${node} not found` : String(e));
  });
  host.trackCordon(node, uncordonAfter === true);
  host.markDisrupted(host.clock.now().toISOString());
  host.timeline.add('Step', `node ${node} cordoned`, { object: { kind: 'Node', name: node } });
  const deadline = host.clock.nowMs() + (durationMs(timeout) ?? DRAIN_TIMEOUT_MS);
  const list = await host.client.pods<Pod>().list(undefined, { fieldSelector: `spec.nodeName=${node}` });
  const victims = podsToEvict(list.items);
  const results = await Promise.all(victims.map((p) => evictWithRetry(host, p, deadline)));
  if (results.includes('interrupted')) return 'interrupted';
  if (results.includes('timeout')) throw new StepError(`drain of node ${node} timed out: evictions still refused (a PodDisruptionBudget allows no disruption)`);
  const uids = new Set(victims.map((p) => p.metadata.uid));
  const gone = await host.waitFor(async () => {
    const now = await host.client.pods<Pod>().list(undefined, { fieldSelector: `spec.nodeName=${node}` });
    return !now.items.some((p) => uids.has(p.metadata.uid));
  }, Math.max(0, deadline - host.clock.nowMs()));
  if (gone === 'timeout') throw new StepError(`drain of node ${node} timed out waiting for evicted pods to terminate`);
  if (gone === 'interrupted') return gone;
  host.timeline.add('Step', `node ${node} drained (${victims.length} pods evicted)`, { object: { kind: 'Node', name: node }, ok: true });
  if (!(await host.sleep(durationMs(step.duration) ?? 0))) return 'interrupted';
  if (uncordonAfter) {
    await nodes.patch(undefined, node, 'application/merge-patch+json', { spec: { unschedulable: null } });
    host.trackCordon(node, false);
    host.timeline.add('Step', `node ${node} uncordoned`, { object: { kind: 'Node', name: node } });
  }
  return 'ok';
}

/** Runs one step to its end; throws StepError (the drill fails with its message). */
export async function runStep(host: StepHost, step: DrillStep): Promise<WaitResult> {
  const kind = stepKind(step);
  switch (kind) {
    case 'rollout':
      return runRolloutStep(host, step);
    case 'drain':
      return runDrainStep(host, step);
    case 'pause':
      return (await host.sleep(durationMs(step.duration) ?? 0)) ? 'ok' : 'interrupted';
    default:
      return runFaultStep(host, step, kind);
  }
}

// One pod's sync (the kubelet's SyncPod): compare the pod's spec with what the runtime runs and act —
// sandbox first, init containers one at a time to success, then app containers in order, restarting
// per restartPolicy with CrashLoopBackOff — then write the status. Level-triggered: everything is
// re-derived from runtime labels, so an adopted pod and a fresh one go through the same code.
import { isConflict, isNotFound } from '../../shared/api/errors';
import type { Container, Pod } from '../../shared/api/pod';
import type { ContainerInfo } from '../runtime/runtime';
import { RuntimeLabels } from '../runtime/runtime';
import {
  crashBackoffKey, crashLoopMessage, createSandbox, fieldPathOf, imageRetryDelay, startContainer,
} from './container-start';
import { waitingOf, type KubeletContext } from './kubelet-context';
import { attemptOf, containerNameOf, hasExited, isRunning, newestFirst, nodeSelector, podDescription, roleOf } from './naming';
import { computePodStatus, isSidecar, type ObservedPod } from './pod-status';
import { pruneInstances, readTerminationMessage, releasePod, terminatePod } from './pod-termination';
import { KubeletError } from './types';

export async function listPodContainers(ctx: KubeletContext, uid: string): Promise<ContainerInfo[]> {
  return ctx.deps.runtime.listContainers({ ...nodeSelector(ctx.deps.labId, ctx.deps.node.name), [RuntimeLabels.podUid]: uid });
}

export function observe(containers: ContainerInfo[]): ObservedPod {
  const sandboxes = newestFirst(containers.filter((c) => roleOf(c) === 'sandbox'));
  const instances = new Map<string, ContainerInfo[]>();
  for (const c of containers) {
    if (roleOf(c) === 'sandbox') continue;
    const name = containerNameOf(c);
    instances.set(name, [...(instances.get(name) ?? []), c]);
  }
  for (const [name, list] of instances) instances.set(name, newestFirst(list));
  return { sandbox: sandboxes[0], instances };
}

const shouldRestart = (pod: Pod, c: Container, exitCode: number | undefined, init: boolean): boolean => {
  if (init && isSidecar(c)) return true;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Always') return init ? (exitCode ?? 0) !== 0 : true;
  if (policy === 'OnFailure') return (exitCode ?? 0) !== 0;
  return false;
};

/** Entry point of a pod worker: the pod as the informer last saw it (undefined: gone from the API). */
export async function syncPod(ctx: KubeletContext, uid: string, pod: Pod | undefined): Promise<void> {
  // Taken before listing: a death after the list flags (and enqueues) the next sync.
  const died = ctx.deaths.delete(uid);
  const containers = await listPodContainers(ctx, uid);
  if (!pod) {
    if (containers.length) await releasePod(ctx, uid, containers);
    else ctx.ips.release(uid);
    ctx.workers.forget(uid);
    return;
  }
  if (pod.metadata.deletionTimestamp) {
    await finishDeletion(ctx, pod, containers);
    return;
  }
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    // A finished pod runs nothing; its exited containers stay for logs until the pod is deleted.
    const running = containers.filter((c) => roleOf(c) !== 'sandbox' && isRunning(c));
    await Promise.all(running.map((c) => ctx.deps.runtime.stopContainer(c.id, pod.spec?.terminationGracePeriodSeconds ?? 30).catch(() => undefined)));
    const sandbox = containers.find((c) => roleOf(c) === 'sandbox' && isRunning(c));
    if (sandbox) await ctx.deps.runtime.stopContainer(sandbox.id, 0).catch(() => undefined);
    ctx.ips.release(uid);
    return;
  }
  let current = pod;
  if (died) {
    // A container died: show it now, from what was just listed, rather than after the restart (a
    // container create+start, or more with a pull) that reconcile may do first. Kubernetes' SyncPod
    // also writes the status before acting; the restart's own status follows below.
    current = (await writeStatusFrom(ctx, pod, containers)) ?? pod;
  }
  await reconcile(ctx, current, containers);
  await writeStatus(ctx, current);
  // Most pods wait for nothing once running: no empty map per pod (2 MB at 10,000 pods). Only reconcile
  // fills it, and it runs in this pod's serialized worker, so nothing holds the map now.
  if (ctx.waiting.get(uid)?.size === 0) ctx.waiting.delete(uid);
}

export async function writeStatus(ctx: KubeletContext, pod: Pod): Promise<void> {
  await writeStatusFrom(ctx, pod, await listPodContainers(ctx, pod.metadata.uid ?? ''));
}

/** Computes and writes the pod's status from `containers` (as listed now); returns the stored pod. */
async function writeStatusFrom(ctx: KubeletContext, pod: Pod, containers: ContainerInfo[]): Promise<Pod | undefined> {
  const uid = pod.metadata.uid ?? '';
  await Promise.all(containers.filter(hasExited).map((c) => readTerminationMessage(ctx, pod, c)));
  const observed = observe(containers);
  registerWithProber(ctx, pod, observed);
  const status = computePodStatus({
    pod,
    observed,
    waiting: ctx.waiting.get(uid) ?? new Map(),
    probeState: (name) => ctx.probes.state(uid, name),
    hostIP: ctx.hostIP,
    now: rfc3339(ctx.deps.clock.nowMs()),
    runtimeScheme: ctx.deps.runtime.kind,
    terminationMessages: ctx.terminationMessages,
  });
  const stored = await ctx.statuses.setStatus(pod, status);
  // A pod that just finished: stop what is left (e.g. the sandbox) on the next sync.
  if (stored && (stored.status?.phase === 'Succeeded' || stored.status?.phase === 'Failed') && stored.status.phase !== pod.status?.phase) {
    ctx.workers.enqueueAfter(uid, 1);
  }
  return stored;
}

/** Running instances the prober does not watch yet: adopted after a restart, or started by an earlier run. */
function registerWithProber(ctx: KubeletContext, pod: Pod, observed: ObservedPod): void {
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const latest = observed.instances.get(c.name)?.[0];
    const key = `${pod.metadata.uid}/${c.name}`;
    if (!latest || latest.state !== 'running' || ctx.probed.get(key) === latest.id) continue;
    ctx.probes.addContainer(pod, c, latest);
    ctx.probed.set(key, latest.id);
  }
}

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

async function finishDeletion(ctx: KubeletContext, pod: Pod, containers: ContainerInfo[]): Promise<void> {
  const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  await terminatePod(ctx, pod, containers, Math.max(0, grace));
  try {
    // Last: the pod leaves the API only once nothing of it runs. The uid precondition keeps a new pod
    // of the same name safe.
    await ctx.deps.client.pods().delete(pod.metadata.namespace, pod.metadata.name ?? '', {
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid },
    });
  } catch (e) {
    if (!isNotFound(e) && !isConflict(e)) throw e;
  }
  ctx.workers.forget(pod.metadata.uid ?? '');
}

/** Makes the runtime match the spec; returns having started at most what may start now. */
async function reconcile(ctx: KubeletContext, pod: Pod, containers: ContainerInfo[]): Promise<void> {
  const uid = pod.metadata.uid ?? '';
  const waiting = waitingOf(ctx, uid);
  try {
    await ctx.volumes.setUp(pod);
  } catch (e) {
    const message = (e as Error).message;
    ctx.recorder.event(pod, 'Warning', e instanceof KubeletError ? e.reason : 'FailedMount', message);
    ctx.workers.enqueueAfter(uid, ctx.retryMs);
    return;
  }
  let observed = observe(containers);
  let sandbox = observed.sandbox;
  if (sandbox && isRunning(sandbox) && sandbox.ip) ctx.ips.reserve(uid, sandbox.ip);
  if (!sandbox || !isRunning(sandbox)) {
    if (!needsSandbox(pod, observed)) return;
    // A dead sandbox takes the pod's network with it: every container restarts in a new one.
    const running = containers.filter((c) => roleOf(c) !== 'sandbox' && isRunning(c));
    await Promise.all(running.map((c) => ctx.deps.runtime.stopContainer(c.id, 0).catch(() => undefined)));
    if (sandbox) {
      ctx.recorder.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await ctx.deps.runtime.removeContainer(sandbox.id).catch(() => undefined);
    }
    try {
      sandbox = await createSandbox(ctx, pod, sandbox ? attemptOf(sandbox) + 1 : 0);
    } catch (e) {
      const message = (e as Error).message;
      ctx.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${message}`);
      ctx.workers.enqueueAfter(uid, ctx.retryMs);
      return;
    }
    observed = observe(await listPodContainers(ctx, uid));
  }
  await pruneInstances(ctx, observed.instances);
  // Adopted pods (and IP changes of a new sandbox) keep their in-cluster names current.
  await ctx.hosts.track(pod, sandbox.ip).catch(() => undefined);

  for (const c of pod.spec?.initContainers ?? []) {
    const latest = observed.instances.get(c.name)?.[0];
    if (isSidecar(c) && latest && isRunning(latest)) continue;
    if (!isSidecar(c) && latest && hasExited(latest) && latest.exitCode === 0) continue;
    if (latest && isRunning(latest)) return; // wait for it to finish (its die event syncs again)
    const done = await ensureContainer(ctx, pod, c, 'init', observed.instances.get(c.name) ?? [], sandbox, waiting);
    if (!done || !isSidecar(c)) return;
  }
  for (const c of pod.spec?.containers ?? []) {
    const latest = observed.instances.get(c.name)?.[0];
    if (latest && isRunning(latest)) {
      waiting.delete(c.name);
      continue;
    }
    await ensureContainer(ctx, pod, c, 'app', observed.instances.get(c.name) ?? [], sandbox, waiting);
  }
}

/** A pod whose containers all finished for good needs no new sandbox. */
function needsSandbox(pod: Pod, observed: ObservedPod): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Always') return true;
  return (pod.spec?.containers ?? []).some((c) => {
    const latest = observed.instances.get(c.name)?.[0];
    return !latest || !hasExited(latest) || shouldRestart(pod, c, latest.exitCode, false);
  });
}

/**
 * Starts a container that has no running instance, honouring restartPolicy and CrashLoopBackOff.
 * Returns true when an instance was started.
 */
async function ensureContainer(
  ctx: KubeletContext,
  pod: Pod,
  c: Container,
  role: 'init' | 'app',
  instances: ContainerInfo[],
  sandbox: ContainerInfo,
  waiting: Map<string, { reason: string; message?: string }>,
): Promise<boolean> {
  const uid = pod.metadata.uid ?? '';
  const [latest, ...older] = instances;
  let attempt = 0;
  if (latest) {
    if (latest.state === 'created' && !latest.error) {
      // Created but never started (an interrupted sync): replace it with the same attempt.
      await ctx.deps.runtime.removeContainer(latest.id).catch(() => undefined);
      attempt = attemptOf(latest);
    } else {
      if (!shouldRestart(pod, c, latest.exitCode, role === 'init')) {
        waiting.delete(c.name);
        return false;
      }
      const key = crashBackoffKey(pod, c);
      const finishedMs = Date.parse(latest.finishedAt ?? '') || ctx.deps.clock.nowMs();
      const remaining = ctx.crashBackoff.remaining(key, finishedMs);
      if (remaining > 0) {
        const delay = ctx.crashBackoff.delay(key);
        waiting.set(c.name, { reason: 'CrashLoopBackOff', message: crashLoopMessage(pod, c, delay) });
        ctx.recorder.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podDescription(pod)}`, fieldPathOf(pod, c));
        ctx.workers.enqueueAfter(uid, remaining);
        return false;
      }
      ctx.crashBackoff.next(key, finishedMs);
      attempt = attemptOf(latest) + 1;
    }
  }
  try {
    await startContainer(ctx, pod, c, role, attempt, sandbox);
    waiting.delete(c.name);
    // The instance that just died becomes "previous" (kubectl logs -p); anything older goes now.
    await Promise.all(older.map((o) => ctx.deps.runtime.removeContainer(o.id).catch(() => undefined)));
    return true;
  } catch (e) {
    if (!(e instanceof KubeletError)) {
      waiting.set(c.name, { reason: 'CreateContainerError', message: (e as Error).message });
      ctx.workers.enqueueAfter(uid, ctx.retryMs);
      return false;
    }
    waiting.set(c.name, { reason: e.reason, message: e.message });
    const imageFailure = e.reason === 'ErrImagePull' || e.reason === 'ImagePullBackOff';
    ctx.workers.enqueueAfter(uid, imageFailure ? imageRetryDelay(ctx, pod, c.image ?? '', e.reason) : ctx.retryMs);
    return false;
  }
}

// Stopping things: graceful pod termination (preStop → SIGTERM with the remaining grace → SIGKILL →
// remove containers and sandbox → release IP and volumes), killing single containers, removing
// orphans and old instances, and reading termination messages of exited containers.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod } from '../../shared/api/pod';
import { RuntimeLabels, type ContainerInfo } from '../runtime/runtime';
import { fieldPathOf, terminationLogPath } from './container-start';
import type { KubeletContext } from './kubelet-context';
import { attemptOf, containerNameOf, hasExited, isRunning, roleOf } from './naming';

const MAX_TERMINATION_MESSAGE = 4096;
const FALLBACK_LOG_LINES = 80;
const MIN_GRACE_AFTER_PRESTOP_S = 2;

const allContainers = (pod: Pod): Container[] => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];

async function stopAndRemove(ctx: KubeletContext, info: ContainerInfo, graceSeconds: number): Promise<void> {
  const { runtime } = ctx.deps;
  if (isRunning(info) || info.state === 'created') await runtime.stopContainer(info.id, graceSeconds).catch(() => undefined);
  await runtime.removeContainer(info.id).catch(() => undefined);
  ctx.terminationMessages.delete(info.id);
}

/** Stops one running container the Kubernetes way: preStop hook, then SIGTERM with what is left of the grace. */
export async function killContainer(ctx: KubeletContext, pod: Pod, info: ContainerInfo, graceSeconds: number, reason: string): Promise<void> {
  const name = containerNameOf(info);
  const spec = allContainers(pod).find((c) => c.name === name);
  const fieldPath = spec ? fieldPathOf(pod, spec) : undefined;
  const started = ctx.deps.clock.nowMs();
  const preStop = spec?.lifecycle?.preStop;
  if (spec && preStop && isRunning(info) && graceSeconds > 0) {
    const result = await ctx.handlers.run(pod, spec, info, preStop, graceSeconds * 1000).catch((e: unknown) => ({ ok: false, message: (e as Error).message }));
    if (!result.ok) ctx.recorder.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${result.message}`, fieldPath);
  }
  const spent = Math.floor((ctx.deps.clock.nowMs() - started) / 1000);
  const remaining = preStop && graceSeconds > 0 ? Math.max(graceSeconds - spent, MIN_GRACE_AFTER_PRESTOP_S) : graceSeconds;
  if (isRunning(info)) ctx.recorder.event(pod, 'Normal', 'Killing', reason || `Stopping container ${name}`, fieldPath);
  await ctx.deps.runtime.stopContainer(info.id, remaining).catch(() => undefined);
  ctx.probes.removeContainer(pod.metadata.uid ?? '', name);
  ctx.probed.delete(`${pod.metadata.uid}/${name}`);
}

/**
 * Graceful termination of a whole pod: app containers stop in parallel (preStop first), then init
 * containers and the sandbox; everything is removed and the pod's resources released.
 */
export async function terminatePod(ctx: KubeletContext, pod: Pod, containers: ContainerInfo[], graceSeconds: number): Promise<void> {
  const running = containers.filter((c) => roleOf(c) !== 'sandbox' && isRunning(c));
  await Promise.all(running.map((c) => killContainer(ctx, pod, c, graceSeconds, `Stopping container ${containerNameOf(c)}`)));
  // Re-read: what was running has stopped now and needs no second (grace-less) stop.
  const uid = pod.metadata.uid ?? '';
  const now = await ctx.deps.runtime.listContainers({ [RuntimeLabels.lab]: ctx.deps.labId, [RuntimeLabels.node]: ctx.deps.node.name, [RuntimeLabels.podUid]: uid });
  await releasePod(ctx, uid, now);
}

/** Removes every runtime object of a pod and forgets it (also for orphans, whose pod is gone). */
export async function releasePod(ctx: KubeletContext, uid: string, containers: ContainerInfo[]): Promise<void> {
  const apps = containers.filter((c) => roleOf(c) !== 'sandbox');
  const sandboxes = containers.filter((c) => roleOf(c) === 'sandbox');
  await Promise.all(apps.map((c) => stopAndRemove(ctx, c, 0)));
  await Promise.all(sandboxes.map((c) => stopAndRemove(ctx, c, 0)));
  ctx.ips.release(uid);
  ctx.probes.removePod(uid);
  for (const key of [...ctx.probed.keys()]) if (key.startsWith(`${uid}/`)) ctx.probed.delete(key);
  await ctx.volumes.tearDown(uid).catch(() => undefined);
  ctx.crashBackoff.resetPrefix(`${uid}/`);
  ctx.imagePullBackoff.resetPrefix(`${uid}/`);
  for (const key of [...ctx.pullFailures.keys()]) if (key.startsWith(`${uid}/`)) ctx.pullFailures.delete(key);
  ctx.waiting.delete(uid);
  ctx.hosts.forget(uid);
  await rm(join(ctx.deps.dataDir, 'pods', uid), { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Keeps, per container, the newest instance and the one before it (so `kubectl logs -p` works until
 * the next restart); older ones go. Extra running instances (two of one container: an interrupted
 * sync before a crash) are stopped, keeping the newest.
 */
export async function pruneInstances(ctx: KubeletContext, instances: Map<string, ContainerInfo[]>): Promise<void> {
  const doomed: ContainerInfo[] = [];
  for (const list of instances.values()) {
    const [latest, ...older] = list;
    if (!latest) continue;
    const olderRunning = older.filter((c) => isRunning(c));
    const olderExited = older.filter((c) => !isRunning(c));
    doomed.push(...olderRunning, ...olderExited.slice(1));
  }
  await Promise.all(doomed.map((c) => stopAndRemove(ctx, c, 0)));
}

/** Reads the termination message of an exited instance once (file first; logs with FallbackToLogsOnError). */
export async function readTerminationMessage(ctx: KubeletContext, pod: Pod, info: ContainerInfo): Promise<void> {
  if (!hasExited(info) || ctx.terminationMessages.has(info.id)) return;
  const spec = allContainers(pod).find((c) => c.name === containerNameOf(info));
  if (!spec) return;
  let message = '';
  if (spec.terminationMessagePath && ctx.deps.runtime.kind === 'docker') {
    const file = terminationLogPath(ctx, pod.metadata.uid ?? '', spec.name, attemptOf(info));
    message = await readFile(file, 'utf8').then((t) => t.slice(0, MAX_TERMINATION_MESSAGE), () => '');
  }
  if (!message && spec.terminationMessagePolicy === 'FallbackToLogsOnError' && (info.exitCode ?? 0) !== 0) {
    message = await lastLogLines(ctx, info.id);
  }
  ctx.terminationMessages.set(info.id, message);
}

async function lastLogLines(ctx: KubeletContext, id: string): Promise<string> {
  try {
    const stream = await ctx.deps.runtime.logs(id, { tail: FALLBACK_LOG_LINES });
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk.data);
    stream.close();
    const text = Buffer.concat(parts).toString('utf8');
    return text.slice(Math.max(0, text.length - 2048));
  } catch {
    return '';
  }
}

// Starting things: image pulls per imagePullPolicy (with Kubernetes' events and backoff), the pod
// sandbox (pause container on the lab network, static IP, published ports, DNS), and app/init
// containers joined to it with env, mounts, resources, securityContext and the postStart hook.
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod, Probe } from '../../shared/api/pod';
import { milliValue, quantityValue } from '../../shared/api/quantity';
import { isRuntimeError, RuntimeError, type ContainerInfo, type ContainerSpec, type PortMapping } from '../runtime/runtime';
import { expandCommandAndArgs } from './env';
import { PullProgressReporter } from './pull-progress';
import { faultHooksOf } from './fault-hooks';
import { goDuration } from './go-duration';
import type { KubeletContext } from './kubelet-context';
import { containerLabels, containerName, podDescription, SANDBOX_CONTAINER, type ContainerRole } from './naming';
import { KubeletError } from './types';

const PULL_RETRY_SHOW_MS = 1000;

function defaultPolicy(image: string): 'Always' | 'IfNotPresent' {
  const name = image.split('@')[0];
  const tag = name.slice(name.lastIndexOf('/') + 1).split(':')[1];
  return image.includes('@') || (tag && tag !== 'latest') ? 'IfNotPresent' : 'Always';
}

/**
 * Makes the image present per policy. Throws KubeletError ErrImagePull (with the engine's words),
 * ImagePullBackOff (within the backoff after a failure) or ErrImageNeverPull.
 * `injectedPullFailure` (a PodFault imagePullFailure): the pull is attempted even when an IfNotPresent
 * image is present — a real kubelet would not pull then, but the fault exists to show ErrImagePull — and
 * fails with these words, through the same backoff and events as a refused pull.
 */
export async function ensureImage(
  ctx: KubeletContext,
  pod: Pod,
  image: string,
  policy: string | undefined,
  fieldPath?: string,
  injectedPullFailure?: string,
): Promise<void> {
  const { runtime } = ctx.deps;
  const effective = policy ?? defaultPolicy(image);
  const present = await runtime.imagePresent(image);
  if (effective === 'Never') {
    if (present) return;
    const message = `Container image "${image}" is not present with pull policy of Never`;
    ctx.recorder.event(pod, 'Warning', 'ErrImageNeverPull', message, fieldPath);
    throw new KubeletError('ErrImageNeverPull', message);
  }
  if (present && effective === 'IfNotPresent' && injectedPullFailure === undefined) {
    if (fieldPath) ctx.recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, fieldPath);
    return;
  }
  const key = `${pod.metadata.uid}/${image}`;
  const lastFailure = ctx.pullFailures.get(key);
  if (lastFailure) {
    const remaining = ctx.imagePullBackoff.remaining(key, lastFailure.at);
    if (remaining > 0) {
      ctx.recorder.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, fieldPath);
      throw new KubeletError('ImagePullBackOff', `Back-off pulling image "${image}": ErrImagePull: ${lastFailure.message}`);
    }
  }
  ctx.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
  const started = ctx.deps.clock.nowMs();
  try {
    if (injectedPullFailure !== undefined) throw new RuntimeError('ErrImagePull', injectedPullFailure);
    const progress = new PullProgressReporter(ctx.deps.clock, (summary) => ctx.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}": ${summary}`, fieldPath));
    await runtime.pullImage(image, progress.onProgress);
  } catch (e) {
    const message = isRuntimeError(e) ? e.message : String((e as Error).message ?? e);
    ctx.imagePullBackoff.next(key, ctx.deps.clock.nowMs());
    ctx.pullFailures.set(key, { at: ctx.deps.clock.nowMs(), message });
    ctx.recorder.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`, fieldPath);
    ctx.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', fieldPath);
    throw new KubeletError('ErrImagePull', message);
  }
  ctx.pullFailures.delete(key);
  ctx.imagePullBackoff.reset(key);
  const took = (ctx.deps.clock.nowMs() - started) / 1000;
  ctx.recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took.toFixed(3)}s`, fieldPath);
}

/** When to look again after an image failure: soon after ErrImagePull (so ImagePullBackOff shows), else at expiry. */
export function imageRetryDelay(ctx: KubeletContext, pod: Pod, image: string, reason: string): number {
  const key = `${pod.metadata.uid}/${image}`;
  const failure = ctx.pullFailures.get(key);
  const remaining = failure ? ctx.imagePullBackoff.remaining(key, failure.at) : 0;
  if (reason === 'ErrImagePull') return Math.max(1, Math.min(PULL_RETRY_SHOW_MS, remaining));
  return Math.max(1, remaining);
}

const probePorts = (c: Container): Probe[] => [c.livenessProbe, c.readinessProbe, c.startupProbe].filter((p): p is Probe => !!p);

/** Published ports of a pod: every containerPort plus ports its probes name (named ports resolved). */
export function sandboxPorts(pod: Pod): PortMapping[] {
  const seen = new Map<string, PortMapping>();
  const add = (port: number, protocol: PortMapping['protocol'], hostPort?: number): void => {
    const key = `${port}/${protocol}`;
    if (!seen.has(key) && port > 0 && port < 65536) seen.set(key, { containerPort: port, protocol, ...(hostPort ? { hostPort } : {}) });
  };
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of all) for (const p of c.ports ?? []) add(p.containerPort, p.protocol ?? 'TCP', p.hostPort);
  for (const c of all) {
    for (const probe of probePorts(c)) {
      const raw = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
      if (raw === undefined) continue;
      const port = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : c.ports?.find((p) => p.name === raw)?.containerPort;
      if (port !== undefined) add(port, 'TCP');
    }
  }
  return [...seen.values()];
}

export async function createSandbox(ctx: KubeletContext, pod: Pod, attempt: number): Promise<ContainerInfo> {
  const { deps } = ctx;
  const uid = pod.metadata.uid ?? '';
  await ensureImage(ctx, pod, deps.pauseImage, 'IfNotPresent');
  const ip = ctx.ips.allocate(uid);
  const ns = pod.metadata.namespace ?? 'default';
  const clusterFirst = (pod.spec?.dnsPolicy ?? 'ClusterFirst').startsWith('ClusterFirst');
  const spec: ContainerSpec = {
    name: containerName({ pod, container: SANDBOX_CONTAINER, attempt }),
    image: deps.pauseImage,
    labels: containerLabels({ labId: deps.labId, node: deps.node.name, pod, container: SANDBOX_CONTAINER, role: 'sandbox', attempt }),
    network: {
      sandbox: {
        network: deps.podNetwork,
        ip,
        ports: sandboxPorts(pod),
        hostname: (pod.spec?.hostname ?? pod.metadata.name ?? '').slice(0, 63),
        ...(clusterFirst ? { dnsSearch: [`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'], dnsOptions: ['ndots:5'] } : {}),
        extraHosts: (pod.spec?.hostAliases ?? []).flatMap((a) => (a.hostnames ?? []).map((h) => `${h}:${a.ip}`)),
      },
    },
  };
  const id = await createWithConflictRetry(ctx, spec);
  await deps.runtime.startContainer(id);
  const info = await deps.runtime.inspectContainer(id);
  if (!info) throw new KubeletError('CreateContainerError', `sandbox of pod ${podDescription(pod)} vanished after start`);
  return info;
}

/** A name in use means a leftover of an interrupted sync: remove it and create again. */
async function createWithConflictRetry(ctx: KubeletContext, spec: ContainerSpec): Promise<string> {
  try {
    return await ctx.deps.runtime.createContainer(spec);
  } catch (e) {
    if (!isRuntimeError(e, 'Conflict')) throw e;
    const stale = (await ctx.deps.runtime.listContainers(spec.labels)).filter((c) => c.name.replace(/^\//, '') === spec.name);
    for (const c of stale) await ctx.deps.runtime.removeContainer(c.id).catch(() => undefined);
    return ctx.deps.runtime.createContainer(spec);
  }
}

/** The host file bind-mounted at terminationMessagePath (as the kubelet does), read after exit. */
export function terminationLogPath(ctx: KubeletContext, uid: string, container: string, attempt: number): string {
  return join(ctx.deps.dataDir, 'pods', uid, 'containers', `${container}-${attempt}.termination-log`);
}

function resources(c: Container): Pick<ContainerSpec, 'memoryLimitBytes' | 'nanoCpus' | 'cpuShares'> {
  const out: Pick<ContainerSpec, 'memoryLimitBytes' | 'nanoCpus' | 'cpuShares'> = {};
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  if (limits.memory) out.memoryLimitBytes = quantityValue(limits.memory);
  if (limits.cpu) out.nanoCpus = milliValue(limits.cpu) * 1_000_000;
  // MilliCPUToShares: 1 core = 1024 shares, at least 2 (also for BestEffort).
  const cpuRequest = requests.cpu ?? limits.cpu;
  out.cpuShares = cpuRequest ? Math.max(2, Math.floor((milliValue(cpuRequest) * 1024) / 1000)) : 2;
  return out;
}

export async function buildContainerSpec(
  ctx: KubeletContext,
  pod: Pod,
  c: Container,
  role: Exclude<ContainerRole, 'sandbox'>,
  attempt: number,
  sandboxId: string,
): Promise<ContainerSpec> {
  const { deps } = ctx;
  const env = await ctx.env.resolve(pod, c);
  const mounts = [...ctx.volumes.mountsFor(pod, c)];
  if (c.terminationMessagePath && deps.runtime.kind === 'docker') {
    const file = terminationLogPath(ctx, pod.metadata.uid ?? '', c.name, attempt);
    await mkdir(join(file, '..'), { recursive: true });
    if (!existsSync(file)) await writeFile(file, '');
    // Any runAsUser must be able to write its message.
    await chmod(file, 0o666);
    mounts.push({ kind: 'bind', source: file, target: c.terminationMessagePath });
  }
  const sc = c.securityContext ?? {};
  const psc = pod.spec?.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  const { command, args } = expandCommandAndArgs(c, env);
  return {
    name: containerName({ pod, container: c.name, attempt }),
    image: c.image ?? '',
    labels: containerLabels({ labId: deps.labId, node: deps.node.name, pod, container: c.name, role, attempt }),
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    env,
    mounts,
    tty: c.tty ?? false,
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    ...(runAsUser !== undefined ? { user: runAsGroup !== undefined ? `${runAsUser}:${runAsGroup}` : String(runAsUser) } : {}),
    ...(sc.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
    ...(sc.privileged ? { privileged: true } : {}),
    ...(sc.capabilities?.add?.length ? { capAdd: sc.capabilities.add } : {}),
    ...(sc.capabilities?.drop?.length ? { capDrop: sc.capabilities.drop } : {}),
    ...resources(c),
    network: { joinContainer: sandboxId },
  };
}

export const fieldPathOf = (pod: Pod, c: Container): string => {
  const init = (pod.spec?.initContainers ?? []).findIndex((x) => x.name === c.name);
  if (init >= 0) return `spec.initContainers{${c.name}}`;
  return `spec.containers{${c.name}}`;
};

/**
 * Pulls, creates and starts one container instance, then runs its postStart hook. Failures before the
 * start throw KubeletError (the container then waits with that reason); a failed hook kills it.
 */
export async function startContainer(
  ctx: KubeletContext,
  pod: Pod,
  c: Container,
  role: Exclude<ContainerRole, 'sandbox'>,
  attempt: number,
  sandbox: ContainerInfo,
): Promise<void> {
  const { runtime } = ctx.deps;
  const fieldPath = fieldPathOf(pod, c);
  const injectedPullFailure = faultHooksOf(ctx)?.pullFailure(pod.metadata.uid ?? '', c.name);
  await ensureImage(ctx, pod, c.image ?? '', c.imagePullPolicy, fieldPath, injectedPullFailure);
  let spec: ContainerSpec;
  try {
    spec = await buildContainerSpec(ctx, pod, c, role, attempt, sandbox.id);
    // The kubelet-managed /etc/hosts (in-cluster names), unless the pod mounts its own there.
    const hosts = spec.mounts?.some((m) => m.target === '/etc/hosts') ? undefined : await ctx.hosts.mountFor(pod, sandbox.ip);
    if (hosts) spec.mounts = [...(spec.mounts ?? []), hosts];
  } catch (e) {
    if (e instanceof KubeletError) ctx.recorder.event(pod, 'Warning', 'Failed', `Error: ${e.message}`, fieldPath);
    throw e;
  }
  let id: string;
  try {
    id = await createWithConflictRetry(ctx, spec);
  } catch (e) {
    const message = (e as Error).message;
    ctx.recorder.event(pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath);
    throw new KubeletError('CreateContainerError', message);
  }
  ctx.recorder.event(pod, 'Normal', 'Created', `Created container: ${c.name}`, fieldPath);
  try {
    await runtime.startContainer(id);
  } catch (e) {
    // The instance stays, exited with the engine's error: status shows ContainerCannotRun and the
    // restart policy applies, as with a process that failed at once.
    ctx.recorder.event(pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`, fieldPath);
    return;
  }
  ctx.recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
  const info = await runtime.inspectContainer(id);
  if (!info) return;
  ctx.probes.addContainer(pod, c, info);
  ctx.probed.set(`${pod.metadata.uid}/${c.name}`, info.id);
  const postStart = c.lifecycle?.postStart;
  if (!postStart) return;
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
  const result = await ctx.handlers.run(pod, c, info, postStart, Math.max(1, grace) * 1000).catch((e: unknown) => ({
    ok: false,
    message: (e as Error).message,
  }));
  if (result.ok) return;
  ctx.recorder.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${result.message}`, fieldPath);
  ctx.recorder.event(pod, 'Normal', 'Killing', `FailedPostStartHook`, fieldPath);
  await runtime.stopContainer(id, grace).catch(() => undefined);
}

export const crashBackoffKey = (pod: Pod, c: Container): string => `${pod.metadata.uid}/${c.name}`;

export function crashLoopMessage(pod: Pod, c: Container, delayMs: number): string {
  return `back-off ${goDuration(delayMs)} restarting failed container=${c.name} pod=${podDescription(pod)}`;
}

// PodFault injector: what each action does to one selected pod, and how it is undone (docs/CHAOS.md,
// "Pod and Service faults"). Everything goes through the API, the container runtime or the kubelet's
// fault hooks (kubelet.faults) — never kubelet internals — so Kubernetes reacts as it would to the real
// failure: restart counts, lastState, events, probe history, Endpoints, ImagePullBackOff.
//   kill              SIGKILL the main process of each selected container (exit 137, reason Error)
//   delete            delete the pod through the API; its controller replaces it
//   failLiveness/…    the probe answers "failed" (a prober override) → restart / not Ready
//   cpuStress         busy loops inside the container (capped by its CPU limit)
//   memoryStress      holds `memory` bytes inside the container; above the limit → OOMKilled
//   imagePullFailure  the container's pulls fail as if the registry refused; it is restarted so one happens
import { type FaultTarget, type PodFault, type PodFaultAction } from '../../shared/api/chaos';
import { ApiError, isNotFound } from '../../shared/api/errors';
import type { Container, Pod } from '../../shared/api/pod';
import { quantityValue } from '../../shared/api/quantity';
import { RealClock, type Clock } from '../client/clock';
import type { KubeClient } from '../client/client';
import type { KubeletFaultHooks } from '../kubelet/fault-hooks';
import { RuntimeLabels, type ContainerInfo, type ContainerRuntime } from '../runtime/runtime';
import { oomKillCount, startCpuStress, startMemoryStress, stopStress } from './pod-stress';
import { applyMode, matchPods, podKey, type RandomSource } from './targets';
import type { FaultInjector } from './types';

/** What the injector needs of a lab node: its fault hooks (a Kubelet fits). */
export interface PodFaultNode {
  readonly faults: Pick<KubeletFaultHooks, 'canOverrideProbes' | 'setProbeOverride' | 'clearProbeOverride' | 'setPullFailure' | 'clearPullFailure'>;
}

export interface PodFaultInjectorDeps {
  client: KubeClient;
  runtime: ContainerRuntime;
  /** The lab id labelling this lab's containers (two labs may share one engine). */
  labId: string;
  /** The kubelet of a node, if it runs (lab.nodes.kubelets.get(name)). */
  node(name: string): PodFaultNode | undefined;
  random?: RandomSource;
  clock?: Clock;
  /** memoryStress above the limit: how long to wait for the kernel's OOM kill (default 10 s). */
  oomWaitMs?: number;
}

export const DEFAULT_STRESS_MEMORY = '64Mi';
const OOM_POLL_MS = 200;

const probeTypeOf = (action: PodFaultAction): 'liveness' | 'readiness' | undefined =>
  action === 'failLiveness' ? 'liveness' : action === 'failReadiness' ? 'readiness' : undefined;
const probeOf = (c: Container, type: 'liveness' | 'readiness') => (type === 'liveness' ? c.livenessProbe : c.readinessProbe);
const faultRef = (f: PodFault): string => `${f.metadata.namespace}/${f.metadata.name}`;
const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** The app containers of a pod the fault acts on (containerNames, default all). */
function selectedContainers(fault: PodFault, pod: Pod): Container[] {
  const names = fault.spec.containerNames;
  const all = pod.spec?.containers ?? [];
  return names?.length ? all.filter((c) => names.includes(c.name)) : all;
}

/** Containers of a pod this action can act on (probe actions need the probe). */
function actionable(fault: PodFault, pod: Pod): Container[] {
  const type = probeTypeOf(fault.spec.action);
  const selected = selectedContainers(fault, pod);
  return type ? selected.filter((c) => probeOf(c, type)) : selected;
}

export function createPodFaultInjector(deps: PodFaultInjectorDeps): FaultInjector<PodFault> {
  const random = deps.random ?? Math.random;
  const clock = deps.clock ?? new RealClock();
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));

  /** Running instances of one container of a pod (normally one), newest first. */
  async function running(podUid: string, containerName: string): Promise<ContainerInfo[]> {
    const list = await deps.runtime.listContainers({
      [RuntimeLabels.managed]: 'true',
      [RuntimeLabels.lab]: deps.labId,
      [RuntimeLabels.podUid]: podUid,
      [RuntimeLabels.container]: containerName,
    });
    return list.filter((c) => c.state === 'running' && c.labels[RuntimeLabels.role] === 'app').sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }

  function nodeOf(pod: Pod): PodFaultNode {
    const name = pod.spec?.nodeName ?? '';
    const node = deps.node(name);
    if (!node) throw new Error(`pod ${podKey(pod)} runs on node "${name}", which has no running kubelet in this lab`);
    return node;
  }

  async function currentPod(target: FaultTarget): Promise<Pod | undefined> {
    try {
      const pod = await deps.client.pods<Pod>().get(target.namespace, target.name);
      return !target.uid || pod.metadata.uid === target.uid ? pod : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async function killAll(pod: Pod, names: string[]): Promise<string[]> {
    const done: string[] = [];
    for (const name of names) {
      for (const c of await running(pod.metadata.uid ?? '', name)) {
        await deps.runtime.killContainer(c.id, 'SIGKILL');
        done.push(`${name} (${shortId(c.id)})`);
      }
    }
    return done;
  }

  /** Waits for the kernel to OOM-kill inside the container (its cgroup's oom_kill counter passing `before`). */
  async function waitForOom(id: string, before: number | undefined): Promise<{ oom: boolean; running: boolean }> {
    const deadline = clock.nowMs() + (deps.oomWaitMs ?? 10_000);
    for (;;) {
      const info = await deps.runtime.inspectContainer(id);
      if (!info) return { oom: false, running: false };
      if (info.oomKilled) return { oom: true, running: info.state === 'running' };
      if (info.state !== 'running') return { oom: false, running: false };
      const count = before === undefined ? undefined : await oomKillCount(deps.runtime, id);
      if (count !== undefined && count > before!) return { oom: true, running: true };
      if (clock.nowMs() >= deadline) return { oom: false, running: true };
      await sleep(OOM_POLL_MS);
    }
  }

  async function memoryStress(fault: PodFault, pod: Pod, containers: Container[]): Promise<string[]> {
    const memory = fault.spec.memory ?? DEFAULT_STRESS_MEMORY;
    const bytes = quantityValue(memory);
    const notes: string[] = [];
    for (const c of containers) {
      const [instance] = await running(pod.metadata.uid ?? '', c.name);
      if (!instance) {
        notes.push(`${c.name}: not running, skipped`);
        continue;
      }
      const limit = c.resources?.limits?.memory;
      const above = !!limit && bytes >= quantityValue(limit);
      const oomBefore = above ? await oomKillCount(deps.runtime, instance.id) : undefined;
      await startMemoryStress(deps.runtime, instance.id, fault.metadata.uid ?? '', bytes, { name: c.name, image: c.image ?? '' });
      if (!above) {
        notes.push(`${c.name}: holding ${memory}${limit ? ` of its ${limit} limit` : ' (no memory limit)'}`);
        continue;
      }
      const seen = await waitForOom(instance.id, oomBefore);
      if (seen.oom && seen.running) {
        // Docker (and cgroup v1) OOM-kill only the biggest process, the allocator; Kubernetes on cgroup v2
        // sets memory.oom.group so the whole container goes. Do what a current kubelet shows: OOMKilled.
        await deps.runtime.killContainer(instance.id, 'SIGKILL').catch(() => undefined);
      }
      notes.push(
        seen.oom
          ? `${c.name}: ${memory} is above its ${limit} limit; the kernel OOM-killed it (OOMKilled)`
          : `${c.name}: ${memory} is above its ${limit} limit but no OOM kill was seen${seen.running ? ' yet' : ' (the container exited)'}`,
      );
    }
    return notes;
  }

  async function inject(fault: PodFault, target: FaultTarget): Promise<FaultTarget> {
    const pod = await currentPod(target);
    if (!pod) return { ...target, message: `pod ${target.namespace}/${target.name} no longer exists; nothing injected` };
    const action = fault.spec.action;
    const uid = pod.metadata.uid ?? '';
    const containers = actionable(fault, pod).filter((c) => !target.containers?.length || target.containers.includes(c.name));
    const names = containers.map((c) => c.name);
    const restore: Record<string, string> = { action, node: pod.spec?.nodeName ?? '' };
    switch (action) {
      case 'kill': {
        const killed = await killAll(pod, names);
        restore.undo = 'none';
        return { ...target, restore, message: killed.length ? `SIGKILL sent to ${killed.join(', ')}; nothing to revert` : 'no selected container was running; nothing killed' };
      }
      case 'delete':
        try {
          await deps.client.pods().delete(pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid } });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        restore.undo = 'none';
        return { ...target, restore, message: 'pod deleted through the API (its controller, if any, replaces it); nothing to revert' };
      case 'failLiveness':
      case 'failReadiness': {
        const type = probeTypeOf(action)!;
        const hooks = nodeOf(pod).faults;
        if (!names.length) return { ...target, restore, message: `skipped: no selected container has a ${type} probe` };
        for (const name of names) hooks.setProbeOverride(uid, name, type, `probe failure injected by PodFault ${faultRef(fault)}`);
        return {
          ...target,
          containers: names,
          restore,
          message:
            type === 'liveness'
              ? `liveness probe of ${names.join(', ')} fails from its next period: the kubelet restarts the container after failureThreshold failures`
              : `readiness probe of ${names.join(', ')} fails from its next period: the pod turns NotReady and leaves its Services' Endpoints`,
        };
      }
      case 'cpuStress': {
        const workers = Math.max(1, Math.floor(fault.spec.cpuWorkers ?? 1));
        const notes: string[] = [];
        for (const c of containers) {
          const [instance] = await running(uid, c.name);
          if (!instance) {
            notes.push(`${c.name}: not running, skipped`);
            continue;
          }
          await startCpuStress(deps.runtime, instance.id, fault.metadata.uid ?? '', workers, { name: c.name, image: c.image ?? '' });
          const limit = c.resources?.limits?.cpu;
          notes.push(`${c.name}: ${workers} busy worker${workers === 1 ? '' : 's'}${limit ? ` (capped by its ${limit} CPU limit)` : ' (no CPU limit)'}`);
        }
        return { ...target, containers: names, restore, message: notes.join('; ') };
      }
      case 'memoryStress':
        return { ...target, containers: names, restore, message: (await memoryStress(fault, pod, containers)).join('; ') };
      case 'imagePullFailure': {
        const hooks = nodeOf(pod).faults;
        const affected = containers.filter((c) => c.imagePullPolicy !== 'Never');
        const never = containers.filter((c) => c.imagePullPolicy === 'Never').map((c) => c.name);
        for (const c of affected) {
          hooks.setPullFailure(
            uid,
            c.name,
            `Error response from daemon: pull access denied for ${c.image ?? ''}: denied: the registry refused the pull (injected by PodFault ${faultRef(fault)})`,
          );
        }
        // The next pull happens when the container starts again.
        const killed = await killAll(pod, affected.map((c) => c.name));
        const parts = [];
        if (affected.length) parts.push(`image pulls of ${affected.map((c) => c.name).join(', ')} fail (ErrImagePull → ImagePullBackOff); restarted ${killed.join(', ') || 'nothing (not running)'}`);
        if (never.length) parts.push(`skipped ${never.join(', ')}: imagePullPolicy Never never pulls, so a registry failure cannot affect it`);
        return { ...target, containers: affected.map((c) => c.name), restore, message: parts.join('; ') };
      }
      default:
        throw ApiError.badRequest(`PodFault ${faultRef(fault)}: unknown action "${String(action)}"`);
    }
  }

  async function revert(fault: PodFault, target: FaultTarget): Promise<void> {
    const action = fault.spec.action;
    const uid = target.uid ?? '';
    const names = target.containers ?? [];
    if (action === 'kill' || action === 'delete') return;
    const nodeName = target.restore?.node ?? (await currentPod(target))?.spec?.nodeName ?? '';
    const hooks = deps.node(nodeName)?.faults;
    switch (action) {
      case 'failLiveness':
      case 'failReadiness':
        // No kubelet (node removed, app restarted): the override went with it.
        for (const name of names) hooks?.clearProbeOverride(uid, name, probeTypeOf(action)!);
        return;
      case 'imagePullFailure':
        for (const name of names) hooks?.clearPullFailure(uid, name);
        return;
      case 'cpuStress':
      case 'memoryStress':
        // Processes live in container instances, which outlive the app: kill them wherever they still run.
        for (const name of names) {
          for (const c of await running(uid, name)) {
            await stopStress(deps.runtime, c.id, fault.metadata.uid ?? '').catch((e: unknown) => {
              // A container that stopped meanwhile took its stress processes with it.
              if (/not running|no such container|is paused/i.test(String((e as Error).message))) return;
              throw e;
            });
          }
        }
        return;
    }
  }

  return {
    kind: 'PodFault',
    async selectTargets(fault) {
      const matching = await matchPods(deps.client, fault, fault.spec.selector);
      const eligible = matching.filter((p) => actionable(fault, p).length > 0);
      if (matching.length && !eligible.length) {
        const type = probeTypeOf(fault.spec.action);
        const names = fault.spec.containerNames;
        throw ApiError.invalid('chaos.bosun.dev', 'PodFault', fault.metadata.name ?? '', [
          type
            ? { type: 'FieldValueInvalid', field: 'spec.action', value: fault.spec.action, detail: `none of the ${matching.length} matching pods has a ${type} probe on ${names?.length ? `containers ${names.join(', ')}` : 'any container'}; add one to the pod template first` }
            : { type: 'FieldValueNotFound', field: 'spec.containerNames', value: names, printedValue: `${JSON.stringify(names)}: no matching pod has such a container` },
        ]);
      }
      return applyMode(fault, eligible, random, 'pods').map((p) => ({
        kind: 'Pod',
        name: p.metadata.name ?? '',
        namespace: p.metadata.namespace,
        uid: p.metadata.uid,
        containers: actionable(fault, p).map((c) => c.name),
      }));
    },
    inject,
    revert,
  };
}

// `kubectl drain NODE` as kubectl 1.32 does it, so the dashboard teaches the real thing: cordon, list
// the node's pods, refuse what kubectl refuses without a flag, POST one policy/v1 Eviction per pod in
// parallel, retry a 429 (a PodDisruptionBudget allows no disruption now) every 5 s with the API's
// message, and wait until each pod is gone (GET every second until 404 or a new uid).
import { isApiError, isNotFound, isTooManyRequests } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import type { ApiClient } from '../api/client';
import { resourcePath } from '../api/paths';
import { setUnschedulable } from './use-resource-actions';

export const EVICTION_RETRY_MS = 5000;
export const DELETE_POLL_MS = 1000;
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export interface DrainOptions {
  ignoreDaemonSets: boolean;
  deleteEmptyDirData: boolean;
  /** Evict pods no controller will replace (kubectl --force). */
  force: boolean;
  /** Eviction deleteOptions.gracePeriodSeconds; undefined = the pod's own (kubectl's -1). */
  gracePeriodSeconds?: number;
}

export type DrainPodState = 'waiting' | 'evicting' | 'blocked' | 'terminating' | 'gone' | 'failed' | 'cancelled';

export interface DrainPod {
  namespace: string;
  name: string;
  uid?: string;
  state: DrainPodState;
  /** The last thing the API said about this pod (a 429 message while blocked). */
  message?: string;
  attempts: number;
}

export interface DrainPlan {
  evict: Pod[];
  /** Left alone, with kubectl's reason (DaemonSet-managed with --ignore-daemonsets, mirror pods). */
  skipped: Array<{ pod: Pod; reason: string }>;
  /** Refused without a flag: kubectl stops the drain with these. */
  errors: string[];
}

const key = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;
const controllerOf = (p: Pod) => p.metadata.ownerReferences?.find((o) => o.controller);
const finished = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** kubectl's pod filters (k8s.io/kubectl/pkg/drain/filters.go), in its order and words. */
export function planDrain(pods: readonly Pod[], options: DrainOptions): DrainPlan {
  const plan: DrainPlan = { evict: [], skipped: [], errors: [] };
  const noController: string[] = [];
  const daemonSets: string[] = [];
  const localStorage: string[] = [];
  for (const pod of pods) {
    if (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) continue; // skipped without a word
    if (pod.metadata.deletionTimestamp) {
      plan.evict.push(pod); // already terminating: kubectl waits for it
      continue;
    }
    const controller = controllerOf(pod);
    if (controller?.kind === 'DaemonSet') {
      if (options.ignoreDaemonSets) plan.skipped.push({ pod, reason: 'DaemonSet-managed' });
      else daemonSets.push(key(pod));
      continue;
    }
    if (!finished(pod) && !controller && !options.force) {
      noController.push(key(pod));
      continue;
    }
    if (!finished(pod) && (pod.spec?.volumes ?? []).some((v) => 'emptyDir' in v && v.emptyDir !== undefined) && !options.deleteEmptyDirData) {
      localStorage.push(key(pod));
      continue;
    }
    plan.evict.push(pod);
  }
  if (noController.length) plan.errors.push(`cannot delete Pods that declare no controller (use --force to override): ${noController.join(', ')}`);
  if (daemonSets.length) plan.errors.push(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemonSets.join(', ')}`);
  if (localStorage.length) plan.errors.push(`cannot delete Pods with local storage (use --delete-emptydir-data to override): ${localStorage.join(', ')}`);
  return plan;
}

export function drainCommand(node: string, o: DrainOptions): string {
  return [
    'kubectl drain',
    node,
    o.ignoreDaemonSets && '--ignore-daemonsets',
    o.deleteEmptyDirData && '--delete-emptydir-data',
    o.force && '--force',
    o.gracePeriodSeconds !== undefined && `--grace-period=${o.gracePeriodSeconds}`,
  ]
    .filter(Boolean)
    .join(' ');
}

export async function listNodePods(client: ApiClient, node: string): Promise<Pod[]> {
  const list = await client.list<Pod>('/api/v1/pods', { fieldSelector: `spec.nodeName=${node}` });
  return list.items;
}

export function evictionBody(pod: Pod, gracePeriodSeconds?: number): unknown {
  return {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
    ...(gracePeriodSeconds !== undefined ? { deleteOptions: { gracePeriodSeconds } } : {}),
  };
}

export interface DrainDeps {
  client: ApiClient;
  sleep?: (ms: number) => Promise<void>;
  /** Called after every state change (the dialog re-renders from `pods`). */
  onChange?: () => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One drain in progress: `pods` tracks each pod; cancel() stops retries and waits (the node stays cordoned, as with Ctrl-C). */
export class DrainRun {
  readonly pods: DrainPod[];
  cancelled = false;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly node: string,
    plan: Pick<DrainPlan, 'evict'>,
    private readonly options: DrainOptions,
    private readonly deps: DrainDeps,
  ) {
    this.sleep = deps.sleep ?? defaultSleep;
    this.pods = plan.evict.map((p) => ({ namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '', uid: p.metadata.uid, state: 'waiting', attempts: 0 }));
  }

  cancel(): void {
    this.cancelled = true;
    for (const p of this.pods) if (p.state !== 'gone' && p.state !== 'failed') p.state = 'cancelled';
    this.deps.onChange?.();
  }

  get done(): boolean {
    return this.pods.every((p) => p.state === 'gone' || p.state === 'failed' || p.state === 'cancelled');
  }

  /** Evicts every pod in parallel; resolves when each is gone, failed or cancelled. */
  async run(): Promise<{ evicted: number; failed: number }> {
    await Promise.all(this.pods.map((p) => this.evictOne(p)));
    return { evicted: this.pods.filter((p) => p.state === 'gone').length, failed: this.pods.filter((p) => p.state === 'failed').length };
  }

  private set(p: DrainPod, state: DrainPodState, message?: string): void {
    if (this.cancelled && state !== 'cancelled') return;
    p.state = state;
    p.message = message;
    this.deps.onChange?.();
  }

  private async evictOne(p: DrainPod): Promise<void> {
    const { client } = this.deps;
    const path = resourcePath({ group: '', version: 'v1', resource: 'pods', namespace: p.namespace, name: p.name, subresource: 'eviction' });
    const pod = { metadata: { name: p.name, namespace: p.namespace } } as Pod;
    while (!this.cancelled) {
      p.attempts++;
      // A retry keeps the budget's last word on screen until the API says something new.
      this.set(p, 'evicting', p.message);
      try {
        await client.create(path, evictionBody(pod, this.options.gracePeriodSeconds));
        break;
      } catch (e) {
        if (isNotFound(e)) return this.set(p, 'gone');
        if (isTooManyRequests(e)) {
          this.set(p, 'blocked', `error when evicting pods/"${p.name}" -n "${p.namespace}" (will retry after 5s): ${(e as Error).message}`);
          await this.sleep(EVICTION_RETRY_MS);
          continue;
        }
        return this.set(p, 'failed', isApiError(e) ? e.message : String(e));
      }
    }
    if (this.cancelled) return;
    this.set(p, 'terminating');
    const getPath = resourcePath({ group: '', version: 'v1', resource: 'pods', namespace: p.namespace, name: p.name });
    while (!this.cancelled) {
      try {
        const current = await client.get<Pod>(getPath);
        if (p.uid && current.metadata.uid !== p.uid) return this.set(p, 'gone');
      } catch (e) {
        if (isNotFound(e)) return this.set(p, 'gone');
      }
      await this.sleep(DELETE_POLL_MS);
    }
  }
}

/** Cordon first (kubectl drain does, so nothing new lands there while the pods leave). */
export async function cordonForDrain(client: ApiClient, node: string): Promise<void> {
  await setUnschedulable(client, { group: '', version: 'v1', resource: 'nodes', namespaced: false }, { metadata: { name: node } }, true);
}

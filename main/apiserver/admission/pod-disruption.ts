// The PodDisruptionBudget half of the eviction subresource (k8s pkg/registry/core/pod/storage/eviction.go),
// installed with RestHandler.setEvictionPolicy(). rest/subresources.ts owns the request, the pods that can
// ignore budgets and the delete; this file finds the pod's budget and spends one of its disruptions
// (checkAndDecrement), recording the pod in status.disruptedPods for the disruption controller.
import { ApiError, isConflict } from '../../../shared/api/errors';
import { labelSelectorAsSelector, type LabelSelectorObject } from '../../../shared/api/labels';
import type { KubeObject } from '../../../shared/api/meta';
import type { Pod } from '../../../shared/api/pod';
import type { PodDisruptionBudget } from '../../../shared/api/policy';
import type { KubeClient } from '../../client/client';
import { RealClock, type Clock } from '../../client/clock';
import { PODDISRUPTIONBUDGETS } from '../../client/gvr';
import { isDryRun, rfc3339, type EvictionPolicy } from '../rest/context';
import { budgetStillProcessing, disruptionBudgetError, evictIfPodUnchanged } from '../rest/subresources';
import { disruptionAllowedCondition } from './pod-disruption-condition';

export const MORE_THAN_ONE_BUDGET_MESSAGE = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

/** Kubernetes' MaxDisruptedPodSize: beyond this many unconfirmed evictions the budget refuses more. */
export const MAX_DISRUPTED_POD_SIZE = 2000;

/** EvictionsRetry: how many times a conflicting budget update is re-read and retried. */
const BUDGET_RETRIES = 20;

export interface PodDisruptionPolicyOptions {
  /** The apiserver's own client (Kubernetes uses a PodDisruptionBudgets client too). */
  client: KubeClient;
  clock?: Clock;
}

const isReady = (pod: KubeObject): boolean => ((pod as Pod).status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * getPodDisruptionBudgets: budgets of the pod's namespace whose selector matches it. Unlike the disruption
 * controller, eviction skips a null or empty selector ("should match nothing, not everything").
 */
export function budgetsForPod(pod: KubeObject, budgets: PodDisruptionBudget[]): PodDisruptionBudget[] {
  return budgets.filter((pdb) => {
    if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
    const sel = pdb.spec?.selector as LabelSelectorObject | undefined;
    if (!sel) return false;
    let selector;
    try {
      selector = labelSelectorAsSelector(sel);
    } catch {
      return false;
    }
    return !selector.empty() && selector.matches(pod.metadata.labels);
  });
}

export function createPodDisruptionPolicy({ client, clock = new RealClock() }: PodDisruptionPolicyOptions): EvictionPolicy {
  const budgets = client.resource<PodDisruptionBudget>(PODDISRUPTIONBUDGETS);
  return async (pod, eviction, request) => {
    const namespace = pod.metadata.namespace;
    const matching = budgetsForPod(pod, (await budgets.list(namespace)).items);
    if (matching.length > 1) throw new ApiError(500, '', MORE_THAN_ONE_BUDGET_MESSAGE);
    if (matching.length === 0) return;
    let pdb = matching[0];
    const name = pdb.metadata.name!;
    if (!isReady(pod)) {
      // An unready pod counts toward neither currentHealthy nor desiredHealthy: it may go without
      // spending a disruption when the policy says so, or while the budget is otherwise satisfied.
      const s = pdb.status;
      if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (s && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0)) {
        evictIfPodUnchanged(eviction, name);
        return;
      }
    }
    const dryRun = isDryRun(request);
    for (let attempt = 1; ; attempt++) {
      try {
        await checkAndDecrement(pdb, pod.metadata.name!, dryRun);
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
        if (attempt >= BUDGET_RETRIES) throw new ApiError(504, 'Timeout', `Timeout: couldn't update PodDisruptionBudget "${name}" due to conflicts`, { retryAfterSeconds: 10 });
        pdb = await budgets.get(namespace, name);
      }
    }
  };

  async function checkAndDecrement(pdb: PodDisruptionBudget, podName: string, dryRun: boolean): Promise<void> {
    const name = pdb.metadata.name!;
    const status = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw budgetStillProcessing(name);
    if (status.disruptionsAllowed < 0) {
      throw ApiError.forbidden(`poddisruptionbudget.policy "${name}" is forbidden: pdb disruptions allowed is negative`, { name, group: 'policy', kind: 'poddisruptionbudget' });
    }
    if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
      throw ApiError.forbidden(`poddisruptionbudget.policy "${name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`, {
        name,
        group: 'policy',
        kind: 'poddisruptionbudget',
      });
    }
    if (status.disruptionsAllowed === 0) {
      throw disruptionBudgetError(`The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`);
    }
    if (dryRun) return;
    const next: PodDisruptionBudget = { ...pdb, status: { ...status, disruptionsAllowed: status.disruptionsAllowed - 1 } };
    const now = clock.nowMs();
    if (next.status!.disruptionsAllowed === 0) next.status!.conditions = disruptionAllowedCondition(next.status!, now);
    // Tells the disruption controller not to count this pod as healthy while its deletion is under way.
    next.status!.disruptedPods = { ...status.disruptedPods, [podName]: rfc3339(now) };
    // Carries pdb.metadata.resourceVersion: a concurrent eviction or controller write is a Conflict.
    await budgets.updateStatus(pdb.metadata.namespace, next);
  }
}

// pods/eviction with the PodDisruptionBudget policy on the in-process apiserver (no controllers: budget
// status is written by the test as the disruption controller would).
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import type { Pod } from '../../../shared/api/pod';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../../shared/api/policy';
import { createPodDisruptionPolicy, MORE_THAN_ONE_BUDGET_MESSAGE } from '../../../main/apiserver/admission/pod-disruption';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import type { ApiHandler, ApiRequest } from '../../../main/apiserver/types';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import { PODDISRUPTIONBUDGETS } from '../../../main/client/gvr';
import { MemoryStore } from '../../../main/store/memory-store';

const NS = 'default';
const MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

/** Lets a test run something just before the policy's budget status write reaches the apiserver. */
class BudgetWriteTap implements ApiHandler {
  beforeBudgetWrite?: () => Promise<void>;
  budgetWrites = 0;
  constructor(private readonly inner: ApiHandler) {}
  async handle(request: ApiRequest): Promise<unknown> {
    if (request.resource === 'poddisruptionbudgets' && request.subresource === 'status' && request.verb === 'update') {
      this.budgetWrites++;
      const hook = this.beforeBudgetWrite;
      this.beforeBudgetWrite = undefined;
      await hook?.();
    }
    return this.inner.handle(request);
  }
  watch(...args: Parameters<ApiHandler['watch']>) {
    return this.inner.watch(...args);
  }
}

async function setup() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const rest = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock });
  const tap = new BudgetWriteTap(rest);
  rest.setEvictionPolicy(createPodDisruptionPolicy({ client: new KubeClient(tap, 'system:apiserver'), clock }));
  const client = new KubeClient(rest, 'admin');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }).catch(() => undefined);
  const pods = client.pods<Pod>();
  const budgets = client.resource<PodDisruptionBudget>(PODDISRUPTIONBUDGETS);

  async function pod(name: string, opts: { ready?: boolean; phase?: string; labels?: Record<string, string> } = {}): Promise<Pod> {
    await pods.create(NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: opts.labels ?? { app: 'web' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] },
    });
    const current = await pods.get(NS, name);
    const ready = opts.ready ?? true;
    const t = '2026-01-01T12:00:00Z';
    return pods.updateStatus(NS, {
      ...current,
      status: {
        phase: (opts.phase ?? 'Running') as 'Running',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t }],
      },
    });
  }

  async function budget(name: string, status: Partial<PodDisruptionBudgetStatus>, spec: PodDisruptionBudget['spec'] = { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }) {
    const created = await budgets.create(NS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec });
    return budgets.updateStatus(NS, {
      ...created,
      status: { observedGeneration: created.metadata.generation, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, ...status },
    });
  }

  const evict = (name: string, extra: Record<string, unknown> = {}, query: Record<string, string> = {}) =>
    rest.handle({
      verb: 'create',
      group: '',
      version: 'v1',
      resource: 'pods',
      namespace: NS,
      name,
      subresource: 'eviction',
      query,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS }, ...extra },
    });
  const refusal = async (p: Promise<unknown>): Promise<ApiError> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof ApiError) return e;
      throw e;
    }
    throw new Error('eviction was not refused');
  };
  return { rest, tap, client, pods, budgets, pod, budget, evict, refusal, clock };
}

describe('pods/eviction with PodDisruptionBudgets', () => {
  it('without a budget: 201 Status Success, DisruptionTarget condition, graceful delete', async () => {
    const env = await setup();
    await env.pod('a');
    expect(await env.evict('a')).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const a = await env.pods.get(NS, 'a');
    expect(a.metadata.deletionTimestamp).toBeDefined();
    expect(a.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(a.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }),
    );
  });

  it('spends one disruption, records the pod in disruptedPods, then answers 429 with the DisruptionBudget cause', async () => {
    const env = await setup();
    await env.pod('a');
    await env.pod('b');
    await env.budget('web', { disruptionsAllowed: 1 });
    expect(await env.evict('a', { deleteOptions: { gracePeriodSeconds: 5 } })).toMatchObject({ status: 'Success', code: 201 });
    expect((await env.pods.get(NS, 'a')).metadata.deletionGracePeriodSeconds).toBe(5);
    const pdb = await env.budgets.get(NS, 'web');
    expect(pdb.status?.disruptionsAllowed).toBe(0);
    expect(pdb.status?.disruptedPods).toEqual({ a: '2026-01-01T12:00:00Z' });
    expect(pdb.status?.conditions).toEqual([
      expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' }),
    ]);

    const e = await env.refusal(env.evict('b'));
    expect([e.code, e.reason, e.message]).toEqual([429, 'TooManyRequests', MESSAGE]);
    expect(e.causes).toEqual([{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 3 currently' }]);
    expect(e.toStatus()).toMatchObject({ kind: 'Status', status: 'Failure', code: 429, reason: 'TooManyRequests', message: MESSAGE });
    expect((await env.pods.get(NS, 'b')).metadata.deletionTimestamp).toBeUndefined();
  });

  it('a conflicting budget write is re-read and retried on the fresh status', async () => {
    const env = await setup();
    await env.pod('a');
    await env.pod('b');
    const created = await env.budget('web', { disruptionsAllowed: 2, currentHealthy: 4 });
    // Another eviction lands between our read and our write: ours conflicts and must decrement from 1.
    env.tap.beforeBudgetWrite = async () => {
      await env.budgets.updateStatus(NS, { ...created, status: { ...created.status!, disruptionsAllowed: 1, disruptedPods: { other: '2026-01-01T11:59:59Z' } } });
    };
    expect(await env.evict('a')).toMatchObject({ code: 201 });
    expect(env.tap.budgetWrites).toBe(2);
    const pdb = await env.budgets.get(NS, 'web');
    expect(pdb.status?.disruptionsAllowed).toBe(0);
    expect(Object.keys(pdb.status?.disruptedPods ?? {}).sort()).toEqual(['a', 'other']);
  });

  it('dry-run (query or deleteOptions) checks the budget but changes nothing', async () => {
    const env = await setup();
    await env.pod('a');
    const before = await env.budget('web', { disruptionsAllowed: 1 });
    expect(await env.evict('a', {}, { dryRun: 'All' })).toMatchObject({ status: 'Success', code: 201 });
    expect(await env.evict('a', { deleteOptions: { dryRun: ['All'] } })).toMatchObject({ status: 'Success', code: 201 });
    expect((await env.budgets.get(NS, 'web')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const a = await env.pods.get(NS, 'a');
    expect(a.metadata.deletionTimestamp).toBeUndefined();
    expect(a.status?.conditions?.some((c) => c.type === 'DisruptionTarget')).toBe(false);

    await env.budgets.updateStatus(NS, { ...(await env.budgets.get(NS, 'web')), status: { ...before.status!, disruptionsAllowed: 0 } });
    expect((await env.refusal(env.evict('a', {}, { dryRun: 'All' }))).code).toBe(429);
    const bad = await env.refusal(env.evict('a', { deleteOptions: { dryRun: ['Some'] } }));
    expect([bad.code, bad.message]).toEqual([400, 'Invalid dryRun value: Some. Allowed values: All']);
  });

  it('more than one matching budget: 500 with the Kubernetes message', async () => {
    const env = await setup();
    await env.pod('a');
    await env.budget('one', {});
    await env.budget('two', {}, { maxUnavailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } });
    const e = await env.refusal(env.evict('a'));
    expect([e.code, e.message]).toEqual([500, MORE_THAN_ONE_BUDGET_MESSAGE]);
    expect((await env.pods.get(NS, 'a')).metadata.deletionTimestamp).toBeUndefined();
  });

  it('unhealthy pods: let go while the budget is satisfied, refused when not, always with AlwaysAllow', async () => {
    const env = await setup();
    await env.pod('sick', { ready: false });
    await env.pod('sick2', { ready: false });
    await env.pod('sick3', { ready: false });
    const pdb = await env.budget('web', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 });
    expect(await env.evict('sick')).toMatchObject({ code: 201 });
    // Not spent: the unready pod never counted toward currentHealthy.
    expect((await env.budgets.get(NS, 'web')).status?.disruptedPods).toBeUndefined();

    await env.budgets.updateStatus(NS, { ...(await env.budgets.get(NS, 'web')), status: { ...pdb.status!, currentHealthy: 1 } });
    const e = await env.refusal(env.evict('sick2'));
    expect(e.code).toBe(429);
    expect(e.causes[0].message).toBe('The disruption budget web needs 2 healthy pods and has 1 currently');

    const fresh = await env.budgets.get(NS, 'web');
    await env.budgets.update(NS, { ...fresh, spec: { ...fresh.spec, unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
    const bumped = await env.budgets.get(NS, 'web');
    await env.budgets.updateStatus(NS, { ...bumped, status: { ...bumped.status!, observedGeneration: bumped.metadata.generation } });
    expect(await env.evict('sick2')).toMatchObject({ code: 201 });
    expect((await env.pods.get(NS, 'sick2')).metadata.deletionTimestamp).toBeDefined();
  });

  it('pending, finished and terminating pods skip budgets', async () => {
    const env = await setup();
    await env.pod('pending', { phase: 'Pending', ready: false });
    await env.pod('done', { phase: 'Succeeded', ready: false });
    await env.budget('web', { disruptionsAllowed: 0 });
    expect(await env.evict('pending')).toMatchObject({ code: 201 });
    expect(await env.evict('done')).toMatchObject({ code: 201 });
    await expect(env.pods.get(NS, 'done')).rejects.toMatchObject({ code: 404 });
    expect((await env.pods.get(NS, 'pending')).metadata.deletionTimestamp).toBeDefined();
    // Terminating already: evicting again is not a new disruption.
    expect(await env.evict('pending')).toMatchObject({ code: 201 });
  });

  it('a budget whose status lags its spec answers 429 "still being processed"; empty selectors are ignored', async () => {
    const env = await setup();
    await env.pod('a');
    const created = await env.budget('web', { disruptionsAllowed: 1 });
    await env.budgets.update(NS, { ...created, spec: { ...created.spec, minAvailable: 1 } });
    const e = await env.refusal(env.evict('a'));
    expect([e.code, e.message, e.details?.retryAfterSeconds]).toEqual([429, MESSAGE, 10]);
    expect(e.causes).toEqual([{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }]);

    const env2 = await setup();
    await env2.pod('a');
    await env2.budget('everything', { disruptionsAllowed: 0 }, { minAvailable: 1, selector: {} });
    expect(await env2.evict('a')).toMatchObject({ code: 201 });
  });

  it('checks the body: name must match the URL; policy/v1beta1 Evictions are accepted', async () => {
    const env = await setup();
    await env.pod('a');
    const bad = await env.refusal(
      env.rest.handle({ verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: NS, name: 'a', subresource: 'eviction', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'b' } } }),
    );
    expect([bad.code, bad.message]).toEqual([400, 'name in URL does not match name in Eviction object']);
    const ok = await env.rest.handle({ verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: NS, name: 'a', subresource: 'eviction', body: { apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'a' } } });
    expect(ok).toMatchObject({ status: 'Success', code: 201 });
    const missing = await env.refusal(env.evict('nope'));
    expect(missing.code).toBe(404);
  });
});

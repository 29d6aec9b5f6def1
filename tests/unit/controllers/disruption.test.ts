// Disruption controller on the in-process stack (controller manager + readiness simulator): PDB status
// from pods and their controllers' scale, the DisruptionAllowed condition, disruptedPods expiry, failSafe.
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../../shared/api/policy';
import type { Deployment } from '../../../shared/api/workloads';
import { CONFIGMAPS, PODDISRUPTIONBUDGETS } from '../../../main/client/gvr';
import { DELETION_TIMEOUT_MS } from '../../../main/controllers/disruption';
import { deployment, eventsFor, NS, podsOf, startStack, stopAll, until } from './deployment-support';

afterEach(stopAll);

type Stack = Awaited<ReturnType<typeof startStack>>;

const budgets = (s: Stack) => s.client.resource<PodDisruptionBudget>(PODDISRUPTIONBUDGETS);

function pdb(name: string, spec: PodDisruptionBudget['spec']): PodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: NS }, spec };
}

/** Waits until the budget's status matches `want` (a subset), returning the whole object. */
async function statusOf(s: Stack, name: string, want: Partial<PodDisruptionBudgetStatus>): Promise<PodDisruptionBudget> {
  return until(
    async () => {
      const o = await budgets(s).get(NS, name);
      const st = (o.status ?? {}) as unknown as Record<string, unknown>;
      return Object.entries(want).every(([k, v]) => JSON.stringify(st[k]) === JSON.stringify(v)) ? o : undefined;
    },
    8000,
    `status of ${name} to be ${JSON.stringify(want)}`,
  );
}

async function readyDeployment(s: Stack, name: string, replicas: number): Promise<Pod[]> {
  await s.client.deployments<Deployment>().create(NS, deployment(name, replicas));
  return until(async () => {
    const pods = await podsOf(s.client, `app=${name}`);
    return pods.length === replicas && pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ? pods : undefined;
  });
}

describe('disruption controller', () => {
  it('integer minAvailable: expectedPods is the pod count; status and condition as kube-controller-manager writes them', async () => {
    const s = await startStack();
    await readyDeployment(s, 'web', 3);
    await budgets(s).create(NS, pdb('web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }));
    const o = await statusOf(s, 'web', { expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    expect(o.status?.observedGeneration).toBe(1);
    expect(o.status?.disruptedPods).toBeUndefined();
    expect(o.status?.conditions).toEqual([
      { type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: expect.stringMatching(/Z$/), reason: 'SufficientPods', message: '' },
    ]);

    // A pod turning unready takes the allowance away: False/InsufficientPods.
    const [first] = await podsOf(s.client, 'app=web');
    await s.sim.markReady(first.metadata.name!, false);
    const after = await statusOf(s, 'web', { currentHealthy: 2, disruptionsAllowed: 0 });
    expect(after.status?.conditions?.[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' });
  });

  it('percentages and maxUnavailable use the owning Deployment scale, rounding up, and follow scaling', async () => {
    const s = await startStack();
    await readyDeployment(s, 'web', 3);
    await budgets(s).create(NS, pdb('half', { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } }));
    await budgets(s).create(NS, pdb('one-down', { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } }));
    await statusOf(s, 'half', { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
    await statusOf(s, 'one-down', { expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 });

    // Scaled to 5 but only 3 pods ready yet is exactly the case the scale (not the pod count) is for.
    s.sim.auto = false;
    const d = await s.client.deployments<Deployment>().get(NS, 'web');
    await s.client.deployments<Deployment>().update(NS, { ...d, spec: { ...d.spec!, replicas: 5 } });
    await statusOf(s, 'half', { expectedPods: 5, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
    await statusOf(s, 'one-down', { expectedPods: 5, desiredHealthy: 4, disruptionsAllowed: 0 });
    s.sim.auto = true;
    await s.sim.readyAll();
    await statusOf(s, 'half', { expectedPods: 5, currentHealthy: 5, disruptionsAllowed: 2 });
  });

  it('pods recorded in disruptedPods do not count until deleted; entries expire after two minutes', async () => {
    const s = await startStack();
    const pods = await readyDeployment(s, 'web', 3);
    await budgets(s).create(NS, pdb('web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }));
    const o = await statusOf(s, 'web', { currentHealthy: 3, disruptionsAllowed: 1 });
    const victim = pods[0].metadata.name!;
    const at = new Date(Math.floor(s.clock.nowMs() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    // What the eviction subresource writes when it accepts an eviction.
    await budgets(s).updateStatus(NS, { ...o, status: { ...o.status!, disruptionsAllowed: 0, disruptedPods: { [victim]: at } } });
    const held = await statusOf(s, 'web', { currentHealthy: 2, disruptionsAllowed: 0, disruptedPods: { [victim]: at } });
    expect(held.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });

    // Never deleted: after DeletionTimeout the pod counts again and an event says so.
    s.clock.step(DELETION_TIMEOUT_MS + 1000);
    const expired = await statusOf(s, 'web', { currentHealthy: 3, disruptionsAllowed: 1 });
    expect(expired.status?.disruptedPods).toBeUndefined();
    const events = await until(async () => {
      const e = (await eventsFor(s.client, victim)).filter((x) => x.reason === 'NotDeleted');
      return e.length ? e : undefined;
    });
    expect(events[0]).toMatchObject({ type: 'Warning', message: `Pod was expected by PDB ${NS}/${NS} to be deleted but it wasn't` });
  });

  it('no matching pods: NoPods event and nothing allowed; a pod whose owner has no scale under a percentage fails safe (SyncFailed)', async () => {
    const s = await startStack();
    await budgets(s).create(NS, pdb('empty', { minAvailable: 1, selector: { matchLabels: { app: 'none' } } }));
    const empty = await statusOf(s, 'empty', { expectedPods: 0, currentHealthy: 0, desiredHealthy: 1, disruptionsAllowed: 0 });
    expect(empty.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });
    await until(async () => (await eventsFor(s.client, 'empty')).find((e) => e.reason === 'NoPods' && e.message === 'No matching pods found'));

    // A pod whose controller serves no /scale (as a DaemonSet): Kubernetes cannot compute a percentage
    // and allows nothing. The owner is a ConfigMap so no workload controller touches the pod meanwhile.
    const owner = await s.client.resource(CONFIGMAPS).create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'agent' } });
    await s.client.pods<Pod>().create(NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'agent-x', labels: { app: 'agent' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'agent', uid: owner.metadata.uid!, controller: true }] },
      spec: { containers: [{ name: 'a', image: 'agent' }] },
    });
    await budgets(s).create(NS, pdb('agents', { maxUnavailable: '10%', selector: { matchLabels: { app: 'agent' } } }));
    const failed = await until(async () => {
      const o = await budgets(s).get(NS, 'agents');
      return o.status?.conditions?.find((c) => c.reason === 'SyncFailed') ? o : undefined;
    });
    expect(failed.status?.disruptionsAllowed).toBe(0);
    expect(failed.status?.conditions?.[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', message: 'found no controllers for pod "agent-x"' });
  });

  it('bare pods under an integer minAvailable count directly; under a percentage they are unmanaged (event)', async () => {
    const s = await startStack();
    for (const name of ['solo-1', 'solo-2']) {
      await s.client.pods<Pod>().create(NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'solo' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    }
    await until(async () => (await podsOf(s.client, 'app=solo')).every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) || undefined);
    await budgets(s).create(NS, pdb('int', { minAvailable: 1, selector: { matchLabels: { app: 'solo' } } }));
    await budgets(s).create(NS, pdb('pct', { minAvailable: '50%', selector: { matchLabels: { app: 'solo' } } }));
    await statusOf(s, 'int', { expectedPods: 2, currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1 });
    await statusOf(s, 'pct', { expectedPods: 0, currentHealthy: 2, desiredHealthy: 0, disruptionsAllowed: 0 });
    const warn = await until(async () => (await eventsFor(s.client, 'pct')).find((e) => e.reason === 'UnmanagedPods'));
    expect(warn.type).toBe('Warning');
    expect(warn.message).toContain('To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.');
  });
});

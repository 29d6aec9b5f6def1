// ReplicaSet controller on the in-process stack: creation, status, adoption/release, expectations under
// a lagging cache, FailedCreate, minReadySeconds with the FakeClock, and ReplicationControllers.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import type { Pod } from '../../../shared/api/pod';
import type { ReplicaSet } from '../../../shared/api/workloads';
import type { ApiHandler, ApiRequest } from '../../../main/apiserver/types';
import { REPLICATIONCONTROLLERS } from '../../../main/controllers/replicaset';
import { eventsFor, NS, podsOf, replicaSet, sleep, startStack, stopAll, until } from './deployment-support';

afterEach(stopAll);

const rsStatus = async (client: Awaited<ReturnType<typeof startStack>>['client'], name: string) =>
  (await client.replicaSets<ReplicaSet>().get(NS, name)).status;

/** Counts pod creates and can refuse them or hold back pod watch events (a lagging informer). */
class PodTap implements ApiHandler {
  creates = 0;
  refuse?: ApiError;
  lagMs = 0;
  constructor(private readonly inner: ApiHandler) {}
  handle(request: ApiRequest): Promise<unknown> {
    if (request.resource === 'pods' && request.verb === 'create' && !request.subresource) {
      if (this.refuse) return Promise.reject(this.refuse);
      this.creates++;
    }
    return this.inner.handle(request);
  }
  watch(request: ApiRequest, onEvent: Parameters<ApiHandler['watch']>[1], onClose: (error?: unknown) => void) {
    return this.inner.watch(request, (e) => {
      if (request.resource === 'pods' && this.lagMs > 0) setTimeout(() => onEvent(e), this.lagMs);
      else onEvent(e);
    }, onClose);
  }
}

describe('replicaset controller', () => {
  it('creates spec.replicas pods from the template, owned and named after the set, and reports status', async () => {
    const { client } = await startStack();
    const rs = await client.replicaSets<ReplicaSet>().create(NS, replicaSet('web', 3));
    const status = await until(async () => {
      const s = await rsStatus(client, 'web');
      return s?.readyReplicas === 3 && s.availableReplicas === 3 ? s : undefined;
    });
    expect(status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const pods = await podsOf(client, 'app=web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(pod.metadata.generateName).toBe('web-');
      expect(pod.metadata.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    const events = await until(async () => {
      const e = await eventsFor(client, 'web');
      return e.length >= 3 ? e : undefined;
    });
    expect(events.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(events.every((e) => e.reason === 'SuccessfulCreate' && e.source?.component === 'replicaset-controller')).toBe(true);
  });

  it('replaces a deleted pod and scales down the least valuable pods first', async () => {
    const { client, sim } = await startStack({ ready: false });
    await client.replicaSets<ReplicaSet>().create(NS, replicaSet('web', 4));
    const pods = await until(async () => {
      const p = await podsOf(client, 'app=web');
      return p.length === 4 ? p : undefined;
    });
    const [a, b, c] = pods.map((p) => p.metadata.name!);
    await sim.markReady(a);
    await sim.markReady(b, true, 3);
    await sim.markReady(c, false);
    // d stays Pending; c is Running but not ready; b restarted more than a.
    await until(async () => (await rsStatus(client, 'web'))?.readyReplicas === 2);
    await client.replicaSets<ReplicaSet>().patch(NS, 'web', 'application/merge-patch+json', { spec: { replicas: 2 } });
    const left = await until(async () => {
      const p = await podsOf(client, 'app=web');
      return p.length === 2 ? p : undefined;
    });
    expect(left.map((p) => p.metadata.name).sort()).toEqual([a, b].sort());
    await client.replicaSets<ReplicaSet>().patch(NS, 'web', 'application/merge-patch+json', { spec: { replicas: 1 } });
    const last = await until(async () => {
      const p = await podsOf(client, 'app=web');
      return p.length === 1 ? p : undefined;
    });
    expect(last[0].metadata.name).toBe(a);
    await until(async () => (await eventsFor(client, 'web')).some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${b}`));

    await client.pods().delete(NS, a);
    const replaced = await until(async () => {
      const p = await podsOf(client, 'app=web');
      return p.length === 1 && p[0].metadata.name !== a ? p : undefined;
    });
    expect(replaced[0].metadata.ownerReferences?.[0].name).toBe('web');
  });

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    const { client } = await startStack();
    await client.pods<Pod>().create(NS, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'bosun-test/web:1' }] },
    });
    const rs = await client.replicaSets<ReplicaSet>().create(NS, replicaSet('web', 2));
    await until(async () => (await rsStatus(client, 'web'))?.replicas === 2);
    const stray = await client.pods<Pod>().get(NS, 'stray');
    expect(stray.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(await podsOf(client, 'app=web')).toHaveLength(2);

    await client.pods().patch(NS, 'stray', 'application/merge-patch+json', { metadata: { labels: { app: 'debug' } } });
    const released = await until(async () => {
      const p = await client.pods<Pod>().get(NS, 'stray');
      return p.metadata.ownerReferences?.length ? undefined : p;
    });
    expect(released.metadata.labels).toEqual({ app: 'debug' });
    const pods = await until(async () => {
      const p = await podsOf(client, 'app=web');
      return p.length === 2 ? p : undefined;
    });
    expect(pods.map((p) => p.metadata.name)).not.toContain('stray');
  });

  it('does not create twice while its cache lags behind its own creations (expectations)', async () => {
    let tap!: PodTap;
    const { client } = await startStack({ ready: false, wrap: (inner) => (tap = new PodTap(inner)) });
    tap.lagMs = 300;
    await client.replicaSets<ReplicaSet>().create(NS, replicaSet('burst', 40));
    // Status writes and resyncs happen meanwhile; none may create more.
    await until(async () => (await rsStatus(client, 'burst'))?.replicas === 40, 10_000);
    await sleep(600);
    expect(tap.creates).toBe(40);
    expect(await podsOf(client, 'app=burst')).toHaveLength(40);
  });

  it('reports FailedCreate and ReplicaFailure when the apiserver refuses pods, and recovers', async () => {
    let tap!: PodTap;
    const { client } = await startStack({ wrap: (inner) => (tap = new PodTap(inner)) });
    const quota = 'pods "web-x" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2';
    tap.refuse = new ApiError(403, 'Forbidden', quota);
    await client.replicaSets<ReplicaSet>().create(NS, replicaSet('web', 2));
    const condition = await until(async () => (await rsStatus(client, 'web'))?.conditions?.find((c) => c.type === 'ReplicaFailure'));
    expect(condition).toMatchObject({ status: 'True', reason: 'FailedCreate', message: quota });
    const failed = await until(async () => (await eventsFor(client, 'web')).find((e) => e.reason === 'FailedCreate'));
    expect(failed).toMatchObject({ type: 'Warning', message: `Error creating: ${quota}` });

    tap.refuse = undefined;
    const status = await until(async () => {
      const s = await rsStatus(client, 'web');
      return s?.readyReplicas === 2 && !s.conditions?.length ? s : undefined;
    }, 10_000);
    expect(status.replicas).toBe(2);
  });

  it('counts pods available only after minReadySeconds of the injected clock', async () => {
    const { client, clock } = await startStack({ pump: false });
    await client.replicaSets<ReplicaSet>().create(NS, replicaSet('slow', 2, { app: 'slow' }, { minReadySeconds: 30 }));
    await until(async () => (await rsStatus(client, 'slow'))?.readyReplicas === 2);
    await sleep(100);
    expect((await rsStatus(client, 'slow'))?.availableReplicas).toBe(0);
    clock.step(31_000);
    const status = await until(async () => {
      const s = await rsStatus(client, 'slow');
      return s?.availableReplicas === 2 ? s : undefined;
    });
    expect(status.readyReplicas).toBe(2);
  });

  it('serves ReplicationControllers through the same code path', async () => {
    const { client } = await startStack();
    const rcs = client.resource(REPLICATIONCONTROLLERS);
    const rc = await rcs.create(NS, {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'bosun-test/web:1' }] } } },
    });
    const pods = await until(async () => {
      const p = await podsOf(client, 'app=legacy');
      return p.length === 2 ? p : undefined;
    });
    expect(pods[0].metadata.ownerReferences?.[0]).toMatchObject({ apiVersion: 'v1', kind: 'ReplicationController', uid: rc.metadata.uid });
    const status = await until(async () => {
      const s = (await rcs.get(NS, 'legacy')).status as { readyReplicas?: number } | undefined;
      return s?.readyReplicas === 2 ? s : undefined;
    });
    expect(status).toMatchObject({ replicas: 2, readyReplicas: 2 });
  });
});

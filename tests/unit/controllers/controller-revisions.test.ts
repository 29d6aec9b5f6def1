// ControllerRevisions of StatefulSets and DaemonSets on the in-process stack: one revision per distinct
// template, pods labelled from it, history trimmed to revisionHistoryLimit, and a rollback done the way
// kubectl does it (strategic-merge patch of the revision's data) renumbers the old revision.
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../../shared/api/node';
import type { ControllerRevision, DaemonSet, StatefulSet } from '../../../shared/api/workloads';
import type { KubeClient } from '../../../main/client/client';
import { CONTROLLERREVISIONS } from '../../../main/client/gvr';
import { NS, podsOf, startStack, stopAll, until } from './deployment-support';

afterEach(stopAll);

const image = (tag: number): string => `bosun-test/web:${tag}`;

function sts(name: string, tag: number, limit?: number): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 2,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      ...(limit !== undefined ? { revisionHistoryLimit: limit } : {}),
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: image(tag) }] } },
    },
  };
}

async function revisions(client: KubeClient, app: string): Promise<ControllerRevision[]> {
  const items = (await client.resource<ControllerRevision>(CONTROLLERREVISIONS).list(NS, { labelSelector: `app=${app}` })).items;
  return items.sort((a, b) => a.revision - b.revision);
}

const imageOf = (r: ControllerRevision): string =>
  (r.data as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec.containers[0].image;

/** What `kubectl rollout undo --to-revision=N` sends: the revision's data as a strategic-merge patch. */
async function undoTo(client: KubeClient, kind: 'statefulSets' | 'daemonSets', name: string, revision: ControllerRevision): Promise<void> {
  await client[kind]().patch(NS, name, 'application/strategic-merge-patch+json', revision.data);
}

describe('ControllerRevisions', () => {
  it('StatefulSet: one revision per template, pods labelled with its name, rollback renumbers the old revision', async () => {
    const { client } = await startStack({ ready: true });
    await client.statefulSets().create(NS, sts('web', 1));
    const [first] = await until(async () => { const r = await revisions(client, 'web'); return r.length === 1 ? r : undefined; });
    const set = await client.statefulSets<StatefulSet>().get(NS, 'web');
    expect(first.metadata.name).toMatch(/^web-[a-z0-9]+$/);
    expect(first.revision).toBe(1);
    expect(first.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    // The data is the patch kubectl sends back: the whole template, replacing the set's.
    const template = (first.data as { spec: { template: Record<string, unknown> } }).spec.template;
    expect(Object.keys(first.data as object)).toEqual(['spec']);
    expect(template.$patch).toBe('replace');
    expect(imageOf(first)).toBe(image(1));
    await until(async () => (await client.statefulSets<StatefulSet>().get(NS, 'web')).status?.readyReplicas === 2);
    for (const pod of await podsOf(client, 'app=web')) expect(pod.metadata.labels?.['controller-revision-hash']).toBe(first.metadata.name);

    await client.statefulSets().patch(NS, 'web', 'application/merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'web', image: image(2) }] } } } });
    const two = await until(async () => { const r = await revisions(client, 'web'); return r.length === 2 ? r : undefined; });
    expect(two.map((r) => [r.revision, imageOf(r)])).toEqual([[1, image(1)], [2, image(2)]]);
    await until(async () => {
      const s = await client.statefulSets<StatefulSet>().get(NS, 'web');
      return s.status?.updatedReplicas === 2 && s.status.readyReplicas === 2 && s.status.currentRevision === two[1].metadata.name;
    }, 10_000);

    // Rollback to revision 1: the same ControllerRevision comes back as revision 3, no copy is made.
    await undoTo(client, 'statefulSets', 'web', two[0]);
    const after = await until(async () => { const r = await revisions(client, 'web'); return r.at(-1)?.metadata.name === first.metadata.name ? r : undefined; });
    expect(after.map((r) => [r.revision, imageOf(r)])).toEqual([[2, image(2)], [3, image(1)]]);
    const rolled = await until(async () => {
      const s = await client.statefulSets<StatefulSet>().get(NS, 'web');
      return s.status?.updateRevision === first.metadata.name && s.status?.updatedReplicas === 2 && s.status?.readyReplicas === 2 ? s : undefined;
    }, 10_000);
    expect(rolled.spec?.template.spec?.containers[0].image).toBe(image(1));
    const pods = await podsOf(client, 'app=web');
    expect(pods.map((p) => p.spec?.containers[0].image)).toEqual([image(1), image(1)]);
  });

  it('StatefulSet: history beyond revisionHistoryLimit is deleted, oldest first; live revisions stay', async () => {
    const { client } = await startStack({ ready: true });
    await client.statefulSets().create(NS, sts('hist', 1, 1));
    for (const tag of [2, 3, 4]) {
      await until(async () => (await revisions(client, 'hist')).some((r) => imageOf(r) === image(tag - 1)));
      await client.statefulSets().patch(NS, 'hist', 'application/merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'web', image: image(tag) }] } } } });
    }
    // Wait for the rollout to finish so only the update revision is live; one historic revision stays.
    const left = await until(async () => {
      const s = await client.statefulSets<StatefulSet>().get(NS, 'hist');
      const r = await revisions(client, 'hist');
      return s.status?.currentRevision === s.status?.updateRevision && s.status?.updatedReplicas === 2 && r.length === 2 ? r : undefined;
    }, 15_000);
    expect(left.map((r) => imageOf(r))).toEqual([image(3), image(4)]);
    expect(left.map((r) => r.revision)).toEqual([3, 4]);
  });

  it('DaemonSet: revisions labelled with the pod hash; deleting the set removes its history through the GC', async () => {
    const { client } = await startStack({ ready: true });
    await client.nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } } as Node);
    const ds: DaemonSet = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: NS },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: image(1) }] } } },
    };
    await client.daemonSets().create(NS, ds);
    const [first] = await until(async () => { const r = await revisions(client, 'agent'); return r.length === 1 ? r : undefined; });
    const hash = first.metadata.labels?.['controller-revision-hash'];
    expect(first.metadata.name).toBe(`agent-${hash}`);
    const pod = await until(async () => (await podsOf(client, 'app=agent'))[0]);
    expect(pod.metadata.labels?.['controller-revision-hash']).toBe(hash);

    await client.daemonSets().patch(NS, 'agent', 'application/merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'a', image: image(2) }] } } } });
    const two = await until(async () => { const r = await revisions(client, 'agent'); return r.length === 2 ? r : undefined; });
    expect(two.map((r) => [r.revision, imageOf(r)])).toEqual([[1, image(1)], [2, image(2)]]);
    await undoTo(client, 'daemonSets', 'agent', two[0]);
    await until(async () => {
      const r = await revisions(client, 'agent');
      return r.at(-1)?.metadata.name === first.metadata.name && r.at(-1)?.revision === 3;
    });
    await until(async () => (await podsOf(client, 'app=agent')).every((p) => p.metadata.labels?.['controller-revision-hash'] === hash && p.spec?.containers[0].image === image(1)), 10_000);

    await client.daemonSets().delete(NS, 'agent');
    await until(async () => (await revisions(client, 'agent')).length === 0, 10_000);
  });
});

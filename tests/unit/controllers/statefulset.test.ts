// StatefulSet controller on the in-process stack; the readiness simulator plays the kubelet.
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { PersistentVolumeClaim } from '../../../shared/api/storage';
import type { StatefulSet } from '../../../shared/api/workloads';
import type { KubeClient } from '../../../main/client/client';
import { PERSISTENTVOLUMECLAIMS } from '../../../main/client/gvr';
import { eventsFor, NS, podsOf, sleep, startStack, stopAll, until } from './deployment-support';

afterEach(stopAll);

function sts(name: string, replicas: number, extra: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'bosun-test/web:1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
      ...extra,
    },
  };
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name!).sort();
const claims = async (client: KubeClient): Promise<PersistentVolumeClaim[]> =>
  (await client.resource<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS).list(NS)).items;
const getSet = (client: KubeClient, name: string): Promise<StatefulSet> => client.statefulSets<StatefulSet>().get(NS, name);

describe('statefulset controller', () => {
  it('OrderedReady: creates web-0..2 one at a time, each after the previous is Ready, with claims and identity', async () => {
    const { client, sim } = await startStack({ ready: false });
    await client.statefulSets().create(NS, sts('web', 3));
    await until(async () => (await podsOf(client, 'app=web')).length === 1);
    await sleep(150);
    expect(names(await podsOf(client, 'app=web'))).toEqual(['web-0']);
    expect((await claims(client)).map((c) => c.metadata.name)).toEqual(['www-web-0']);
    await sim.markReady('web-0');
    await until(async () => (await podsOf(client, 'app=web')).length === 2);
    await sleep(100);
    expect(names(await podsOf(client, 'app=web'))).toEqual(['web-0', 'web-1']);
    await sim.markReady('web-1');
    await until(async () => (await podsOf(client, 'app=web')).length === 3);
    await sim.markReady('web-2');
    const set = await until(async () => { const s = await getSet(client, 'web'); return s.status?.readyReplicas === 3 ? s : undefined; });
    expect(set.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(set.status?.currentRevision).toBe(set.status?.updateRevision);
    expect(set.status?.updateRevision).toMatch(/^web-[a-z0-9]+$/);

    const web1 = (await podsOf(client, 'app=web')).find((p) => p.metadata.name === 'web-1')!;
    expect(web1.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1', 'controller-revision-hash': set.status?.updateRevision });
    expect(web1.spec?.hostname).toBe('web-1');
    expect(web1.spec?.subdomain).toBe('web');
    expect(web1.spec?.volumes).toContainEqual({ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } });
    expect((await claims(client)).map((c) => c.metadata.name).sort()).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    const messages = await until(async () => {
      const m = (await eventsFor(client, 'web')).map((e) => e.message);
      return m.includes('create Pod web-2 in StatefulSet web successful') ? m : undefined;
    });
    expect(messages).toContain('create Pod web-0 in StatefulSet web successful');
    expect(messages).toContain('create Claim www-web-2 Pod web-2 in StatefulSet web success');
  });

  it('a deleted pod comes back with the same name and the same claim; scale down goes highest first and keeps claims', async () => {
    const { client, sim } = await startStack({ ready: true });
    await client.statefulSets().create(NS, sts('db', 3));
    await until(async () => (await getSet(client, 'db')).status?.readyReplicas === 3, 10_000);
    const claimUid = (await claims(client)).find((c) => c.metadata.name === 'www-db-1')!.metadata.uid;
    const oldUid = (await podsOf(client, 'app=db')).find((p) => p.metadata.name === 'db-1')!.metadata.uid;
    await client.pods().delete(NS, 'db-1');
    const again = await until(async () => (await podsOf(client, 'app=db')).find((p) => p.metadata.name === 'db-1' && p.metadata.uid !== oldUid));
    expect(again.spec?.volumes).toContainEqual({ name: 'www', persistentVolumeClaim: { claimName: 'www-db-1' } });
    expect((await claims(client)).find((c) => c.metadata.name === 'www-db-1')!.metadata.uid).toBe(claimUid);
    await until(async () => (await getSet(client, 'db')).status?.readyReplicas === 3);

    // Ordered: db-2 must be gone before db-1 is touched. Watched, not polled: with pods that terminate
    // at once, the state with two pods left can be shorter than a poll.
    const steps: string[] = [];
    const watch = client.pods().watch(NS, { labelSelector: 'app=db' }, {
      onEvent: (e) => {
        const name = e.object.metadata.name;
        if (e.type === 'DELETED') steps.push(`gone ${name}`);
        else if (e.object.metadata.deletionTimestamp && !steps.includes(`terminating ${name}`)) steps.push(`terminating ${name}`);
      },
    });
    sim.auto = true;
    await client.statefulSets().patch(NS, 'db', 'application/merge-patch+json', { spec: { replicas: 1 } });
    await until(async () => names(await podsOf(client, 'app=db')).join() === 'db-0' && steps.includes('gone db-1'));
    watch.stop();
    const firstTouch = (name: string) => steps.findIndex((s) => s.endsWith(` ${name}`));
    expect(steps.indexOf('gone db-2')).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf('gone db-2')).toBeLessThan(firstTouch('db-1'));
    expect(steps.some((s) => s.endsWith(' db-0'))).toBe(false);
    expect((await claims(client)).map((c) => c.metadata.name).sort()).toEqual(['www-db-0', 'www-db-1', 'www-db-2']);
    await until(async () => (await eventsFor(client, 'db')).some((e) => e.message === 'delete Pod db-2 in StatefulSet db successful'));
  });

  it('Parallel creates every pod at once', async () => {
    const { client } = await startStack({ ready: false });
    await client.statefulSets().create(NS, sts('par', 3, { podManagementPolicy: 'Parallel' }));
    await until(async () => names(await podsOf(client, 'app=par')).join() === 'par-0,par-1,par-2');
  });

  it('RollingUpdate with partition replaces ordinals from the highest down to the partition, waiting for Ready', async () => {
    const { client } = await startStack({ ready: true });
    await client.statefulSets().create(NS, sts('roll', 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
    const before = await until(async () => { const s = await getSet(client, 'roll'); return s.status?.readyReplicas === 3 ? s : undefined; }, 10_000);
    await client.statefulSets().patch(NS, 'roll', 'application/merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'web', image: 'bosun-test/web:2' }] } } } });
    const after = await until(async () => {
      const s = await getSet(client, 'roll');
      return s.status?.updatedReplicas === 2 && s.status.readyReplicas === 3 ? s : undefined;
    }, 10_000);
    expect(after.status?.updateRevision).not.toBe(before.status?.updateRevision);
    expect(after.status?.currentRevision).toBe(before.status?.currentRevision);
    expect(after.status?.currentReplicas).toBe(1);
    const images = Object.fromEntries((await podsOf(client, 'app=roll')).map((p) => [p.metadata.name, p.spec?.containers[0].image]));
    expect(images).toEqual({ 'roll-0': 'bosun-test/web:1', 'roll-1': 'bosun-test/web:2', 'roll-2': 'bosun-test/web:2' });
    const deletes = (await eventsFor(client, 'roll')).filter((e) => e.reason === 'SuccessfulDelete')
      .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)).map((e) => e.message);
    expect(deletes).toEqual(['delete Pod roll-2 in StatefulSet roll successful', 'delete Pod roll-1 in StatefulSet roll successful']);
    // Below the partition a deleted pod comes back at the current revision, with the old template.
    const old0 = (await podsOf(client, 'app=roll')).find((p) => p.metadata.name === 'roll-0')!;
    await client.pods().delete(NS, 'roll-0');
    const new0 = await until(async () => (await podsOf(client, 'app=roll')).find((p) => p.metadata.name === 'roll-0' && p.metadata.uid !== old0.metadata.uid));
    expect(new0.spec?.containers[0].image).toBe('bosun-test/web:1');
    expect(new0.metadata.labels?.['controller-revision-hash']).toBe(before.status?.currentRevision);
    await until(async () => (await getSet(client, 'roll')).status?.readyReplicas === 3);
    // Lowering the partition to 0 finishes the rollout and makes the update revision current.
    await client.statefulSets().patch(NS, 'roll', 'application/merge-patch+json', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    const done = await until(async () => { const s = await getSet(client, 'roll'); return s.status?.updatedReplicas === 3 && s.status.readyReplicas === 3 ? s : undefined; }, 10_000);
    expect(done.status?.currentRevision).toBe(done.status?.updateRevision);
  });

  it('OnDelete leaves running pods alone; persistentVolumeClaimRetentionPolicy Delete owns the claims', async () => {
    const { client } = await startStack({ ready: true });
    await client.statefulSets().create(NS, sts('od', 2, {
      updateStrategy: { type: 'OnDelete' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
    }));
    const set = await until(async () => { const s = await getSet(client, 'od'); return s.status?.readyReplicas === 2 ? s : undefined; }, 10_000);
    const claim = (await claims(client)).find((c) => c.metadata.name === 'www-od-0')!;
    expect(claim.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'StatefulSet', name: 'od', uid: set.metadata.uid })]);
    await client.statefulSets().patch(NS, 'od', 'application/merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'web', image: 'bosun-test/web:2' }] } } } });
    await sleep(300);
    expect((await podsOf(client, 'app=od')).map((p) => p.spec?.containers[0].image)).toEqual(['bosun-test/web:1', 'bosun-test/web:1']);
    await client.pods().delete(NS, 'od-1');
    await until(async () => (await podsOf(client, 'app=od')).find((p) => p.metadata.name === 'od-1')?.spec?.containers[0].image === 'bosun-test/web:2');
    const od1 = (await podsOf(client, 'app=od')).find((p) => p.metadata.name === 'od-1')!;
    await until(async () => (await getSet(client, 'od')).status?.readyReplicas === 2);
    await client.statefulSets().patch(NS, 'od', 'application/merge-patch+json', { spec: { replicas: 1 } });
    // whenScaled: Delete — the condemned pod became an owner of its claim, so the GC removes the claim with it.
    await until(async () => !(await claims(client)).some((c) => c.metadata.name === 'www-od-1'), 10_000);
    expect(od1.metadata.name).toBe('od-1');
  });

  it('adopts its orphaned pods when re-created after an orphaning delete', async () => {
    const { client } = await startStack({ ready: true });
    await client.statefulSets().create(NS, sts('keep', 2));
    await until(async () => (await getSet(client, 'keep')).status?.readyReplicas === 2, 10_000);
    const before = await podsOf(client, 'app=keep');
    await client.statefulSets().delete(NS, 'keep', { propagationPolicy: 'Orphan' });
    await until(async () => (await podsOf(client, 'app=keep')).every((p) => !p.metadata.ownerReferences?.length));
    await client.statefulSets().create(NS, sts('keep', 2));
    const set = await getSet(client, 'keep');
    const after = await until(async () => {
      const pods = await podsOf(client, 'app=keep');
      return pods.every((p) => p.metadata.ownerReferences?.some((r) => r.uid === set.metadata.uid)) ? pods : undefined;
    });
    // The same pods, not new ones.
    expect(after.map((p) => p.metadata.uid).sort()).toEqual(before.map((p) => p.metadata.uid).sort());
    await until(async () => (await getSet(client, 'keep')).status?.readyReplicas === 2);
  });

  it('a failed pod is recreated under the same name with a RecreatingFailedPod warning', async () => {
    const { client } = await startStack({ ready: true });
    await client.statefulSets().create(NS, sts('crash', 1));
    await until(async () => (await getSet(client, 'crash')).status?.readyReplicas === 1, 10_000);
    const pod = (await podsOf(client, 'app=crash'))[0];
    await client.pods<Pod>().updateStatus(NS, { ...pod, status: { ...pod.status, phase: 'Failed' } });
    await until(async () => (await podsOf(client, 'app=crash')).some((p) => p.metadata.name === 'crash-0' && p.metadata.uid !== pod.metadata.uid));
    await until(async () => (await eventsFor(client, 'crash')).some((e) => e.message === `StatefulSet ${NS}/crash is recreating failed Pod crash-0`));
  });
});

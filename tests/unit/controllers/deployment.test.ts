// Deployment controller on the in-process stack with the readiness simulator: creation, rolling update
// bounds checked on every change, Recreate ordering, pause/resume, rollback, history limit, proportional
// scaling and the progress deadline on the injected clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { Deployment, ReplicaSet } from '../../../shared/api/workloads';
import type { KubeClient } from '../../../main/client/client';
import { deployment, eventsFor, NS, podsOf, setsOf, startStack, stopAll, stops, until } from './deployment-support';

afterEach(stopAll);

const merge = 'application/merge-patch+json';
const getDeploy = (client: KubeClient, name: string): Promise<Deployment> => client.deployments<Deployment>().get(NS, name);
const condition = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);
const image = (rs: ReplicaSet): string | undefined => rs.spec?.template?.spec?.containers[0].image;

/** Resolves once the Deployment is fully rolled out (what `kubectl rollout status` waits for). */
function rolledOut(client: KubeClient, name: string, ms = 10_000): Promise<Deployment> {
  return until(async () => {
    const d = await getDeploy(client, name);
    const s = d.status ?? {};
    const n = d.spec?.replicas ?? 0;
    const done = (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.updatedReplicas === n && s.replicas === n && s.availableReplicas === n;
    return done && condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? d : undefined;
  }, ms, `rollout of ${name}`);
}

async function setImage(client: KubeClient, name: string, img: string): Promise<void> {
  await client.deployments().patch(NS, name, 'application/strategic-merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'web', image: img }] } } } });
}

describe('deployment controller', () => {
  it('creates a hashed ReplicaSet at revision 1 and reports a complete rollout', async () => {
    const { client } = await startStack();
    await client.deployments().create(NS, deployment('web', 3));
    const d = await rolledOut(client, 'web');
    const [rs] = await setsOf(client, 'web');
    const hash = rs.metadata.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec?.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.` });
    const pods = await podsOf(client, 'app=web');
    expect(pods.every((p) => p.metadata.labels?.['pod-template-hash'] === hash)).toBe(true);
    const scaled = await until(async () => (await eventsFor(client, 'web')).find((e) => e.reason === 'ScalingReplicaSet'));
    expect(scaled.message).toBe(`Scaled up replica set ${rs.metadata.name} from 0 to 3`);
  });

  it('keeps maxSurge and maxUnavailable at every step of a rolling update', async () => {
    const { client, sim } = await startStack({ ready: false });
    const desired = 10;
    await client.deployments().create(NS, deployment('roll', desired, 'bosun-test/web:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: '25%' } } }));
    // Pods become ready a little later, as real ones do, so the controller has to wait for availability.
    const ready = new Set<string>();
    const alive = new Set<string>();
    const watch = client.pods<Pod>().watch(NS, {}, {
      onEvent: (e) => {
        const name = e.object.metadata.name!;
        if (e.type === 'DELETED' || e.object.metadata.deletionTimestamp) {
          alive.delete(name);
          ready.delete(name);
        } else {
          alive.add(name);
          if (e.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready.add(name);
          else if (e.type === 'ADDED') setTimeout(() => void sim.markReady(name).catch(() => undefined), 15);
        }
      },
    });
    stops.push(() => watch.stop());
    await rolledOut(client, 'roll');

    const violations: string[] = [];
    let steps = 0;
    const check = (): void => {
      if (alive.size > desired + 2) violations.push(`${alive.size} pods exist (max ${desired + 2})`);
      if (ready.size < desired - 2) violations.push(`${ready.size} pods ready (min ${desired - 2})`);
    };
    const rsWatch = client.replicaSets<ReplicaSet>().watch(NS, {}, { onEvent: () => { steps++; check(); } });
    const podCheck = client.pods<Pod>().watch(NS, {}, { onEvent: check });
    stops.push(() => rsWatch.stop(), () => podCheck.stop());

    await setImage(client, 'roll', 'bosun-test/web:2');
    const d = await rolledOut(client, 'roll');
    expect(violations).toEqual([]);
    expect(steps).toBeGreaterThan(4);
    const sets = await setsOf(client, 'roll');
    const byImage = Object.fromEntries(sets.map((rs) => [image(rs), rs]));
    expect(byImage['bosun-test/web:2'].spec?.replicas).toBe(10);
    expect(byImage['bosun-test/web:1'].spec?.replicas).toBe(0);
    expect(byImage['bosun-test/web:2'].metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    const scaledDown = new RegExp(`^(\\(combined from similar events\\): )?Scaled down replica set ${byImage['bosun-test/web:1'].metadata.name} from \\d+ to 0$`);
    await until(async () => (await eventsFor(client, 'roll')).some((e) => scaledDown.test(e.message ?? '')), 5000, String(scaledDown));
  });

  it('Recreate removes every old pod before the first new one exists', async () => {
    const { client } = await startStack();
    await client.deployments().create(NS, deployment('batch', 3, 'bosun-test/web:1', { strategy: { type: 'Recreate' } }));
    await rolledOut(client, 'batch');
    const order: string[] = [];
    const watch = client.pods<Pod>().watch(NS, { resourceVersion: (await client.pods().list(NS)).metadata.resourceVersion }, {
      onEvent: (e) => order.push(`${e.type === 'DELETED' ? 'gone' : e.type === 'ADDED' ? 'new' : 'mod'}:${e.object.spec?.containers[0].image}`),
    });
    stops.push(() => watch.stop());
    await setImage(client, 'batch', 'bosun-test/web:2');
    await rolledOut(client, 'batch');
    const firstNew = order.indexOf('new:bosun-test/web:2');
    const lastGone = order.lastIndexOf('gone:bosun-test/web:1');
    expect(order.filter((o) => o === 'gone:bosun-test/web:1')).toHaveLength(3);
    expect(firstNew).toBeGreaterThan(lastGone);
  });

  it('does not roll out while paused but still scales, and resumes', async () => {
    const { client } = await startStack();
    await client.deployments().create(NS, deployment('web', 2));
    await rolledOut(client, 'web');
    await client.deployments().patch(NS, 'web', merge, { spec: { paused: true } });
    const paused = await until(async () => {
      const d = await getDeploy(client, 'web');
      return condition(d, 'Progressing')?.reason === 'DeploymentPaused' ? d : undefined;
    });
    expect(condition(paused, 'Progressing')).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });
    await setImage(client, 'web', 'bosun-test/web:2');
    await client.deployments().patch(NS, 'web', merge, { spec: { replicas: 4 } });
    await until(async () => (await podsOf(client, 'app=web')).length === 4);
    const sets = await setsOf(client, 'web');
    expect(sets).toHaveLength(1);
    expect(image(sets[0])).toBe('bosun-test/web:1');
    expect(sets[0].spec?.replicas).toBe(4);

    await client.deployments().patch(NS, 'web', merge, { spec: { paused: false } });
    const d = await rolledOut(client, 'web');
    expect(d.status?.updatedReplicas).toBe(4);
    const pods = await podsOf(client, 'app=web');
    expect(pods.map((p) => p.spec?.containers[0].image)).toEqual(Array(4).fill('bosun-test/web:2'));
  });

  it('rolls back to an earlier template by reusing its ReplicaSet under a new revision', async () => {
    const { client } = await startStack();
    await client.deployments().create(NS, deployment('web', 2));
    await rolledOut(client, 'web');
    await setImage(client, 'web', 'bosun-test/web:2');
    await rolledOut(client, 'web');
    const first = (await setsOf(client, 'web')).find((rs) => image(rs) === 'bosun-test/web:1')!;
    // What `kubectl rollout undo` sends: the old set's template without its pod-template-hash label.
    const template = structuredClone(first.spec!.template!);
    delete template.metadata!.labels!['pod-template-hash'];
    await client.deployments().patch(NS, 'web', 'application/json-patch+json', [{ op: 'replace', path: '/spec/template', value: template }]);
    const d = await rolledOut(client, 'web');
    const sets = await setsOf(client, 'web');
    expect(sets).toHaveLength(2);
    const reused = sets.find((rs) => rs.metadata.uid === first.metadata.uid)!;
    expect(reused.spec?.replicas).toBe(2);
    expect(reused.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('keeps at most revisionHistoryLimit drained old ReplicaSets, deleting the oldest', async () => {
    const { client } = await startStack();
    await client.deployments().create(NS, deployment('web', 1, 'bosun-test/web:1', { revisionHistoryLimit: 1 }));
    for (const v of [2, 3, 4]) {
      await setImage(client, 'web', `bosun-test/web:${v}`);
      await rolledOut(client, 'web');
    }
    const sets = await until(async () => {
      const s = await setsOf(client, 'web');
      return s.length === 2 ? s : undefined;
    });
    expect(sets.map(image).sort()).toEqual(['bosun-test/web:3', 'bosun-test/web:4']);
  });

  it('scales proportionally across old and new ReplicaSets in the middle of a stalled rollout', async () => {
    const { client, sim } = await startStack();
    sim.broken.add('bosun-test/broken:1');
    await client.deployments().create(NS, deployment('web', 10, 'bosun-test/web:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await rolledOut(client, 'web');
    await setImage(client, 'web', 'bosun-test/broken:1');
    const sizes = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await setsOf(client, 'web')).map((rs) => [image(rs)!, rs.spec?.replicas ?? 0]));
    await until(async () => {
      const s = await sizes();
      return s['bosun-test/web:1'] === 8 && s['bosun-test/broken:1'] === 5;
    });
    await client.deployments().patch(NS, 'web', merge, { spec: { replicas: 15 } });
    // 18 allowed (15 + surge 3); +5 split by size: 8·18/13 → 11 and 5·18/13 → 7.
    const after = await until(async () => {
      const s = await sizes();
      return s['bosun-test/web:1'] + s['bosun-test/broken:1'] === 18 ? s : undefined;
    });
    expect(after).toEqual({ 'bosun-test/web:1': 11, 'bosun-test/broken:1': 7 });
  });

  it('marks a stalled rollout ProgressDeadlineExceeded once the deadline passes on the clock', async () => {
    const { client, sim, clock } = await startStack();
    sim.broken.add('bosun-test/broken:1');
    await client.deployments().create(NS, deployment('web', 2, 'bosun-test/web:1', { progressDeadlineSeconds: 60 }));
    await rolledOut(client, 'web');
    await setImage(client, 'web', 'bosun-test/broken:1');
    await until(async () => condition(await getDeploy(client, 'web'), 'Progressing')?.reason === 'ReplicaSetUpdated');
    clock.step(30_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(condition(await getDeploy(client, 'web'), 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    clock.step(32_000);
    const d = await until(async () => {
      const dep = await getDeploy(client, 'web');
      return condition(dep, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? dep : undefined;
    });
    const newRS = (await setsOf(client, 'web')).find((rs) => image(rs) === 'bosun-test/broken:1')!;
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'False', message: `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` });
    expect(condition(d, 'Available')?.status).toBe('True');
  });
});

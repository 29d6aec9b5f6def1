// DaemonSet controller on the in-process stack (no scheduler: daemon pods are matched to nodes by the
// metadata.name node affinity the controller pins them with).
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Taint } from '../../../shared/api/node';
import type { Pod } from '../../../shared/api/pod';
import type { DaemonSet } from '../../../shared/api/workloads';
import type { KubeClient } from '../../../main/client/client';
import { nodeOfDaemonPod } from '../../../main/controllers/daemonset-util';
import { eventsFor, NS, podsOf, sleep, startStack, stopAll, until } from './deployment-support';

afterEach(stopAll);

function ds(name: string, extra: Partial<NonNullable<DaemonSet['spec']>> = {}, podSpec: Partial<NonNullable<Pod['spec']>> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'bosun-test/agent:1' }], ...podSpec } },
      ...extra,
    },
  };
}

async function addNode(client: KubeClient, name: string, labels: Record<string, string> = {}, taints: Taint[] = [], unschedulable = false): Promise<void> {
  await client.nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints, unschedulable } } as Node);
}

const live = async (client: KubeClient, app: string): Promise<Pod[]> => (await podsOf(client, `app=${app}`)).filter((p) => p.status?.phase !== 'Failed');
const nodesOf = (pods: Pod[]): string[] => pods.map((p) => nodeOfDaemonPod(p)!).sort();
const getDs = (client: KubeClient, name: string): Promise<DaemonSet> => client.daemonSets<DaemonSet>().get(NS, name);

describe('daemonset controller', () => {
  it('one pod per node, pinned by metadata.name affinity with the daemon tolerations; follows nodes added and removed', async () => {
    const { client } = await startStack({ ready: true });
    for (const n of ['node-1', 'node-2', 'node-3']) await addNode(client, n);
    await client.daemonSets().create(NS, ds('agent'));
    await until(async () => nodesOf(await live(client, 'agent')).join() === 'node-1,node-2,node-3');
    const pod = (await live(client, 'agent'))[0];
    expect(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeOfDaemonPod(pod)] }] },
    ]);
    const keys = (pod.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
    expect(keys).toEqual(expect.arrayContaining([
      'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
    ]));
    expect(pod.metadata.labels?.['controller-revision-hash']).toMatch(/^[a-z0-9]+$/);
    const status = await until(async () => { const d = await getDs(client, 'agent'); return d.status?.numberReady === 3 ? d.status : undefined; });
    expect(status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberMisscheduled: 0 });

    await addNode(client, 'node-4');
    await until(async () => nodesOf(await live(client, 'agent')).join() === 'node-1,node-2,node-3,node-4');
    await client.nodes().delete(undefined, 'node-2');
    await until(async () => nodesOf(await live(client, 'agent')).join() === 'node-1,node-3,node-4');
    await until(async () => (await getDs(client, 'agent')).status?.desiredNumberScheduled === 3);

    // A deleted daemon pod is replaced on the same node.
    const victim = (await live(client, 'agent')).find((p) => nodeOfDaemonPod(p) === 'node-3')!;
    await client.pods().delete(NS, victim.metadata.name!);
    await until(async () => (await live(client, 'agent')).some((p) => nodeOfDaemonPod(p) === 'node-3' && p.metadata.uid !== victim.metadata.uid));
    await until(async () => (await eventsFor(client, 'agent')).some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: agent-/.test(e.message ?? '')));
  });

  it('nodeSelector and relabelling: pods come and go with the label', async () => {
    const { client } = await startStack({ ready: true });
    await addNode(client, 'a', { disk: 'ssd' });
    await addNode(client, 'b');
    await client.daemonSets().create(NS, ds('ssd', {}, { nodeSelector: { disk: 'ssd' } }));
    await until(async () => nodesOf(await live(client, 'ssd')).join() === 'a');
    await client.nodes().patch(undefined, 'b', 'application/merge-patch+json', { metadata: { labels: { disk: 'ssd' } } });
    await until(async () => nodesOf(await live(client, 'ssd')).join() === 'a,b');
    await client.nodes().patch(undefined, 'a', 'application/merge-patch+json', { metadata: { labels: { disk: null } } });
    await until(async () => nodesOf(await live(client, 'ssd')).join() === 'b');
    await until(async () => (await getDs(client, 'ssd')).status?.desiredNumberScheduled === 1);
  });

  it('taints: untolerated NoSchedule keeps a node out, cordoned nodes still run daemons, NoExecute evicts', async () => {
    const { client } = await startStack({ ready: true });
    await addNode(client, 'plain');
    await addNode(client, 'gpu', {}, [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }]);
    await addNode(client, 'cordoned', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }], true);
    await client.daemonSets().create(NS, ds('plain'));
    await client.daemonSets().create(NS, ds('tolerant', {}, { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] }));
    await until(async () => nodesOf(await live(client, 'plain')).join() === 'cordoned,plain');
    await until(async () => nodesOf(await live(client, 'tolerant')).join() === 'cordoned,gpu,plain');
    await client.nodes().patch(undefined, 'plain', 'application/merge-patch+json', { spec: { taints: [{ key: 'drain', effect: 'NoExecute' }] } });
    await until(async () => nodesOf(await live(client, 'plain')).join() === 'cordoned');
  });

  it('RollingUpdate replaces at most maxUnavailable pods at a time, waiting for the new ones to be ready', async () => {
    const { client, sim } = await startStack({ ready: true });
    for (const n of ['n1', 'n2', 'n3']) await addNode(client, n);
    await client.daemonSets().create(NS, ds('roll', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } }));
    await until(async () => (await getDs(client, 'roll')).status?.numberAvailable === 3);
    sim.auto = false;
    await client.daemonSets().patch(NS, 'roll', 'application/merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'bosun-test/agent:2' }] } } } });
    for (let step = 1; step <= 3; step++) {
      const fresh = await until(async () => {
        const pods = await live(client, 'roll');
        const updated = pods.filter((p) => p.spec?.containers[0].image === 'bosun-test/agent:2');
        return updated.length === step ? updated : undefined;
      });
      await sleep(150);
      const pods = await live(client, 'roll');
      // Never more than one node without an available pod: the new one is not ready yet, so nothing else moves.
      expect(pods.filter((p) => p.spec?.containers[0].image === 'bosun-test/agent:2')).toHaveLength(step);
      expect(pods).toHaveLength(3);
      const notReady = fresh.find((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))!;
      await sim.markReady(notReady.metadata.name!);
    }
    await until(async () => { const s = (await getDs(client, 'roll')).status; return s?.updatedNumberScheduled === 3 && s.numberAvailable === 3; });
  });

  it('RollingUpdate with maxSurge starts the updated pod beside the old one and removes the old one once it is available', async () => {
    const { client, sim } = await startStack({ ready: true });
    for (const n of ['n1', 'n2']) await addNode(client, n);
    await client.daemonSets().create(NS, ds('surge', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await until(async () => (await getDs(client, 'surge')).status?.numberAvailable === 2);
    sim.auto = false;
    await client.daemonSets().patch(NS, 'surge', 'application/merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'bosun-test/agent:2' }] } } } });
    for (let step = 1; step <= 2; step++) {
      const fresh = await until(async () => {
        const updated = (await live(client, 'surge')).filter((p) => p.spec?.containers[0].image === 'bosun-test/agent:2' && !p.status?.conditions);
        return updated.length === 1 ? updated[0] : undefined;
      });
      await sleep(150);
      // Surge: the old pod on that node still runs next to the new one, and every node keeps an available pod.
      const pods = await live(client, 'surge');
      expect(pods).toHaveLength(3);
      expect(pods.filter((p) => nodeOfDaemonPod(p) === nodeOfDaemonPod(fresh))).toHaveLength(2);
      await sim.markReady(fresh.metadata.name!);
      await until(async () => (await live(client, 'surge')).filter((p) => nodeOfDaemonPod(p) === nodeOfDaemonPod(fresh)).length === 1);
    }
    const pods = await live(client, 'surge');
    expect(pods.map((p) => p.spec?.containers[0].image)).toEqual(['bosun-test/agent:2', 'bosun-test/agent:2']);
    await until(async () => { const s = (await getDs(client, 'surge')).status; return s?.updatedNumberScheduled === 2 && s.numberAvailable === 2; });
  });

  it('a failed daemon pod is replaced with a FailedDaemonPod warning', async () => {
    const { client } = await startStack({ ready: true });
    await addNode(client, 'solo');
    await client.daemonSets().create(NS, ds('fails'));
    const pod = await until(async () => (await live(client, 'fails')).find((p) => p.status?.phase === 'Running'));
    const fresh = await client.pods<Pod>().get(NS, pod.metadata.name!);
    await client.pods<Pod>().updateStatus(NS, { ...fresh, status: { ...fresh.status, phase: 'Failed' } });
    await until(async () => (await live(client, 'fails')).some((p) => p.metadata.uid !== pod.metadata.uid));
    await until(async () => (await eventsFor(client, 'fails')).some((e) => e.message === `Found failed daemon pod ${NS}/${pod.metadata.name} on node solo, will try to kill it`));
  });
});

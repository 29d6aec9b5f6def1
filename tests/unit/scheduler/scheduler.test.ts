// The scheduler against the real in-process apiserver: binding, unschedulable explanations,
// retries on cluster change, and the placement rules users rely on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import { DECISION_ANNOTATION, type Decision } from '../../../main/scheduler';
import { makePod, stack } from './harness';

type Ctx = Awaited<ReturnType<typeof stack>>;
let ctx: Ctx | undefined;
afterEach(async () => {
  await ctx?.stop();
  ctx = undefined;
});

const decisionOf = (pod: Pod): Decision => JSON.parse(pod.metadata.annotations?.[DECISION_ANNOTATION] ?? 'null') as Decision;
const CONTROL_PLANE_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' as const };

describe('scheduler on the real apiserver', () => {
  it('binds a pod, records Scheduled and explains the choice in the annotation', async () => {
    ctx = await stack();
    await ctx.addNode('node-1');
    await ctx.addNode('node-2', { cpu: '1' });
    ctx.start();
    await ctx.addPod(makePod('web', { cpu: '500m', memory: '256Mi' }));
    const node = await ctx.boundNode('web');
    // node-1 has four times the cpu, so LeastAllocated and BalancedAllocation both prefer it.
    expect(node).toBe('node-1');
    const pod = await ctx.get('web');
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    const d = decisionOf(pod);
    expect(d).toMatchObject({ result: 'Scheduled', node: 'node-1', evaluated: 2, feasible: 2 });
    expect(d.nodes['node-1'].filter).toBe('passed');
    expect(d.nodes['node-1'].scores?.NodeResourcesFit).toBeGreaterThan(d.nodes['node-2'].scores!.NodeResourcesFit!);
    expect(d.nodes['node-1'].total).toBeGreaterThan(d.nodes['node-2'].total!);
    await vi.waitFor(async () => {
      const events = await ctx!.events('web');
      const scheduled = events.find((e) => e.reason === 'Scheduled');
      expect(scheduled).toMatchObject({ type: 'Normal', message: 'Successfully assigned default/web to node-1', reportingComponent: 'default-scheduler' });
    });
  });

  it('explains an unschedulable pod exactly like kube-scheduler and retries when a node is added', async () => {
    ctx = await stack();
    await ctx.addNode('node-1', { cpu: '1' });
    await ctx.addNode('node-2', { cpu: '1' });
    await ctx.addNode('control-plane', { cpu: '8', taints: [CONTROL_PLANE_TAINT] });
    ctx.start();
    await ctx.addPod(makePod('big', { cpu: '2' }));
    const expected =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    expect(await ctx.unschedulableMessage('big')).toBe(expected);
    const pod = await ctx.get('big');
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message: expected });
    await vi.waitFor(async () => {
      const failed = (await ctx!.events('big')).find((e) => e.reason === 'FailedScheduling');
      expect(failed).toMatchObject({ type: 'Warning', message: expected, source: { component: 'default-scheduler' } });
    });
    const d = decisionOf(pod);
    expect(d).toMatchObject({ result: 'Unschedulable', feasible: 0, evaluated: 3, message: expected });
    expect(d.nodes['node-1'].filter).toBe('Insufficient cpu');
    expect(d.nodes['control-plane'].filter).toBe('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');

    await ctx.addNode('node-3', { cpu: '4' });
    expect(await ctx.boundNode('big')).toBe('node-3');
  });

  it('says "no nodes available" with no nodes, then schedules when the first node registers', async () => {
    ctx = await stack();
    ctx.start();
    await ctx.addPod(makePod('early'));
    expect(await ctx.unschedulableMessage('early')).toBe('no nodes available to schedule pods');
    await ctx.addNode('node-1');
    expect(await ctx.boundNode('early')).toBe('node-1');
  });

  it('honours nodeSelector and retries when a node gains the label', async () => {
    ctx = await stack();
    await ctx.addNode('node-1');
    await ctx.addNode('node-2');
    ctx.start();
    await ctx.addPod(makePod('ssd', { spec: { nodeSelector: { disk: 'ssd' } } }));
    expect(await ctx.unschedulableMessage('ssd')).toBe(
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    await ctx.nodes.patch(undefined, 'node-2', 'application/merge-patch+json', { metadata: { labels: { disk: 'ssd' } } });
    expect(await ctx.boundNode('ssd')).toBe('node-2');
  });

  it('honours required node affinity and prefers the node of the preferred term', async () => {
    ctx = await stack();
    await ctx.addNode('node-1', { labels: { zone: 'a', tier: 'gold' } });
    await ctx.addNode('node-2', { labels: { zone: 'b' } });
    await ctx.addNode('node-3', { labels: { zone: 'b', tier: 'gold' } });
    ctx.start();
    await ctx.addPod(
      makePod('aff', {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }] },
              preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }],
            },
          },
        },
      }),
    );
    expect(await ctx.boundNode('aff')).toBe('node-3');
    const d = decisionOf(await ctx.get('aff'));
    expect(d.nodes['node-1'].filter).toBe("node(s) didn't match Pod's node affinity/selector");
    expect(d.nodes['node-3'].scores?.NodeAffinity).toBe(100);
    expect(d.nodes['node-2'].scores?.NodeAffinity).toBe(0);
  });

  it('keeps pods off NoSchedule taints unless tolerated, and avoids PreferNoSchedule nodes', async () => {
    ctx = await stack();
    await ctx.addNode('tainted', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await ctx.addNode('soft', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] });
    await ctx.addNode('plain', { cpu: '2' });
    ctx.start();
    // soft has more free cpu, yet the PreferNoSchedule taint (weight 3) outweighs it.
    for (let i = 0; i < 3; i++) await ctx.addPod(makePod(`p${i}`, { cpu: '100m' }));
    for (let i = 0; i < 3; i++) expect(await ctx.boundNode(`p${i}`)).toBe('plain');
    const d = decisionOf(await ctx.get('p0'));
    expect(d.nodes.tainted.filter).toBe('node(s) had untolerated taint {dedicated: gpu}');
    expect(d.nodes.soft.scores?.TaintToleration).toBe(0);
    expect(d.nodes.plain.scores?.TaintToleration).toBe(100);

    await ctx.addPod(
      makePod('gpu', {
        spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], nodeSelector: { 'kubernetes.io/hostname': 'tainted' } },
      }),
    );
    expect(await ctx.boundNode('gpu')).toBe('tainted');
  });

  it('filters cordoned (spec.unschedulable) nodes', async () => {
    ctx = await stack();
    await ctx.addNode('cordoned', { unschedulable: true });
    ctx.start();
    await ctx.addPod(makePod('p'));
    expect(await ctx.unschedulableMessage('p')).toBe(
      '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    await ctx.nodes.patch(undefined, 'cordoned', 'application/merge-patch+json', { spec: { unschedulable: null } });
    expect(await ctx.boundNode('p')).toBe('cordoned');
  });

  it('places pods with required anti-affinity on kubernetes.io/hostname on distinct nodes', async () => {
    ctx = await stack();
    for (const n of ['node-1', 'node-2', 'node-3']) await ctx.addNode(n);
    ctx.start();
    const anti = {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] },
    };
    for (let i = 0; i < 4; i++) await ctx.addPod(makePod(`db-${i}`, { labels: { app: 'db' }, spec: { affinity: anti } }));
    const nodes = await Promise.all([0, 1, 2].map((i) => ctx!.boundNode(`db-${i}`)));
    expect(new Set(nodes).size).toBe(3);
    const message = await ctx.unschedulableMessage('db-3');
    // The existing replicas' own anti-affinity is what the fourth one hits first.
    expect(message).toBe(
      "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
    await ctx.pods.delete('default', 'db-0', { gracePeriodSeconds: 0 });
    expect(await ctx.boundNode('db-3')).toBe(nodes[0]);
  });

  it('honours required pod affinity (first pod of the group may go anywhere)', async () => {
    ctx = await stack();
    for (const n of ['node-1', 'node-2', 'node-3']) await ctx.addNode(n);
    ctx.start();
    await ctx.addPod(makePod('cache', { labels: { app: 'cache' } }));
    const cacheNode = await ctx.boundNode('cache');
    const near = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    for (let i = 0; i < 3; i++) await ctx.addPod(makePod(`web-${i}`, { spec: { affinity: near } }));
    for (let i = 0; i < 3; i++) expect(await ctx.boundNode(`web-${i}`)).toBe(cacheNode);
    await ctx.addPod(makePod('lonely', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'none' } }, topologyKey: 'kubernetes.io/hostname' }] } } } }));
    expect(await ctx.unschedulableMessage('lonely')).toContain("3 node(s) didn't match pod affinity rules.");
  });

  it('does not put two pods with the same hostPort on one node', async () => {
    ctx = await stack();
    await ctx.addNode('node-1');
    await ctx.addNode('node-2');
    ctx.start();
    const withPort = (name: string) => {
      const pod = makePod(name);
      pod.spec!.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }];
      return pod;
    };
    for (const n of ['a', 'b', 'c']) await ctx.addPod(withPort(n));
    const [a, b] = [await ctx.boundNode('a'), await ctx.boundNode('b')];
    expect(a).not.toBe(b);
    expect(await ctx.unschedulableMessage('c')).toBe(
      "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
  });

  it('spreads a 3-replica ReplicaSet over 3 nodes', async () => {
    ctx = await stack({ random: () => 0.99 });
    for (const n of ['node-1', 'node-2', 'node-3']) await ctx.addNode(n);
    // Unequal load elsewhere: without spreading, LeastAllocated alone would stack replicas on node-3.
    ctx.start();
    await ctx.addPod(makePod('other-1', { cpu: '1', spec: { nodeName: 'node-1' } }));
    await ctx.addPod(makePod('other-2', { cpu: '1', spec: { nodeName: 'node-2' } }));
    for (let i = 0; i < 3; i++) {
      await ctx.addPod(makePod(`rs-${i}`, { labels: { app: 'web' }, owner: 'rs-uid-1' }));
      await ctx.boundNode(`rs-${i}`);
    }
    const nodes = await Promise.all([0, 1, 2].map((i) => ctx!.boundNode(`rs-${i}`)));
    expect(new Set(nodes)).toEqual(new Set(['node-1', 'node-2', 'node-3']));
    const d = decisionOf(await ctx.get('rs-2'));
    expect(d.nodes[d.node!].scores?.PodTopologySpread).toBe(100);
  });

  it('assumes pods while bindings are in flight, so a burst never overcommits a node', async () => {
    ctx = await stack();
    await ctx.addNode('node-1', { cpu: '1' });
    await ctx.addNode('node-2', { cpu: '1' });
    // All 10 pods exist before the scheduler starts, so they are decided back to back.
    for (let i = 0; i < 10; i++) await ctx.addPod(makePod(`burst-${i}`, { cpu: '300m' }));
    ctx.start();
    const perNode = new Map<string, number>();
    let pending = 0;
    await vi.waitFor(
      async () => {
        const pods = (await ctx!.pods.list('default')).items;
        perNode.clear();
        pending = 0;
        for (const p of pods) {
          if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
          else if (p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')) pending++;
        }
        expect(pending).toBe(4);
      },
      { timeout: 10_000 },
    );
    expect(perNode).toEqual(new Map([['node-1', 3], ['node-2', 3]]));
  });

  it('leaves pods of other schedulers, gated pods and pre-bound pods alone', async () => {
    ctx = await stack();
    await ctx.addNode('node-1');
    ctx.start();
    await ctx.addPod(makePod('other', { spec: { schedulerName: 'my-scheduler' } }));
    await ctx.addPod(makePod('gated', { spec: { schedulingGates: [{ name: 'example.com/wait' }] } }));
    await ctx.addPod(makePod('mine'));
    await ctx.boundNode('mine');
    await new Promise((r) => setTimeout(r, 100));
    for (const name of ['other', 'gated']) {
      const pod = await ctx.get(name);
      expect(pod.spec?.nodeName).toBeUndefined();
      expect(pod.metadata.annotations?.[DECISION_ANNOTATION]).toBeUndefined();
    }
  });

  it('writes the unschedulable condition and decision only when they change', async () => {
    ctx = await stack();
    await ctx.addNode('node-1', { cpu: '1' });
    const { scheduler } = ctx.start();
    await ctx.addPod(makePod('big', { cpu: '2' }));
    await ctx.unschedulableMessage('big');
    await vi.waitFor(async () => expect((await ctx!.get('big')).metadata.annotations?.[DECISION_ANNOTATION]).toBeTruthy());
    const rv = (await ctx.get('big')).metadata.resourceVersion;
    const before = scheduler.attempts;
    // Node changes that matter wake the pod up; each retry reaches the same verdict.
    for (let i = 0; i < 3; i++) {
      await ctx.nodes.patch(undefined, 'node-1', 'application/merge-patch+json', { metadata: { labels: { round: String(i) } } });
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(scheduler.attempts).toBeGreaterThanOrEqual(before + 3);
    expect((await ctx.get('big')).metadata.resourceVersion).toBe(rv);
    const failed = (await ctx.events('big')).filter((e) => e.reason === 'FailedScheduling');
    // One Event object, its count raised by the correlator.
    expect(failed).toHaveLength(1);
    expect(failed[0].count).toBeGreaterThan(1);
  });
});

// Filters, scores and resource arithmetic on hand-built NodeInfos: each plugin's verdict and the
// exact reason strings kube-scheduler prints.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import { NodeInfo } from '../../../main/scheduler/cache';
import {
  ERR_NODE_AFFINITY, ERR_PORTS, ERR_UNSCHEDULABLE, nodeAffinity, nodePorts, nodeResourcesFit, nodeUnschedulable, preFilter, runFilters, taintToleration,
} from '../../../main/scheduler/filters';
import { buildPodInfo } from '../../../main/scheduler/pod-info';
import { podRequests } from '../../../main/scheduler/resources';
import { balancedAllocationScore, defaultNormalize, leastAllocatedScore, scoreNodes } from '../../../main/scheduler/scores';
import { makeNode, makePod, type NodeShape } from './harness';

const nodeInfo = (name: string, shape: NodeShape = {}, pods: Pod[] = []): NodeInfo => {
  const info = new NodeInfo(makeNode(name, shape));
  for (const p of pods) info.addPod(buildPodInfo(p));
  return info;
};
const info = (pod: Pod) => buildPodInfo(pod);
const reasons = (f: { reasons: string[] } | undefined) => f?.reasons;

describe('resources', () => {
  it('takes the larger of the app containers and each init step, sidecars included, plus overhead', () => {
    const pod = makePod('p', { cpu: '200m', memory: '100Mi' });
    pod.spec!.containers.push({ name: 'b', resources: { requests: { cpu: '300m' } } });
    pod.spec!.initContainers = [
      { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '50Mi' } } },
      { name: 'migrate', resources: { requests: { cpu: '1', memory: '10Mi' } } },
    ];
    (pod.spec as unknown as Record<string, unknown>).overhead = { cpu: '10m' };
    const r = podRequests(pod);
    // init step "migrate" runs next to the sidecar: 1000m + 100m > 200m + 300m + 100m.
    expect(r.cpu).toBe(1110);
    // app containers + sidecar: 100Mi + 50Mi > 10Mi + 50Mi.
    expect(r.memory).toBe(150 * 1024 * 1024);
  });

  it('applies the non-zero defaults only for scoring', () => {
    const pod = makePod('p');
    expect(podRequests(pod).cpu).toBe(0);
    expect(podRequests(pod, true)).toMatchObject({ cpu: 100, memory: 200 * 1024 * 1024 });
  });
});

describe('filters', () => {
  it('NodeResourcesFit reports every resource short, and Too many pods', () => {
    const full = nodeInfo('n', { cpu: '1', memory: '1Gi', pods: '1' }, [makePod('a', { cpu: '800m', memory: '900Mi' })]);
    expect(reasons(nodeResourcesFit(info(makePod('p', { cpu: '500m', memory: '500Mi' })), full))).toEqual(['Too many pods', 'Insufficient cpu', 'Insufficient memory']);
    const roomy = nodeInfo('n', { cpu: '1', memory: '1Gi' }, [makePod('a', { cpu: '500m' })]);
    expect(nodeResourcesFit(info(makePod('p', { cpu: '500m' })), roomy)).toBeUndefined();
    expect(reasons(nodeResourcesFit(info(makePod('p', { cpu: '501m' })), roomy))).toEqual(['Insufficient cpu']);
    const gpu = makePod('g');
    gpu.spec!.containers[0].resources = { requests: { 'nvidia.com/gpu': '1' } };
    expect(reasons(nodeResourcesFit(info(gpu), roomy))).toEqual(['Insufficient nvidia.com/gpu']);
  });

  it('TaintToleration: NoSchedule and NoExecute block, PreferNoSchedule does not; tolerations by key, value, operator', () => {
    const node = nodeInfo('n', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }] });
    expect(reasons(taintToleration(info(makePod('p')), node))).toEqual(['node(s) had untolerated taint {k: v}']);
    const tol = (t: object) => info(makePod('p', { spec: { tolerations: [t] } }));
    expect(taintToleration(tol({ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }), node)).toBeUndefined();
    expect(taintToleration(tol({ key: 'k', operator: 'Exists' }), node)).toBeUndefined();
    expect(taintToleration(tol({ operator: 'Exists' }), node)).toBeUndefined();
    expect(taintToleration(tol({ key: 'k', operator: 'Equal', value: 'other' }), node)).toBeDefined();
    expect(taintToleration(tol({ key: 'k', operator: 'Exists', effect: 'NoExecute' }), node)).toBeDefined();
    const notReady = nodeInfo('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] });
    expect(reasons(taintToleration(info(makePod('p')), notReady))).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  });

  it('NodeUnschedulable unless the pod tolerates node.kubernetes.io/unschedulable', () => {
    const node = nodeInfo('n', { unschedulable: true });
    expect(reasons(nodeUnschedulable(info(makePod('p')), node))).toEqual([ERR_UNSCHEDULABLE]);
    const ds = makePod('ds', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    expect(nodeUnschedulable(info(ds), node)).toBeUndefined();
  });

  it('NodeAffinity: nodeSelector AND required terms (ORed), operators In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields', () => {
    const node = nodeInfo('n1', { labels: { disk: 'ssd', cores: '8' } });
    const withTerms = (terms: object[], nodeSelector?: Record<string, string>) =>
      info(makePod('p', { spec: { nodeSelector, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as never } } } } }));
    expect(nodeAffinity(info(makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } })), node)).toBeUndefined();
    expect(reasons(nodeAffinity(info(makePod('p', { spec: { nodeSelector: { disk: 'hdd' } } })), node))).toEqual([ERR_NODE_AFFINITY]);
    expect(nodeAffinity(withTerms([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }]), node)).toBeUndefined();
    expect(nodeAffinity(withTerms([{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }]), node)).toBeDefined();
    expect(nodeAffinity(withTerms([{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }]), node)).toBeUndefined();
    expect(nodeAffinity(withTerms([{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }]), node)).toBeDefined();
    // Terms are ORed: the second matches.
    expect(nodeAffinity(withTerms([{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]), node)).toBeUndefined();
    // nodeSelector must hold as well.
    expect(nodeAffinity(withTerms([{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }], { zone: 'a' }), node)).toBeDefined();
    // An empty term matches nothing.
    expect(nodeAffinity(withTerms([{}]), node)).toBeDefined();
  });

  it('NodePorts: same port and protocol collide unless both bind different specific IPs', () => {
    const port = (hostPort: number, protocol = 'TCP', hostIP?: string) => {
      const p = makePod(`p${hostPort}${protocol}${hostIP ?? ''}`);
      p.spec!.containers[0].ports = [{ containerPort: 80, hostPort, protocol: protocol as 'TCP', hostIP }];
      return p;
    };
    const node = nodeInfo('n', {}, [port(8080), port(9090, 'TCP', '127.0.0.1')]);
    expect(reasons(nodePorts(info(port(8080)), node))).toEqual([ERR_PORTS]);
    expect(nodePorts(info(port(8080, 'UDP')), node)).toBeUndefined();
    expect(nodePorts(info(port(8081)), node)).toBeUndefined();
    expect(nodePorts(info(port(9090, 'TCP', '127.0.0.2')), node)).toBeUndefined();
    expect(nodePorts(info(port(9090)), node)).toBeDefined();
  });

  it('PodTopologySpread DoNotSchedule: maxSkew and missing topology label', () => {
    const spread = { spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'w' } } }] } };
    const w = (n: string) => makePod(n, { labels: { app: 'w' } });
    const a = nodeInfo('a', { labels: { zone: 'a' } }, [w('w1'), w('w2')]);
    const b = nodeInfo('b', { labels: { zone: 'b' } }, [w('w3')]);
    const c = nodeInfo('c');
    const pod = info(makePod('new', { labels: { app: 'w' }, ...spread }));
    const state = preFilter(pod, [a, b, c]);
    expect(reasons(runFilters(state, a))).toEqual(["node(s) didn't match pod topology spread constraints"]);
    expect(runFilters(state, b)).toBeUndefined();
    expect(runFilters(state, c)).toMatchObject({ reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"], unresolvable: true });
  });

  it('InterPodAffinity: anti-affinity both ways, affinity by topology domain', () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }] } };
    const a = nodeInfo('a', { labels: { zone: 'z1' } }, [makePod('db-0', { labels: { app: 'db' }, spec: { affinity: anti } })]);
    const a2 = nodeInfo('a2', { labels: { zone: 'z1' } });
    const b = nodeInfo('b', { labels: { zone: 'z2' } });
    // The new pod has no rules itself, but the existing db pod refuses other db pods in its zone.
    const plain = info(makePod('db-1', { labels: { app: 'db' } }));
    let state = preFilter(plain, [a, a2, b]);
    expect(reasons(runFilters(state, a2))).toEqual(["node(s) didn't satisfy existing pods anti-affinity rules"]);
    expect(runFilters(state, b)).toBeUndefined();
    // Its own anti-affinity against a pod without rules.
    const web = nodeInfo('w', { labels: { zone: 'z3' } }, [makePod('web-0', { labels: { app: 'web' } })]);
    const noWeb = info(makePod('x', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }] } } } }));
    state = preFilter(noWeb, [web, b]);
    expect(reasons(runFilters(state, web))).toEqual(["node(s) didn't match pod anti-affinity rules"]);
    // Affinity: only the domain holding a matching pod; a node without the key is unresolvable.
    const nearWeb = info(makePod('y', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }] } } } }));
    const web2 = nodeInfo('w2', { labels: { zone: 'z3' } });
    const nolabel = nodeInfo('none');
    state = preFilter(nearWeb, [web, web2, b, nolabel]);
    expect(runFilters(state, web2)).toBeUndefined();
    expect(runFilters(state, b)).toMatchObject({ reasons: ["node(s) didn't match pod affinity rules"], unresolvable: true });
    expect(runFilters(state, nolabel)).toMatchObject({ reasons: ["node(s) didn't match pod affinity rules"] });
  });
});

describe('scores', () => {
  it('LeastAllocated and BalancedAllocation follow the framework formulas', () => {
    const node = nodeInfo('n', { cpu: '4', memory: '4Gi' }, [makePod('a', { cpu: '1', memory: '1Gi' })]);
    const pod = info(makePod('p', { cpu: '1', memory: '2Gi' }));
    // cpu (4000-2000)/4000 = 50, memory (4-3)/4 = 25 → 37.
    expect(leastAllocatedScore(pod, node)).toBe(37);
    // fractions 0.5 and 0.75 → std 0.125 → 87.
    expect(balancedAllocationScore(pod, node)).toBe(87);
  });

  it('DefaultNormalizeScore, plain and reversed', () => {
    const s = [0, 5, 10];
    defaultNormalize(s, false);
    expect(s).toEqual([0, 50, 100]);
    const r = [0, 1, 2];
    defaultNormalize(r, true);
    expect(r).toEqual([100, 50, 0]);
    const z = [0, 0];
    defaultNormalize(z, true);
    expect(z).toEqual([100, 100]);
  });

  it('weights plugins into totals; PreferNoSchedule and preferred node affinity move the choice', () => {
    const soft = nodeInfo('soft', { labels: { tier: 'gold' }, taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] });
    const plain = nodeInfo('plain');
    const pod = info(makePod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }] } }] } } } }));
    const { byPlugin, totals } = scoreNodes(pod, [soft, plain], [soft, plain], { spreadByControllerOnly: false });
    expect(byPlugin.TaintToleration).toEqual([0, 100]);
    expect(byPlugin.NodeAffinity).toEqual([100, 0]);
    // TaintToleration weighs 3, NodeAffinity 2: plain wins by 100.
    expect(totals[1] - totals[0]).toBe(100);
    expect(byPlugin.PodTopologySpread).toBeUndefined();
    // BestEffort: nothing to balance.
    expect(byPlugin.NodeResourcesBalancedAllocation).toBeUndefined();
  });

  it('default topology spread prefers nodes with fewer pods of the same controller', () => {
    const owned = (n: string) => makePod(n, { owner: 'rs-1' });
    const busy = nodeInfo('busy', {}, [owned('a'), owned('b')]);
    const one = nodeInfo('one', {}, [owned('c')]);
    const empty = nodeInfo('empty');
    const pod = info(owned('new'));
    const { byPlugin } = scoreNodes(pod, [busy, one, empty], [busy, one, empty], { spreadMatcher: (p) => p.controllerUid === 'rs-1', spreadByControllerOnly: true });
    const s = byPlugin.PodTopologySpread!;
    expect(s[2]).toBeGreaterThan(s[1]);
    expect(s[1]).toBeGreaterThan(s[0]);
    expect(s[2]).toBe(100);
  });

  it('preferred inter-pod affinity and anti-affinity', () => {
    const withCache = nodeInfo('a', {}, [makePod('cache', { labels: { app: 'cache' } })]);
    const other = nodeInfo('b');
    const near = info(makePod('p', { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' } }] } } } }));
    expect(scoreNodes(near, [withCache, other], [withCache, other], { spreadByControllerOnly: false }).byPlugin.InterPodAffinity).toEqual([100, 0]);
    const away = info(makePod('q', { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' } }] } } } }));
    expect(scoreNodes(away, [withCache, other], [withCache, other], { spreadByControllerOnly: false }).byPlugin.InterPodAffinity).toEqual([0, 100]);
  });
});

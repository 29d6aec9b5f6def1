import { describe, expect, it } from 'vitest';
import type { NodeFault, PodFault, ServiceFault } from '../../../../shared/api/chaos';
import { ApiError } from '../../../../shared/api/errors';
import type { Node } from '../../../../shared/api/node';
import { labTimingData, labTimingFor } from '../../../../main/lab-timing';
import { ApiClient, type FetchLike } from '../../../../renderer/api/client';
import { fieldErrors, matchLabels, nodeFaultObject, podFaultObject, serviceFaultObject } from '../../../../renderer/composables/fault-forms';
import { evictionEstimate, parseLabTiming } from '../../../../renderer/composables/lab-timing';
import { isLabManaged, labNodeManifest, nextNodeName, nodeFaultFor } from '../../../../renderer/composables/lab-nodes';
import { STOP_ALL_COMMAND, stopAllFaults } from '../../../../renderer/composables/stop-all-faults';
import { faultAction, faultInForce, faultTargets, nodeFaultTargets } from '../../../../renderer/resources/faults-format';
import { nodeStatus, nodeTaintsText, readyUnknown } from '../../../../renderer/resources/nodes';

describe('fault forms build the objects kubectl apply would take', () => {
  it('NodeFault: picked nodes win over labels; empty name → generateName; empty duration → none', () => {
    expect(nodeFaultObject({ name: '', action: 'crash', nodes: ['node-2'], labels: 'zone=a', mode: 'all', value: '', duration: '45s' })).toEqual({
      apiVersion: 'chaos.bosun.dev/v1alpha1',
      kind: 'NodeFault',
      metadata: { generateName: 'crash-' },
      spec: { action: 'crash', selector: { nodeNames: ['node-2'] }, mode: 'all', duration: '45s' },
    });
    expect(nodeFaultObject({ name: 'f', action: 'freeze', nodes: [], labels: 'zone = a, disk=ssd', mode: 'fixed', value: '1', duration: '' }).spec).toEqual({
      action: 'freeze',
      selector: { labelSelector: { matchLabels: { zone: 'a', disk: 'ssd' } } },
      mode: 'fixed',
      value: '1',
    });
  });

  it('PodFault and ServiceFault carry the namespace in metadata and selector', () => {
    const pf = podFaultObject({ name: 'kill-web', namespace: 'shop', action: 'memoryStress', labels: 'app=web', pods: [], mode: 'one', value: '', duration: '30s', memory: '96Mi', cpuWorkers: 2 });
    expect(pf.metadata).toEqual({ name: 'kill-web', namespace: 'shop' });
    expect(pf.spec).toEqual({ action: 'memoryStress', selector: { namespace: 'shop', labelSelector: { matchLabels: { app: 'web' } } }, mode: 'one', duration: '30s', memory: '96Mi' });
    const sf = serviceFaultObject({ name: '', namespace: 'shop', service: 'web', latency: '200ms', jitter: '', errorPercent: 10, dropPercent: 0, duration: '' });
    expect(sf).toMatchObject({ kind: 'ServiceFault', metadata: { generateName: 'svc-web-', namespace: 'shop' }, spec: { service: { namespace: 'shop', name: 'web' }, latency: '200ms', errorPercent: 10 } });
    expect(sf.spec).not.toHaveProperty('dropPercent');
    expect(matchLabels('  ')).toBeUndefined();
  });

  it('puts each 422 cause on its form field and keeps the rest', () => {
    const error = ApiError.invalid('chaos.bosun.dev', 'PodFault', 'x', [
      { type: 'FieldValueForbidden', field: 'spec.selector.namespace', detail: 'namespace "kube-system" is protected' },
      { type: 'FieldValueInvalid', field: 'spec.duration', value: 'soon', detail: 'not a Go duration' },
      { type: 'FieldValueRequired', field: 'spec.value', detail: 'mode fixed needs a value' },
      { type: 'FieldValueInvalid', field: 'spec.other', value: 1, detail: 'odd' },
    ]);
    const { byField, rest } = fieldErrors(error);
    expect(Object.keys(byField).sort()).toEqual(['duration', 'namespace', 'value']);
    expect(byField.namespace).toContain('kube-system');
    expect(byField.duration).toMatch(/^spec\.duration: /);
    expect(rest).toHaveLength(1);
    expect(fieldErrors(undefined)).toEqual({ byField: {}, rest: [] });
  });
});

describe('faults as the dashboard reads them', () => {
  const nf: NodeFault = { metadata: { name: 'crash-node-2' }, spec: { action: 'crash', selector: { nodeNames: ['node-2'] } } };
  it('targets come from status once recorded, from the spec before', () => {
    expect(faultTargets(nf)).toEqual(['node-2']);
    expect(faultInForce(nf)).toBe(true); // Pending: about to be injected
    const injected: NodeFault = { ...nf, spec: { action: 'crash', selector: { labelSelector: { matchLabels: { zone: 'a' } } } }, status: { phase: 'Injected', targets: [{ kind: 'Node', name: 'node-3' }] } };
    expect(faultTargets(injected)).toEqual(['node-3']);
    expect(nodeFaultTargets(injected, 'node-3')).toBe(true);
    expect(nodeFaultTargets(injected, 'node-2')).toBe(false);
    expect(faultInForce({ ...injected, status: { phase: 'Reverted' } })).toBe(false);
    const pf: PodFault = { metadata: { name: 'p', namespace: 'shop' }, spec: { action: 'kill', selector: { pods: ['shop/web-1'] } }, status: { phase: 'Injected', targets: [{ kind: 'Pod', namespace: 'shop', name: 'web-1' }] } };
    expect(faultTargets(pf)).toEqual(['shop/web-1']);
    const sf: ServiceFault = { metadata: { name: 's', namespace: 'shop' }, spec: { service: { name: 'web' }, latency: '200ms', jitter: '50ms', errorPercent: 5 } };
    expect(faultTargets(sf)).toEqual(['svc/web']);
    expect(faultAction(sf)).toBe('latency 200ms±50ms, 5% errors');
  });
});

describe('nodes', () => {
  it('STATUS is kubectl’s (Ready=Unknown prints NotReady) and the silent node is told apart', () => {
    const silent: Node = { metadata: { name: 'node-2' }, spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'k', value: 'v', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } };
    expect(nodeStatus(silent)).toBe('NotReady');
    expect(readyUnknown(silent)).toBe(true);
    expect(readyUnknown({ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } })).toBe(false);
    expect(nodeTaintsText(silent)).toBe('node.kubernetes.io/unreachable:NoExecute, k=v:NoSchedule');
  });

  it('a new lab node: the next free node-K, the managed label and the chosen capacity in status', () => {
    expect(nextNodeName([{ metadata: { name: 'node-1' } }, { metadata: { name: 'node-3' } }])).toBe('node-2');
    const node = labNodeManifest('node-4', { cpu: '2', memory: '4Gi', pods: '50' });
    expect(node.metadata.labels).toMatchObject({ 'lab.bosun.dev/managed': 'true' });
    expect(node.status?.capacity).toEqual({ cpu: '2', memory: '4Gi', pods: '50' });
    expect(isLabManaged(node)).toBe(true);
    expect(nodeFaultFor('node-2', 'kubeletStop', '30s')).toMatchObject({ metadata: { generateName: 'kubeletstop-node-2-' }, spec: { action: 'kubeletStop', selector: { nodeNames: ['node-2'] }, duration: '30s' } });
  });

  it('reads the lab timing ConfigMap the lab writes, and estimates when pods are evicted', () => {
    const timing = parseLabTiming(labTimingData(labTimingFor(20, {})));
    expect(timing).toMatchObject({ timeScale: 20, nodeMonitorGraceMs: 4000, nodeMonitorPeriodMs: 500, defaultTolerationSeconds: 15 });
    expect(evictionEstimate(timing)).toEqual({ notReadyAfterS: 5, evictedAfterS: 20 });
    const real = parseLabTiming(labTimingData(labTimingFor(1, {})));
    expect(real).toMatchObject({ nodeMonitorGraceMs: 50_000, defaultTolerationSeconds: 300 });
    expect(evictionEstimate(parseLabTiming(undefined))).toBeUndefined();
  });
});

describe('stop all faults', () => {
  it('one deletecollection per kind, per namespace for the namespaced kinds (as kube-apiserver offers it)', async () => {
    const calls: string[] = [];
    const lists: Record<string, unknown[]> = {
      nodefaults: [{ metadata: { name: 'a' } }],
      podfaults: [{ metadata: { name: 'p1', namespace: 'shop' } }, { metadata: { name: 'p2', namespace: 'default' } }, { metadata: { name: 'p3', namespace: 'shop' } }],
      servicefaults: [],
    };
    const fetchImpl: FetchLike = async (url, init) => {
      const path = url.replace('http://127.0.0.1:1', '');
      calls.push(`${init?.method ?? 'GET'} ${path}`);
      const kind = /\/(nodefaults|podfaults|servicefaults)/.exec(path)![1];
      const ns = /namespaces\/([^/]+)/.exec(path)?.[1];
      const items = (lists[kind] as Array<{ metadata: { namespace?: string } }>).filter((o) => !ns || o.metadata.namespace === ns);
      return new Response(JSON.stringify({ kind: 'List', items }), { status: 200 });
    };
    const result = await stopAllFaults(new ApiClient({ apiUrl: 'http://127.0.0.1:1', token: 't' }, fetchImpl, null));
    expect(calls).toEqual([
      'GET /apis/chaos.bosun.dev/v1alpha1/nodefaults',
      'DELETE /apis/chaos.bosun.dev/v1alpha1/nodefaults',
      'GET /apis/chaos.bosun.dev/v1alpha1/podfaults',
      'DELETE /apis/chaos.bosun.dev/v1alpha1/namespaces/default/podfaults',
      'DELETE /apis/chaos.bosun.dev/v1alpha1/namespaces/shop/podfaults',
      'GET /apis/chaos.bosun.dev/v1alpha1/servicefaults',
    ]);
    expect(result).toEqual({ deleted: { NodeFault: 1, PodFault: 3, ServiceFault: 0 }, errors: [] });
    expect(STOP_ALL_COMMAND).toBe('kubectl delete nodefaults,podfaults,servicefaults --all -A');
  });
});

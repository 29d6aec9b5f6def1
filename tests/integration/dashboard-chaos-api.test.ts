// The dashboard's chaos writes (renderer/composables, through the renderer's own ApiClient) against a
// real `bosun serve --runtime fake`: 422 causes land on the form's fields, stop-all's per-namespace
// deletecollections remove (and revert) every fault, a sample drill is applied and re-run, and a new lab
// node gets a kubelet. No Docker needed.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { ApiClient } from '../../renderer/api/client';
import { createFault, fieldErrors, nodeFaultObject, podFaultObject } from '../../renderer/composables/fault-forms';
import { runDrillText } from '../../renderer/composables/drill-library';
import { createLabNode, deleteNode } from '../../renderer/composables/lab-nodes';
import { parseLabTiming, evictionEstimate } from '../../renderer/composables/lab-timing';
import { stopAllFaults } from '../../renderer/composables/stop-all-faults';
import { readSample } from '../support/drill-samples';
import { api } from '../support/serve';
import { useServe } from '../support/use-serve';

const serve = useServe({ runtime: 'fake', args: ['--nodes', '3'] });
const client = () => new ApiClient({ apiUrl: serve().url, token: serve().token }, undefined, null);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('dashboard chaos writes against bosun serve', () => {
  it('puts the API’s 422 causes on the form fields', async () => {
    const bad = podFaultObject({ name: 'bad', namespace: 'kube-system', action: 'kill', labels: 'app=x', pods: [], mode: 'fixed', value: '', duration: 'soon', memory: '', cpuWorkers: undefined });
    const error = await createFault(client(), 'PodFault', bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(422);
    const { byField } = fieldErrors(error as ApiError);
    expect(byField.duration).toMatch(/spec\.duration/);
    expect(Object.keys(byField)).toContain('value');
  });

  it('stop all: every fault of every kind and namespace is deleted (reverted first)', async () => {
    const c = client();
    for (const ns of ['alpha', 'beta']) expect((await api(serve(), '/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) })).status).toBe(201);
    await createFault(c, 'NodeFault', nodeFaultObject({ name: 'freeze-3', action: 'freeze', nodes: ['node-3'], labels: '', mode: 'all', value: '', duration: '' }));
    for (const ns of ['alpha', 'beta']) {
      await createFault(c, 'PodFault', podFaultObject({ name: `kill-${ns}`, namespace: ns, action: 'kill', labels: 'app=none', pods: [], mode: 'all', value: '', duration: '', memory: '', cpuWorkers: undefined }));
    }
    await eventually('the node fault injected', async () => (await c.get<any>('/apis/chaos.bosun.dev/v1alpha1/nodefaults/freeze-3')).status?.phase === 'Injected');
    const result = await stopAllFaults(c);
    expect(result).toEqual({ deleted: { NodeFault: 1, PodFault: 2, ServiceFault: 0 }, errors: [] });
    await eventually('every fault gone', async () => {
      const lists = await Promise.all(['nodefaults', 'podfaults', 'servicefaults'].map((r) => c.list(`/apis/chaos.bosun.dev/v1alpha1/${r}`)));
      return lists.every((l) => l.items.length === 0);
    });
    // node-3's kubelet is back: Ready again.
    await eventually('node-3 Ready', async () => (await c.get<any>('/api/v1/nodes/node-3')).status.conditions.find((x: any) => x.type === 'Ready')?.status === 'True');
  });

  it('runs a sample drill, and runs it again (the previous Drill deleted first)', async () => {
    const c = client();
    const first = await runDrillText(c, readSample('liveness-failure'), 'default');
    expect(first.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/liveness-web', 'Service/liveness-web', 'Drill/liveness-failure']);
    const uid = first[2].metadata.uid;
    const managers = (first[0].metadata as { managedFields?: Array<{ manager: string; operation: string }> }).managedFields ?? [];
    expect(managers.some((m) => m.manager === 'bosun-dashboard' && m.operation === 'Apply')).toBe(true);
    const again = await runDrillText(c, readSample('liveness-failure'), 'default');
    expect(again[2].metadata.uid).not.toBe(uid);
    await c.delete('/apis/chaos.bosun.dev/v1alpha1/namespaces/default/drills/liveness-failure');
  });

  it('adds a lab node with the chosen capacity (it gets a kubelet) and removes it', async () => {
    const c = client();
    await createLabNode(c, 'node-7', { cpu: '2', memory: '3Gi', pods: '30' });
    const node = await eventually('node-7 Ready', async () => {
      const n = await c.get<any>('/api/v1/nodes/node-7');
      return n.status?.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True' && n;
    });
    expect(node.status.capacity).toMatchObject({ cpu: '2', memory: '3Gi', pods: '30' });
    await deleteNode(c, 'node-7');
    await eventually('node-7 gone', async () => (await api(serve(), '/api/v1/nodes/node-7')).status === 404);
  });

  it('reads the lab timing the lab published', async () => {
    const cm = await client().get<{ data: Record<string, string> }>('/api/v1/namespaces/kube-system/configmaps/bosun-lab-timing');
    expect(evictionEstimate(parseLabTiming(cm.data))).toEqual({ notReadyAfterS: 5, evictedAfterS: 20 });
  });
});

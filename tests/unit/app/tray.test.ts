import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../../shared/api/node';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { CONFIGMAPS } from '../../../main/client/gvr';
import { labStatusConfigMap } from '../../../main/lab-status';
import { isFaultActive, trayIconBitmap, trayStatus, type TrayStatus } from '../../../main/app/tray-status';
import { TrayWatch } from '../../../main/app/tray-watch';
import { MemoryStore } from '../../../main/store/memory-store';

function node(name: string, ready: boolean): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  } as Node;
}

const unreachable = labStatusConfigMap({ runtime: 'docker', endpoint: 'unix:///var/run/docker.sock', reachable: false, error: 'ENOENT', help: 'Docker engine not reachable at /var/run/docker.sock: start Docker Desktop / sudo systemctl start docker.', since: '2026-01-01T00:00:00Z' });

describe('trayStatus', () => {
  it('summarises ready nodes and faults in force', () => {
    const faults = [{ metadata: {}, status: { phase: 'Injected' as const } }, { metadata: {}, status: { phase: 'Reverted' as const } }, { metadata: {} }];
    expect(trayStatus({ running: true, nodes: [node('node-1', true), node('node-2', false)], faults })).toEqual({
      health: 'degraded',
      summary: 'Lab running · nodes ready 1/2 · 2 active faults',
      nodesReady: 1,
      nodesTotal: 2,
      activeFaults: 2,
    });
    expect(trayStatus({ running: true, nodes: [node('node-1', true)], faults: [] })).toMatchObject({ health: 'ok', summary: 'Lab running · nodes ready 1/1 · 0 active faults' });
    expect(trayStatus({ running: false, nodes: [node('node-1', true)], faults })).toMatchObject({ health: 'stopped', summary: 'Lab stopped' });
    expect(isFaultActive({ metadata: {}, status: { phase: 'Failed' } })).toBe(false);
  });

  it('says when Docker is not reachable, with the fix', () => {
    const status = trayStatus({ running: true, nodes: [], faults: [], labStatus: unreachable });
    expect(status.summary).toBe('Lab running · Docker not reachable · nodes ready 0/0 · 0 active faults');
    expect(status.runtimeProblem).toMatch(/^Docker engine not reachable at \/var\/run\/docker\.sock: start Docker Desktop/);
    expect(status.health).toBe('degraded');
  });

  it('draws a disc in the health colour (BGRA)', () => {
    const ok = trayIconBitmap('ok', 16);
    expect(ok).toHaveLength(16 * 16 * 4);
    const centre = (8 * 16 + 8) * 4;
    expect([...ok.subarray(centre, centre + 4)]).toEqual([67, 160, 46, 255]);
    expect(ok[3]).toBe(0); // transparent corner
    expect(trayIconBitmap('degraded', 16)[centre + 2]).toBe(219);
  });
});

describe('TrayWatch', () => {
  let watch: TrayWatch | undefined;
  afterEach(() => watch?.stop());

  it('follows nodes, faults and the lab status through API watches', async () => {
    const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
    const client = new KubeClient(handler, 'system:test');
    await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    const seen: TrayStatus[] = [];
    watch = new TrayWatch({ handler }, (s) => seen.push(s));
    watch.start();
    const until = async (summary: string): Promise<void> => {
      const deadline = Date.now() + 3000;
      while (seen.at(-1)?.summary !== summary) {
        if (Date.now() > deadline) throw new Error(`tray never showed "${summary}" (last: ${seen.at(-1)?.summary})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until('Lab running · nodes ready 0/0 · 0 active faults');
    await client.resource(CONFIGMAPS).create('kube-system', unreachable);
    await until('Lab running · Docker not reachable · nodes ready 0/0 · 0 active faults');
    // Status goes through the /status subresource, as a kubelet writes it.
    const created = await client.nodes<Node>().create(undefined, node('node-1', true));
    await client.nodes<Node>().updateStatus(undefined, { ...created, status: node('node-1', true).status });
    await client.resource(CONFIGMAPS).delete('kube-system', unreachable.metadata.name!);
    await until('Lab running · nodes ready 1/1 · 0 active faults');
    await client
      .resource({ group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'nodefaults' })
      .create(undefined, { apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'NodeFault', metadata: { name: 'crash-1' }, spec: { action: 'crash', duration: '30s', selector: { nodeNames: ['node-1'] } } } as never);
    await until('Lab running · nodes ready 1/1 · 1 active fault');
  });
});

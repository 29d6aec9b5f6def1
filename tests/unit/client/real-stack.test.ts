// The client against the real in-process apiserver (RestHandler + MemoryStore + built-in registry):
// the same semantics controllers get in the lab, not just the fake's.
import { describe, expect, it, vi } from 'vitest';
import { isAlreadyExists, isConflict, isInvalid, isNotFound } from '../../../shared/api/errors';
import type { KubeObject, WatchEvent } from '../../../shared/api/meta';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import type { ApiHandler, ApiRequest, ApiWatch } from '../../../main/apiserver/types';
import { KubeClient } from '../../../main/client/client';
import { EventRecorder, type CoreEvent } from '../../../main/client/events';
import { SharedInformer } from '../../../main/client/informer';
import { retryOnConflict } from '../../../main/client/retry';
import { MemoryStore } from '../../../main/store/memory-store';

/** Passes everything through, but can cut open watches silently (a partition) and close them later. */
class Partitionable implements ApiHandler {
  private open: { inner: ApiWatch; onClose: (e?: unknown) => void; cut: boolean }[] = [];
  lists = 0;
  constructor(private readonly inner: ApiHandler) {}
  handle(r: ApiRequest): Promise<unknown> {
    if (r.verb === 'list') this.lists++;
    return this.inner.handle(r);
  }
  watch(r: ApiRequest, onEvent: (e: WatchEvent) => void, onClose: (e?: unknown) => void): ApiWatch {
    const entry = { inner: undefined as unknown as ApiWatch, onClose, cut: false };
    entry.inner = this.inner.watch(r, (e) => !entry.cut && onEvent(e), (e) => !entry.cut && onClose(e));
    this.open.push(entry);
    return { stop: () => entry.inner.stop() };
  }
  partition(): { close(): void } {
    const cut = this.open.splice(0);
    for (const w of cut) {
      w.cut = true;
      w.inner.stop();
    }
    return { close: () => cut.forEach((w) => w.onClose()) };
  }
}

const pod = (name: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'app', image: 'busybox:latest' }] },
});

async function stack(watchWindow = 1000) {
  const rest = new RestHandler({ store: new MemoryStore({ watchWindow }), resources: builtinResources });
  const api = new Partitionable(rest);
  const client = new KubeClient(api, 'system:kube-controller-manager');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return { api, client, pods: client.pods() };
}

describe('KubeClient against the real apiserver', () => {
  it('creates with defaults, rejects invalid and duplicate objects, detects conflicts, dry-runs', async () => {
    const { pods } = await stack();
    const created = await pods.create('default', pod('web'));
    expect(created.metadata.uid).toBeTruthy();
    expect((created.spec as any).restartPolicy).toBe('Always');
    await expect(pods.create('default', pod('web'))).rejects.toSatisfy(isAlreadyExists);
    await expect(pods.create('default', pod('Not_A_Name'))).rejects.toSatisfy(isInvalid);
    await expect(pods.get('default', 'nope')).rejects.toSatisfy(isNotFound);

    await pods.patch('default', 'web', 'application/merge-patch+json', { metadata: { labels: { v: '1' } } });
    await expect(pods.update('default', created)).rejects.toSatisfy(isConflict);
    const winner = await retryOnConflict(async () => {
      const fresh = structuredClone(await pods.get('default', 'web'));
      fresh.metadata.annotations = { touched: 'yes' };
      return pods.update('default', fresh);
    });
    expect(winner.metadata.labels).toEqual({ v: '1' });

    await pods.create('default', pod('dry'), { dryRun: true });
    await expect(pods.get('default', 'dry')).rejects.toSatisfy(isNotFound);
  });

  it('binds a pod through pods/binding', async () => {
    const { client, pods } = await stack();
    await client.nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    await pods.create('default', pod('web'));
    await pods.createSubresource('default', 'web', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } });
    expect((await pods.get('default', 'web')).spec).toMatchObject({ nodeName: 'n1' });
  });
});

describe('SharedInformer against the real apiserver', () => {
  it('syncs, follows the watch, and after a 410 re-lists with exactly the differences', async () => {
    const { api, pods } = await stack(5);
    await pods.create('default', pod('keep'));
    await pods.create('default', pod('change'));
    await pods.create('default', pod('gone'));
    const informer = new SharedInformer(pods, { logger: { warn: () => {} } });
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_, o) => seen.push(`update ${o.metadata.name}`),
      onDelete: (o, unknown) => seen.push(`delete ${o.metadata.name}${unknown ? ' (unknown)' : ''}`),
    });
    informer.start();
    await informer.waitForSync();
    await pods.create('default', pod('live'));
    await vi.waitFor(() => expect(seen).toContain('add live'));
    seen.length = 0;

    const partition = api.partition();
    const change = await pods.get('default', 'change');
    await pods.update('default', { ...change, metadata: { ...change.metadata, labels: { v: '2' } } });
    await pods.delete('default', 'gone', { gracePeriodSeconds: 0 });
    // Enough writes to push the informer's resume point out of the 5-event watch window.
    for (let i = 0; i < 6; i++) await pods.patch('default', 'keep', 'application/merge-patch+json', { metadata: { annotations: { n: String(i) } } });
    await pods.create('default', pod('new'));
    partition.close();

    await vi.waitFor(() => expect(seen).toContain('add new'));
    expect(api.lists).toBe(2); // the resumed watch got 410 from the store's window, so it re-listed
    expect(seen.sort()).toEqual(['add new', 'delete gone (unknown)', 'update change', 'update keep'].sort());
    expect(informer.lister.get('default', 'keep')!.metadata.annotations).toEqual({ n: '5' });
    informer.stop();
  });
});

describe('EventRecorder against the real apiserver', () => {
  it('writes Events that pass validation and counts identical ones on one Event', async () => {
    const { client, pods } = await stack();
    const target = await pods.create('default', pod('web'));
    const logs: string[] = [];
    const recorder = new EventRecorder(client, { component: 'default-scheduler', logger: { warn: (m) => logs.push(m) } });
    recorder.event(target, 'Warning', 'FailedScheduling', '0/1 nodes are available');
    recorder.event(target, 'Warning', 'FailedScheduling', '0/1 nodes are available');
    recorder.eventf(target, 'Normal', 'Scheduled', 'Successfully assigned %s/%s to %s', 'default', 'web', 'n1');
    await recorder.flush();
    expect(logs).toEqual([]);
    const events = (await client.events<CoreEvent>().list('default')).items;
    expect(events.map((e) => `${e.reason}:${e.count}`).sort()).toEqual(['FailedScheduling:2', 'Scheduled:1']);
    const failed = events.find((e) => e.reason === 'FailedScheduling')!;
    expect(failed.involvedObject).toMatchObject({ kind: 'Pod', name: 'web', namespace: 'default', uid: target.metadata.uid });
  });
});

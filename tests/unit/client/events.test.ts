import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import { EventBroadcaster, EventRecorder, formatMessage, type CoreEvent } from '../../../main/client/events';
import { FakeApi } from './fake-api';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'uid-d1', resourceVersion: '42' },
};

function setup(options: Partial<ConstructorParameters<typeof EventRecorder>[1]> = {}) {
  const api = new FakeApi();
  const client = new KubeClient(api, 'system:kube-controller-manager');
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const logs: string[] = [];
  const recorder = new EventRecorder(client, { component: 'deployment-controller', clock, logger: { warn: (m) => logs.push(m) }, ...options });
  const events = async (ns = 'shop') => (await client.events<CoreEvent>().list(ns)).items;
  return { api, client, clock, logs, recorder, events };
}

describe('EventRecorder', () => {
  it('writes a core/v1 Event named <object>.<16 hex> referencing the object', async () => {
    const { recorder, events } = setup({ host: 'node-1' });
    recorder.event(deployment, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set web-abc to 3');
    await recorder.flush();
    const [e] = await events();
    expect(e.metadata.name).toMatch(/^web\.[0-9a-f]{16}$/);
    expect(e.metadata.namespace).toBe('shop');
    expect(e.involvedObject).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'uid-d1', apiVersion: 'apps/v1', resourceVersion: '42' });
    expect(e).toMatchObject({
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set web-abc to 3',
      count: 1,
      source: { component: 'deployment-controller', host: 'node-1' },
      reportingComponent: 'deployment-controller',
      reportingInstance: 'deployment-controller-node-1',
      firstTimestamp: '2026-01-01T12:00:00Z',
      lastTimestamp: '2026-01-01T12:00:00Z',
      eventTime: '2026-01-01T12:00:00.000000Z',
    });
  });

  it('puts events about cluster-scoped objects in "default" and keeps fieldPath', async () => {
    const { recorder, events } = setup({ component: 'node-controller' });
    recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u-n1' } }, 'Normal', 'RegisteredNode', 'Node n1 event');
    recorder.event({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'p', uid: 'u-p' }, 'Warning', 'BackOff', 'Back-off', 'spec.containers{app}');
    await recorder.flush();
    const list = await events('default');
    expect(list.map((e) => e.involvedObject.name).sort()).toEqual(['n1', 'p']);
    expect(list.find((e) => e.involvedObject.name === 'p')!.involvedObject.fieldPath).toBe('spec.containers{app}');
  });

  it('aggregates identical events within 10 minutes into one Event with a count (PATCH)', async () => {
    const { api, recorder, clock, events } = setup();
    recorder.event(deployment, 'Warning', 'FailedCreate', 'quota exceeded');
    clock.step(60_000);
    recorder.event(deployment, 'Warning', 'FailedCreate', 'quota exceeded');
    await recorder.flush();
    let list = await events();
    expect(list).toHaveLength(1);
    expect(list[0].count).toBe(2);
    expect(list[0].firstTimestamp).toBe('2026-01-01T12:00:00Z');
    expect(list[0].lastTimestamp).toBe('2026-01-01T12:01:00Z');
    const writes = api.calls.filter((c) => c.resource === 'events' && c.verb !== 'list');
    expect(writes.map((c) => c.verb)).toEqual(['create', 'patch']);
    expect(writes[1].patchType).toBe('application/merge-patch+json');

    // A different message is a different Event; after 10 quiet minutes the series starts again.
    recorder.event(deployment, 'Warning', 'FailedCreate', 'another reason');
    clock.step(10 * 60_000 + 1);
    recorder.event(deployment, 'Warning', 'FailedCreate', 'quota exceeded');
    await recorder.flush();
    list = await events();
    expect(list.map((e) => `${e.message}:${e.count}`).sort()).toEqual(['another reason:1', 'quota exceeded:1', 'quota exceeded:2']);
  });

  it('writes asynchronously but in recording order', async () => {
    const { api, recorder, events } = setup();
    for (let i = 0; i < 5; i++) recorder.event(deployment, 'Normal', 'Step', `step ${i}`);
    // Nothing was awaited yet: recording never blocks on the apiserver.
    expect(api.calls.filter((c) => c.verb === 'create')).toHaveLength(0);
    await recorder.flush();
    const creates = api.calls.filter((c) => c.verb === 'create').map((c) => (c.body as CoreEvent).message);
    expect(creates).toEqual(['step 0', 'step 1', 'step 2', 'step 3', 'step 4']);
    const list = await events();
    expect(new Set(list.map((e) => e.metadata.name)).size).toBe(5);
  });

  it('logs write failures instead of throwing, and recreates an aggregated Event that disappeared', async () => {
    const { api, client, recorder, logs, events } = setup();
    api.injectError({ verb: 'create', resource: 'events' }, ApiError.forbidden('events is forbidden'));
    recorder.event(deployment, 'Normal', 'A', 'first');
    recorder.event(deployment, 'Normal', 'B', 'second');
    await recorder.flush();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('events is forbidden');
    expect((await events()).map((e) => e.message)).toEqual(['second']);

    const [second] = await events();
    await client.events().delete('shop', second.metadata.name);
    recorder.event(deployment, 'Normal', 'B', 'second');
    await recorder.flush();
    const [again] = await events();
    expect(again.count).toBe(2);
    expect(again.metadata.name).toBe(second.metadata.name);
  });

  it('combines more than 10 similar messages for one object and reason', async () => {
    const { recorder, events } = setup();
    for (let i = 0; i < 12; i++) recorder.event(deployment, 'Warning', 'FailedScheduling', `0/${i} nodes available`);
    await recorder.flush();
    const list = await events();
    const combined = list.filter((e) => e.message.startsWith('(combined from similar events): '));
    expect(list).toHaveLength(10);
    expect(combined).toHaveLength(1);
    expect(combined[0].count).toBe(3);
    expect(combined[0].message).toBe('(combined from similar events): 0/11 nodes available');
  });

  it('filters spam per object: a burst of 25, then one per 5 minutes', async () => {
    const { recorder, clock, events } = setup({ correlator: { maxSimilarMessages: 1000 } });
    for (let i = 0; i < 40; i++) recorder.event(deployment, 'Normal', 'Tick', `tick ${i}`);
    await recorder.flush();
    expect(await events()).toHaveLength(25);
    clock.step(300_000);
    recorder.event(deployment, 'Normal', 'Tick', 'after refill');
    recorder.event(deployment, 'Normal', 'Tick', 'too soon');
    await recorder.flush();
    const messages = (await events()).map((e) => e.message);
    expect(messages).toContain('after refill');
    expect(messages).not.toContain('too soon');
    // Another object has its own budget.
    recorder.event({ ...deployment, metadata: { ...deployment.metadata, name: 'api', uid: 'uid-d2' } }, 'Normal', 'Tick', 'x');
    await recorder.flush();
    expect((await events()).some((e) => e.involvedObject.name === 'api')).toBe(true);
  });

  it('bounds memory and pending writes', async () => {
    const { recorder, logs, events } = setup({ maxPending: 3, correlator: { cacheSize: 8 } });
    for (let i = 0; i < 5; i++) recorder.event({ ...deployment, metadata: { ...deployment.metadata, name: `d${i}`, uid: `u${i}` } }, 'Normal', 'X', 'y');
    expect(logs.filter((l) => l.includes('dropped'))).toHaveLength(2);
    await recorder.flush();
    expect(await events()).toHaveLength(3);
    for (let i = 0; i < 50; i++) recorder.event({ ...deployment, metadata: { ...deployment.metadata, name: `e${i}`, uid: `v${i}` } }, 'Normal', 'X', 'y');
    await recorder.flush();
    expect((recorder as unknown as { correlator: { cachedEntries: number } }).correlator.cachedEntries).toBeLessThanOrEqual(8);
  });

  it('never writes Secret data into a message, and skips objects it cannot reference', async () => {
    const { recorder, events, logs } = setup();
    const secret: KubeObject = {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop', uid: 's1' },
      data: { password: Buffer.from('hunter2-secret').toString('base64') },
    };
    recorder.eventf(secret, 'Warning', 'Invalid', 'bad value %q (raw %s)', 'hunter2-secret', (secret.data as any).password);
    recorder.event({ metadata: { name: 'kindless' } }, 'Normal', 'X', 'y');
    await recorder.flush();
    const [e] = await events();
    expect(e.message).toBe('bad value "[redacted]" (raw [redacted])');
    expect(logs.some((l) => l.includes('no kind'))).toBe(true);
  });
});

describe('EventBroadcaster: recorders sharing one correlator and one queue bound, as the lab kubelets do', () => {
  const pod = (name: string, uid = `uid-${name}`): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', uid } });

  function setupShared(options: ConstructorParameters<typeof EventBroadcaster>[0] = {}) {
    const api = new FakeApi();
    const client = new KubeClient(api, 'system:node');
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const logs: string[] = [];
    const broadcaster = new EventBroadcaster({ clock, ...options });
    const recorder = (host: string) => broadcaster.newRecorder(client, { component: 'kubelet', host, clock, logger: { warn: (m) => logs.push(m) } });
    const events = async () => (await client.events<CoreEvent>().list('shop')).items;
    return { api, clock, logs, broadcaster, recorder, events };
  }

  it('counts repeats per node: the same event from two kubelets is two series, each counted', async () => {
    const { clock, recorder, events } = setupShared();
    const [a, b] = [recorder('node-1'), recorder('node-2')];
    for (const r of [a, b, a, b, a]) {
      r.event(pod('web'), 'Warning', 'BackOff', 'Back-off restarting failed container app', 'spec.containers{app}');
      clock.step(10_000);
    }
    await Promise.all([a.flush(), b.flush()]);
    const list = await events();
    expect(list.map((e) => `${e.source.host}:${e.count}:${e.reportingInstance}`).sort()).toEqual(['node-1:3:kubelet-node-1', 'node-2:2:kubelet-node-2']);
    expect(list.every((e) => e.firstTimestamp === '2026-01-01T12:00:00Z' || e.firstTimestamp === '2026-01-01T12:00:10Z')).toBe(true);
  });

  it('combines similar messages per node as a recorder of its own does', async () => {
    const { recorder, events } = setupShared();
    const [a, b] = [recorder('node-1'), recorder('node-2')];
    for (let i = 0; i < 11; i++) a.event(pod('web'), 'Warning', 'Failed', `Error: attempt ${i}`);
    b.event(pod('web'), 'Warning', 'Failed', 'Error: attempt 0');
    await Promise.all([a.flush(), b.flush()]);
    const list = await events();
    expect(list.filter((e) => e.source.host === 'node-1')).toHaveLength(10);
    expect(list.filter((e) => e.message.startsWith('(combined from similar events): ')).map((e) => e.source.host)).toEqual(['node-1']);
    expect(list.filter((e) => e.source.host === 'node-2').map((e) => e.message)).toEqual(['Error: attempt 0']);
  });

  it('bounds the caches of all recorders together, and their pending writes together', async () => {
    const { broadcaster, recorder, logs, events } = setupShared({ maxPending: 4, correlator: { cacheSize: 16 } });
    const nodes = Array.from({ length: 10 }, (_, i) => recorder(`node-${i}`));
    // Ten nodes record one event each before any write: four queue, six are dropped with a warning.
    nodes.forEach((r, i) => r.event(pod(`p${i}`), 'Normal', 'Pulled', 'Container image "web:1" already present on machine'));
    expect(broadcaster.pending).toBe(4);
    expect(logs.filter((l) => l.includes('dropped') && l.includes('4 writes pending in all recorders'))).toHaveLength(6);
    await Promise.all(nodes.map((r) => r.flush()));
    expect(broadcaster.pending).toBe(0);
    expect(await events()).toHaveLength(4);
    for (let round = 0; round < 10; round++) {
      nodes.forEach((r, i) => r.event(pod(`q${round}-${i}`), 'Normal', 'Created', 'Created container: app'));
      await Promise.all(nodes.map((r) => r.flush()));
    }
    expect(broadcaster.correlator.cachedEntries).toBeLessThanOrEqual(16);
  });
});

describe('formatMessage', () => {
  it('formats the Go verbs controllers use', () => {
    expect(formatMessage('Scaled %s to %d (%v%%)', ['rs', 3.7, { a: 1 }])).toBe('Scaled rs to 3 ({"a":1}%)');
    expect(formatMessage('%q and %s', ['x'])).toBe('"x" and %!s(MISSING)');
  });
});

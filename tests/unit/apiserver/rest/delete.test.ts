import { describe, expect, it } from 'vitest';
import { pods, setup, widget, widgets } from './fixtures';

describe('RestHandler delete', () => {
  it('deletes at once without finalizers and answers the deleted object', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a') });
    const d = await env.call({ verb: 'delete', name: 'a' });
    expect(d.metadata.name).toBe('a');
    expect(d.metadata.deletionTimestamp).toBeUndefined();
    expect((await env.fail({ verb: 'get', name: 'a' })).code).toBe(404);
    expect((await env.fail({ verb: 'delete', name: 'a' })).message).toBe('widgets.example.com "a" not found');
  });

  it('finalizers keep the object with deletionTimestamp; removing the last one deletes it', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a', {}, { finalizers: ['example.com/hold', 'example.com/two'] }) });
    env.clock.step(5000);
    const marked = await env.call({ verb: 'delete', name: 'a' });
    expect(marked.metadata.deletionTimestamp).toBe('2026-01-01T12:00:05Z');
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(marked.metadata.generation).toBe(2);
    // deleting again changes nothing
    const again = await env.call({ verb: 'delete', name: 'a' });
    expect(again.metadata.resourceVersion).toBe(marked.metadata.resourceVersion);
    // an update cannot clear deletionTimestamp
    const upd = await env.call({ verb: 'update', name: 'a', body: { ...marked, metadata: { ...marked.metadata, deletionTimestamp: undefined, finalizers: ['example.com/two'] } } });
    expect(upd.metadata.deletionTimestamp).toBe('2026-01-01T12:00:05Z');
    expect((await env.call({ verb: 'get', name: 'a' })).metadata.finalizers).toEqual(['example.com/two']);
    await env.call({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { finalizers: null } } });
    expect((await env.fail({ verb: 'get', name: 'a' })).code).toBe(404);
  });

  it('propagationPolicy Foreground/Orphan add their finalizers (from query or DeleteOptions body)', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('fg') });
    await env.call({ verb: 'create', body: widget('or') });
    const fg = await env.call({ verb: 'delete', name: 'fg', query: { propagationPolicy: 'Foreground' } });
    expect(fg.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(fg.metadata.deletionTimestamp).toBeDefined();
    const or = await env.call({ verb: 'delete', name: 'or', body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' } });
    expect(or.metadata.finalizers).toEqual(['orphan']);
    const bad = await env.fail({ verb: 'delete', name: 'or', query: { propagationPolicy: 'Sideways' } });
    expect([bad.code, bad.reason]).toEqual([422, 'Invalid']);
  });

  it('honours uid and resourceVersion preconditions', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a') });
    const uid = await env.fail({ verb: 'delete', name: 'a', body: { preconditions: { uid: 'wrong' } } });
    expect([uid.code, uid.message]).toEqual([409, `Operation cannot be fulfilled on widgets.example.com "a": Precondition failed: UID in precondition: wrong, UID in object meta: ${a.metadata.uid}`]);
    const rv = await env.fail({ verb: 'delete', name: 'a', body: { preconditions: { resourceVersion: '1' } } });
    expect(rv.message).toContain('Precondition failed: ResourceVersion in precondition: 1');
    await env.call({ verb: 'delete', name: 'a', body: { preconditions: { uid: a.metadata.uid, resourceVersion: a.metadata.resourceVersion } } });
  });

  it('pods: scheduled pods terminate gracefully until deleted with grace 0; unscheduled pods go at once', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: { metadata: { name: 'p' }, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 20 } } }, pods);
    const graceful = await env.call({ verb: 'delete', name: 'p' }, pods);
    expect(graceful.metadata.deletionGracePeriodSeconds).toBe(20);
    expect(graceful.metadata.deletionTimestamp).toBe('2026-01-01T12:00:20Z');
    expect(await env.call({ verb: 'get', name: 'p' }, pods)).toBeDefined();
    // a shorter grace may be requested later
    const shorter = await env.call({ verb: 'delete', name: 'p', query: { gracePeriodSeconds: '5' } }, pods);
    expect(shorter.metadata.deletionGracePeriodSeconds).toBe(5);
    // the kubelet confirms
    await env.call({ verb: 'delete', name: 'p', query: { gracePeriodSeconds: '0' } }, pods);
    expect((await env.fail({ verb: 'get', name: 'p' }, pods)).code).toBe(404);

    await env.call({ verb: 'create', body: { metadata: { name: 'unscheduled' }, spec: {} } }, pods);
    await env.call({ verb: 'delete', name: 'unscheduled' }, pods);
    expect((await env.fail({ verb: 'get', name: 'unscheduled' }, pods)).code).toBe(404);

    await env.call({ verb: 'create', body: { metadata: { name: 'default-grace' }, spec: { nodeName: 'n1' } } }, pods);
    expect((await env.call({ verb: 'delete', name: 'default-grace' }, pods)).metadata.deletionGracePeriodSeconds).toBe(30);

    // finalizers outlive the kubelet's confirmation
    await env.call({ verb: 'create', body: { metadata: { name: 'held', finalizers: ['x.io/f'] }, spec: { nodeName: 'n1' } } }, pods);
    await env.call({ verb: 'delete', name: 'held' }, pods);
    const confirmed = await env.call({ verb: 'delete', name: 'held', query: { gracePeriodSeconds: '0' } }, pods);
    expect(confirmed.metadata.deletionGracePeriodSeconds).toBe(0);
    await env.call({ verb: 'patch', name: 'held', patchType: 'application/json-patch+json', body: [{ op: 'remove', path: '/metadata/finalizers' }] }, pods);
    expect((await env.fail({ verb: 'get', name: 'held' }, pods)).code).toBe(404);
  });

  it('deletecollection deletes what the selectors match and lists it', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a', {}, { labels: { app: 'x' } }) });
    await env.call({ verb: 'create', body: widget('b', {}, { labels: { app: 'y' } }) });
    await env.call({ verb: 'create', body: widget('c', {}, { labels: { app: 'x' } }) });
    const res = await env.call({ verb: 'deletecollection', query: { labelSelector: 'app=x' } });
    expect(res.kind).toBe('WidgetList');
    expect(res.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a', 'c']);
    const left = await env.call({ verb: 'list' }, widgets);
    expect(left.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['b']);
  });
});

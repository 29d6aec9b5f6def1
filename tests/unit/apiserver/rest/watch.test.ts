import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/api/errors';
import type { WatchEvent } from '../../../../shared/api/meta';
import type { ApiRequest } from '../../../../main/apiserver/types';
import { setup, widget, widgets, type Env } from './fixtures';

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function startWatch(env: Env, query: Record<string, string> = {}, extra: Partial<ApiRequest> = {}) {
  const events: WatchEvent[] = [];
  const closed: unknown[] = [];
  const w = env.rest.watch(
    { verb: 'watch', group: widgets.group, version: widgets.version, resource: widgets.resource, namespace: 'default', query, ...extra },
    (e) => events.push(e),
    (err) => closed.push(err ?? 'clean'),
  );
  const seen = (): string[] => events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`.trim());
  return { w, events, closed, seen };
}

describe('RestHandler watch', () => {
  it('without resourceVersion: synthetic ADDED for the current state, then live events, each once', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a') });
    await env.call({ verb: 'create', body: widget('b') });
    const t = startWatch(env);
    await flush();
    expect(t.seen()).toEqual(['ADDED a', 'ADDED b']);
    await env.call({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { spec: { color: 'blue' } } });
    await env.call({ verb: 'delete', name: 'b' });
    await env.call({ verb: 'create', namespace: 'default', body: widget('c') });
    expect(t.seen()).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b', 'ADDED c']);
    // events carry private copies
    (t.events[2].object.spec as { color: string }).color = 'mutated';
    expect((await env.call({ verb: 'get', name: 'a' })).spec.color).toBe('blue');
    t.w.stop();
    await env.call({ verb: 'create', body: widget('d') });
    expect(t.events).toHaveLength(5);
  });

  it('from resourceVersion N: exactly the events after N', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a') });
    await env.call({ verb: 'create', body: widget('b') });
    await env.call({ verb: 'delete', name: 'a' });
    const t = startWatch(env, { resourceVersion: a.metadata.resourceVersion });
    await flush();
    expect(t.seen()).toEqual(['ADDED b', 'DELETED a']);
    expect(Number(t.events[1].object.metadata.resourceVersion)).toBe(env.store.resourceVersion);
  });

  it('too old resourceVersion → onClose(410 Expired)', async () => {
    const env = await setup({ watchWindow: 2 });
    const a = await env.call({ verb: 'create', body: widget('a') });
    for (const n of ['b', 'c', 'd']) await env.call({ verb: 'create', body: widget(n) });
    const t = startWatch(env, { resourceVersion: a.metadata.resourceVersion });
    await flush();
    expect(t.events).toEqual([]);
    expect(t.closed).toHaveLength(1);
    const err = t.closed[0] as ApiError;
    expect([err.code, err.reason]).toEqual([410, 'Expired']);
    expect(err.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('selectors apply to old and new state: leaving is DELETED, entering is ADDED', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a', {}, { labels: { app: 'web' } }) });
    await env.call({ verb: 'create', body: widget('b', {}, { labels: { app: 'db' } }) });
    const t = startWatch(env, { labelSelector: 'app=web' });
    const f = startWatch(env, { fieldSelector: 'spec.color=blue' });
    await flush();
    expect(t.seen()).toEqual(['ADDED a']);
    const merge = 'application/merge-patch+json' as const;
    await env.call({ verb: 'patch', name: 'b', patchType: merge, body: { metadata: { labels: { app: 'web' } } } });
    await env.call({ verb: 'patch', name: 'a', patchType: merge, body: { metadata: { labels: { app: 'db' } } } });
    await env.call({ verb: 'patch', name: 'a', patchType: merge, body: { metadata: { annotations: { x: 'y' } } } });
    await env.call({ verb: 'patch', name: 'b', patchType: merge, body: { metadata: { annotations: { x: 'y' } } } });
    await env.call({ verb: 'delete', name: 'b' });
    expect(t.seen()).toEqual(['ADDED a', 'ADDED b', 'DELETED a', 'MODIFIED b', 'DELETED b']);
    expect(t.events[2].object.metadata.labels).toEqual({ app: 'db' });
    await env.call({ verb: 'patch', name: 'a', patchType: merge, body: { spec: { color: 'blue' } } });
    await env.call({ verb: 'patch', name: 'a', patchType: merge, body: { spec: { color: 'green' } } });
    expect(f.seen()).toEqual(['ADDED a', 'DELETED a']);
  });

  it('bookmarks carry only the resourceVersion; timeoutSeconds ends the watch cleanly', async () => {
    const env = await setup({ bookmarkIntervalMs: 1000 });
    const t = startWatch(env, { allowWatchBookmarks: 'true', timeoutSeconds: '3' });
    await flush();
    await env.call({ verb: 'create', body: widget('a') });
    env.clock.step(1000);
    const bm = t.events.find((e) => e.type === 'BOOKMARK')!;
    expect(bm.object).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { resourceVersion: String(env.store.resourceVersion) } });
    env.clock.step(2000);
    expect(t.closed).toEqual(['clean']);
    const count = t.events.length;
    env.clock.step(5000);
    await env.call({ verb: 'create', body: widget('b') });
    expect(t.events).toHaveLength(count);
    const none = startWatch(env);
    env.clock.step(120_000);
    await flush();
    expect(none.events.every((e) => e.type !== 'BOOKMARK')).toBe(true);
    none.w.stop();
  });

  it('sendInitialEvents ends the initial state with an annotated BOOKMARK; bad requests fail before the watch starts', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a') });
    const t = startWatch(env, { sendInitialEvents: 'true', allowWatchBookmarks: 'true', resourceVersionMatch: 'NotOlderThan' });
    await flush();
    expect(t.events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(t.events[1].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    t.w.stop();
    for (const query of [{ labelSelector: '=x' }, { resourceVersion: 'abc' }, { timeoutSeconds: 'soon' }] as Record<string, string>[]) {
      let thrown: unknown;
      try {
        startWatch(env, query);
      } catch (e) {
        thrown = e;
      }
      expect((thrown as ApiError).code, JSON.stringify(query)).toBe(400);
    }
  });

  it('watches one object by name and can stream tables', async () => {
    const env = await setup();
    const t = startWatch(env, {}, { name: 'a' });
    const tbl = startWatch(env, {}, { asTable: true });
    await flush();
    await env.call({ verb: 'create', body: widget('a') });
    await env.call({ verb: 'create', body: widget('b') });
    expect(t.seen()).toEqual(['ADDED a']);
    expect(tbl.events).toHaveLength(2);
    const table = tbl.events[0].object as unknown as { kind: string; rows: { cells: unknown[] }[] };
    expect(table.kind).toBe('Table');
    expect(table.rows[0].cells.slice(0, 3)).toEqual(['a', 'red', 1]);
  });
});

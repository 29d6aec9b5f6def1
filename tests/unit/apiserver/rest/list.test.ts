import { describe, expect, it } from 'vitest';
import { gadgets, pods, setup, widget } from './fixtures';

const names = (l: { items: { metadata: { name?: string; namespace?: string } }[] }): string[] => l.items.map((i) => i.metadata.name!);

describe('RestHandler list', () => {
  it('answers <Kind>List with apiVersion and the store resourceVersion; all namespaces without one', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: { metadata: { name: 'other' } } }, (await import('./fixtures')).namespaces);
    await env.call({ verb: 'create', body: widget('b') });
    await env.call({ verb: 'create', namespace: 'other', body: widget('a') });
    const l = await env.call({ verb: 'list' });
    expect(l).toMatchObject({ apiVersion: 'example.com/v1', kind: 'WidgetList', metadata: { resourceVersion: String(env.store.resourceVersion) } });
    expect(names(l)).toEqual(['b']);
    const all = await env.call({ verb: 'list', namespace: undefined });
    expect(all.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace)).toEqual(['default', 'other']);
    const g = await env.call({ verb: 'list' }, gadgets);
    expect(g).toMatchObject({ kind: 'GadgetList', items: [] });
  });

  it('filters by label and field selectors; unsupported fields and malformed selectors → 400', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a', { color: 'red' }, { labels: { app: 'web', tier: 'front' } }) });
    await env.call({ verb: 'create', body: widget('b', { color: 'blue' }, { labels: { app: 'web' } }) });
    await env.call({ verb: 'create', body: widget('c', { color: 'red' }, { labels: { app: 'db' } }) });
    const q = async (query: Record<string, string>): Promise<string[]> => names(await env.call({ verb: 'list', query }));
    expect(await q({ labelSelector: 'app=web' })).toEqual(['a', 'b']);
    expect(await q({ labelSelector: 'app in (web,db),!tier' })).toEqual(['b', 'c']);
    expect(await q({ labelSelector: 'tier' })).toEqual(['a']);
    expect(await q({ labelSelector: 'app!=web' })).toEqual(['c']);
    expect(await q({ fieldSelector: 'spec.color=red' })).toEqual(['a', 'c']);
    expect(await q({ fieldSelector: 'metadata.name!=a,spec.color==red' })).toEqual(['c']);
    expect(await q({ fieldSelector: 'metadata.namespace=default', labelSelector: 'app=db' })).toEqual(['c']);
    const unsupported = await env.fail({ verb: 'list', query: { fieldSelector: 'spec.size=1' } });
    expect([unsupported.code, unsupported.message]).toEqual([400, 'field label not supported: spec.size']);
    const malformed = await env.fail({ verb: 'list', query: { labelSelector: 'app in web' } });
    expect([malformed.code, malformed.reason]).toEqual([400, 'BadRequest']);
    const badField = await env.fail({ verb: 'list', query: { fieldSelector: 'nonsense' } });
    expect(badField.code).toBe(400);
    await env.call({ verb: 'create', body: { metadata: { name: 'p' }, spec: { nodeName: 'n1' } } }, pods);
    expect(names(await env.call({ verb: 'list', query: { fieldSelector: 'status.phase=Pending,spec.nodeName=n1' } }, pods))).toEqual(['p']);
  });

  it('paginates with limit/continue over a consistent snapshot despite concurrent writes', async () => {
    const env = await setup();
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await env.call({ verb: 'create', body: widget(n) });
    const p1 = await env.call({ verb: 'list', query: { limit: '3' } });
    expect(names(p1)).toEqual(['a', 'b', 'c']);
    expect(p1.metadata.remainingItemCount).toBe(4);
    expect(p1.metadata.continue).toBeTruthy();
    // writes between pages: visible to a new list, invisible to this one
    await env.call({ verb: 'delete', name: 'e' });
    await env.call({ verb: 'create', body: widget('dd') });
    await env.call({ verb: 'patch', name: 'f', patchType: 'application/merge-patch+json', body: { spec: { color: 'changed' } } });
    const p2 = await env.call({ verb: 'list', query: { limit: '3', continue: p1.metadata.continue } });
    expect(names(p2)).toEqual(['d', 'e', 'f']);
    expect(p2.items[2].spec.color).toBe('red');
    expect(p2.metadata.resourceVersion).toBe(p1.metadata.resourceVersion);
    const p3 = await env.call({ verb: 'list', query: { limit: '3', continue: p2.metadata.continue } });
    expect(names(p3)).toEqual(['g']);
    expect(p3.metadata.continue).toBeUndefined();
    expect(names(await env.call({ verb: 'list' }))).toEqual(['a', 'b', 'c', 'd', 'dd', 'f', 'g']);
    const garbage = await env.fail({ verb: 'list', query: { continue: 'not-a-token' } });
    expect(garbage.code).toBe(400);
  });

  it('an expired continue token (store window passed) → 410 Expired', async () => {
    const env = await setup({ watchWindow: 3 });
    for (const n of ['a', 'b', 'c', 'd']) await env.call({ verb: 'create', body: widget(n) });
    const p1 = await env.call({ verb: 'list', query: { limit: '2' } });
    for (const n of ['x1', 'x2', 'x3', 'x4']) await env.call({ verb: 'create', body: widget(n) });
    const gone = await env.fail({ verb: 'list', query: { limit: '2', continue: p1.metadata.continue } });
    expect([gone.code, gone.reason]).toEqual([410, 'Expired']);
    expect(gone.message).toMatch(/^The provided continue parameter is too old/);
  });

  it('resourceVersion "0" and "" serve the latest state; resourceVersionMatch=Exact serves a past one', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a') });
    await env.call({ verb: 'create', body: widget('b') });
    expect(names(await env.call({ verb: 'list', query: { resourceVersion: '0' } }))).toEqual(['a', 'b']);
    expect(names(await env.call({ verb: 'list', query: { resourceVersion: '' } }))).toEqual(['a', 'b']);
    const past = await env.call({ verb: 'list', query: { resourceVersion: a.metadata.resourceVersion, resourceVersionMatch: 'Exact' } });
    expect(names(past)).toEqual(['a']);
    expect(past.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
  });
});

import { describe, expect, it } from 'vitest';
import { gadgets, setup, widget } from './fixtures';

describe('Table output', () => {
  it('lists as meta.k8s.io/v1 Table with Name first, kind columns, ages and PartialObjectMetadata rows', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a', { color: 'red', replicas: 2 }, { annotations: { note: 'hi' } }) });
    env.clock.step(3 * 60_000 + 5_000);
    await env.call({ verb: 'create', body: widget('b', { color: 'blue' }) });
    env.clock.step(10_000);
    const t = await env.call({ verb: 'list', asTable: true, query: { limit: '1' } });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}/${c.priority}`)).toEqual(['Name/0', 'Color/0', 'Replicas/0', 'Age/0', 'Note/1']);
    expect(t.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name' });
    expect(t.rows[0].cells).toEqual(['a', 'red', 2, '3m15s', 'hi']);
    expect(t.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'a', namespace: 'default' } });
    expect(t.rows[0].object.spec).toBeUndefined();
    expect(t.metadata.resourceVersion).toBe(String(env.store.resourceVersion));
    const rest = await env.call({ verb: 'list', asTable: true, query: { continue: t.metadata.continue, includeObject: 'Object' } });
    expect(rest.rows[0].cells).toEqual(['b', 'blue', 1, '10s', '<none>']);
    expect(rest.rows[0].object.spec.color).toBe('blue');
    const none = await env.call({ verb: 'get', name: 'a', asTable: true, query: { includeObject: 'None' } });
    expect(none.rows).toHaveLength(1);
    expect(none.rows[0].object).toBeUndefined();
  });

  it('kinds without columns get Name and Age', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: { metadata: { name: 'g' } } }, gadgets);
    env.clock.step(2 * 86_400_000 + 3 * 3_600_000);
    const t = await env.call({ verb: 'list', asTable: true }, gadgets);
    expect(t.columnDefinitions.map((c: { name: string; type: string }) => `${c.name}:${c.type}`)).toEqual(['Name:string', 'Age:date']);
    expect(t.rows[0].cells).toEqual(['g', '2d3h']);
  });
});

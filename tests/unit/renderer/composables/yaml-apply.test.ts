import { describe, expect, it } from 'vitest';
import { ApiClient, type FetchLike } from '../../../../renderer/api/client';
import { applyText, KindResolver } from '../../../../renderer/composables/use-yaml-apply';

const DISCOVERY: Record<string, unknown> = {
  '/api/v1': { resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }, { name: 'namespaces', kind: 'Namespace', namespaced: false }, { name: 'pods/log', kind: 'Pod', namespaced: true }] },
};

const status = (code: number, reason: string, message: string, details?: unknown) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details });

/** A tiny API: discovery, plus whatever `answer` says for writes; every write is recorded. */
function fakeApi(answer: (method: string, url: URL, body: unknown) => [number, unknown]) {
  const writes: Array<{ method: string; path: string; query: Record<string, string>; contentType?: string; body: unknown }> = [];
  const fetchImpl: FetchLike = async (input, init) => {
    const url = new URL(input);
    const method = init?.method ?? 'GET';
    if (method === 'GET') return new Response(JSON.stringify(DISCOVERY[url.pathname] ?? status(404, 'NotFound', 'not found')), { status: DISCOVERY[url.pathname] ? 200 : 404 });
    const body: unknown = JSON.parse(String(init?.body));
    writes.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: (init?.headers as Record<string, string>)['Content-Type'], body });
    const [code, out] = answer(method, url, body);
    return new Response(JSON.stringify(out), { status: code });
  };
  const client = new ApiClient({ apiUrl: 'http://127.0.0.1:1', token: 't' }, fetchImpl);
  return { writes, client, resolver: new KindResolver(client) };
}

const TWO = `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
data:
  k: v
---
apiVersion: v1
kind: Namespace
metadata:
  name: team
`;

describe('applying editor text', () => {
  it('dry-runs every document strictly, then applies them; namespaced objects get the current namespace', async () => {
    const { writes, client, resolver } = fakeApi((_m, _u, body) => [201, body]);
    const outcome = await applyText(client, resolver, TWO, 'create', 'shop', false);
    expect(outcome.ok).toBe(true);
    expect(writes.map((w) => `${w.method} ${w.path} ${w.query.dryRun ?? '-'} ${w.query.fieldValidation}`)).toEqual([
      'POST /api/v1/namespaces/shop/configmaps All Strict',
      'POST /api/v1/namespaces All Strict',
      'POST /api/v1/namespaces/shop/configmaps - Strict',
      'POST /api/v1/namespaces - Strict',
    ]);
    expect((writes[0].body as { metadata: { namespace?: string } }).metadata.namespace).toBe('shop');
    expect((writes[1].body as { metadata: { namespace?: string } }).metadata.namespace).toBeUndefined();
  });

  it('applies nothing when one document fails its dry run, and puts the finding on its line', async () => {
    const { writes, client, resolver } = fakeApi((_m, url, body) =>
      url.pathname.endsWith('/namespaces')
        ? [422, status(422, 'Invalid', 'Namespace "team" is invalid', { causes: [{ reason: 'FieldValueInvalid', message: 'bad', field: 'metadata.name' }] })]
        : [201, body],
    );
    const outcome = await applyText(client, resolver, TWO, 'create', 'shop', false);
    expect(outcome.ok).toBe(false);
    expect(writes.every((w) => w.query.dryRun === 'All')).toBe(true);
    expect(outcome.diagnostics.map((d) => [d.line, d.message])).toEqual([[11, 'metadata.name: bad']]);
  });

  it('falls back to server-side apply (fieldManager bosun-dashboard) for an object that exists', async () => {
    const { writes, client, resolver } = fakeApi((method, _u, body) => (method === 'POST' ? [409, status(409, 'AlreadyExists', 'configmaps "a" already exists')] : [200, body]));
    const outcome = await applyText(client, resolver, TWO.split('---')[0], 'create', 'shop', false);
    expect(outcome.ok).toBe(true);
    expect(outcome.outcomes.map((o) => o.verb)).toEqual(['apply']);
    const applies = writes.filter((w) => w.method === 'PATCH');
    expect(applies.map((w) => [w.path, w.contentType, w.query.fieldManager, w.query.force, w.query.dryRun ?? '-'])).toEqual([
      ['/api/v1/namespaces/shop/configmaps/a', 'application/apply-patch+yaml', 'bosun-dashboard', 'true', 'All'],
      ['/api/v1/namespaces/shop/configmaps/a', 'application/apply-patch+yaml', 'bosun-dashboard', 'true', '-'],
    ]);
  });

  it('reports syntax errors, missing kinds and unknown kinds before or instead of writing', async () => {
    const { writes, client, resolver } = fakeApi((_m, _u, body) => [201, body]);
    expect((await applyText(client, resolver, 'a: [1,\n', 'create', 'x', true)).diagnostics[0].severity).toBe('error');
    expect((await applyText(client, resolver, 'metadata:\n  name: x\n', 'create', 'x', true)).diagnostics[0].message).toBe('error validating data: [apiVersion not set, kind not set]');
    const unknown = await applyText(client, resolver, 'apiVersion: v1\nkind: Gizmo\nmetadata:\n  name: g\n', 'create', 'x', true);
    expect(unknown.diagnostics[0].message).toContain('no matches for kind "Gizmo" in version "v1"');
    expect(writes).toEqual([]);
  });

  it('replaces the edited object with PUT in replace mode', async () => {
    const { writes, client, resolver } = fakeApi((_m, _u, body) => [200, body]);
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: shop\n  resourceVersion: "12"\ndata:\n  k: v2\n';
    expect((await applyText(client, resolver, text, 'replace', 'ignored', false)).ok).toBe(true);
    expect(writes.map((w) => `${w.method} ${w.path} ${w.query.dryRun ?? '-'}`)).toEqual(['PUT /api/v1/namespaces/shop/configmaps/a All', 'PUT /api/v1/namespaces/shop/configmaps/a -']);
    expect((writes[1].body as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toBe('12');
  });
});

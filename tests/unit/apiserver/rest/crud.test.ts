import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../../shared/api/errors';
import type { KubeObject } from '../../../../shared/api/meta';
import { deployments, endpoints, gadgets, namespaces, pods, setup, widget } from './fixtures';

describe('RestHandler create/get', () => {
  it('creates with system metadata, generation 1 and cleared status, and reads it back', async () => {
    const env = await setup();
    const body = { ...widget('a'), status: { replicas: 99 } };
    const created = await env.call({ verb: 'create', body });
    expect(created.metadata).toMatchObject({ name: 'a', namespace: 'default', uid: 'uid-2', generation: 1, creationTimestamp: '2026-01-01T12:00:00Z' });
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.status).toEqual({});
    expect(created.spec).toEqual({ color: 'red', replicas: 1 });
    const got = await env.call({ verb: 'get', name: 'a' });
    expect(got).toEqual(created);
    // the caller's body was not mutated
    expect(body.metadata).toEqual({ name: 'a' });
  });

  it('fills apiVersion/kind when absent and rejects mismatches with 400', async () => {
    const env = await setup();
    const ok = await env.call({ verb: 'create', body: { metadata: { name: 'bare' }, spec: {} } });
    expect(ok).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget' });
    const kind = await env.fail({ verb: 'create', body: { ...widget('x'), kind: 'Gadget' } });
    expect([kind.code, kind.reason]).toEqual([400, 'BadRequest']);
    const version = await env.fail({ verb: 'create', body: { ...widget('x'), apiVersion: 'example.com/v2' } });
    expect(version.code).toBe(400);
    expect(version.message).toContain('example.com/v2');
  });

  it('answers Kubernetes-shaped errors: AlreadyExists, NotFound, unknown resource', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a') });
    const dup = await env.fail({ verb: 'create', body: widget('a') });
    expect(dup.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'widgets.example.com "a" already exists',
      reason: 'AlreadyExists',
      details: { name: 'a', group: 'example.com', kind: 'widgets' },
      code: 409,
    });
    const missing = await env.fail({ verb: 'get', name: 'x' }, pods);
    expect([missing.code, missing.reason, missing.message]).toEqual([404, 'NotFound', 'pods "x" not found']);
    const unknown: ApiError = await env.rest.handle({ verb: 'list', group: 'nope.io', version: 'v1', resource: 'things' }).catch((e: ApiError) => e) as ApiError;
    expect(unknown).toBeInstanceOf(ApiError);
    expect([unknown.code, unknown.reason, unknown.message]).toEqual([404, 'NotFound', 'the server could not find the requested resource']);
  });

  it('checks the namespace: URL vs body mismatch 400, missing namespace 404, terminating namespace 403', async () => {
    const env = await setup();
    const mismatch = await env.fail({ verb: 'create', namespace: 'default', body: widget('a', {}, { namespace: 'other' }) });
    expect([mismatch.code, mismatch.message]).toEqual([400, 'the namespace of the provided object does not match the namespace sent on the request']);
    const ghost = await env.fail({ verb: 'create', namespace: 'ghost', body: widget('a') });
    expect([ghost.code, ghost.message]).toEqual([404, 'namespaces "ghost" not found']);
    await env.call({ verb: 'create', body: { metadata: { name: 'dying', finalizers: ['kubernetes'] } } }, namespaces);
    await env.call({ verb: 'delete', name: 'dying' }, namespaces);
    const dying = await env.fail({ verb: 'create', namespace: 'dying', body: widget('a') });
    expect([dying.code, dying.reason]).toEqual([403, 'Forbidden']);
    expect(dying.message).toBe('widgets.example.com "a" is forbidden: unable to create new content in namespace dying because it is being terminated');
    const noNs = await env.fail({ verb: 'create', namespace: undefined, body: widget('c') });
    expect([noNs.code, noNs.message]).toEqual([422, 'Widget.example.com "c" is invalid: metadata.namespace: Required value']);
    // body namespace alone is enough when the URL has none
    const viaBody = await env.call({ verb: 'create', namespace: undefined, body: widget('b', {}, { namespace: 'default' }) });
    expect(viaBody.metadata.namespace).toBe('default');
    // cluster-scoped kinds need no namespace and drop one given in the body
    const g = await env.call({ verb: 'create', body: { metadata: { name: 'g1', namespace: 'default' } } }, gadgets);
    expect(g.metadata.namespace).toBeUndefined();
    expect(await env.store.get('/example.com/gadgets/g1')).toBeDefined();
  });

  it('validates metadata and the kind (422 with causes) and refuses a resourceVersion on create', async () => {
    const env = await setup();
    const bad = await env.fail({ verb: 'create', body: widget('Bad_Name', { replicas: -1 }, { labels: { 'a b': 'x' } }) });
    expect([bad.code, bad.reason]).toEqual([422, 'Invalid']);
    expect(bad.message.startsWith('Widget.example.com "Bad_Name" is invalid: [')).toBe(true);
    expect(bad.causes.map((c) => c.field)).toEqual(['metadata.name', 'metadata.labels', 'spec.replicas']);
    expect(bad.causes[0].reason).toBe('FieldValueInvalid');
    const noName = await env.fail({ verb: 'create', body: { metadata: {} } });
    expect(noName.message).toBe('Widget.example.com "" is invalid: metadata.name: Required value: name or generateName is required');
    const rv = await env.fail({ verb: 'create', body: widget('a', {}, { resourceVersion: '5' }) });
    expect([rv.code, rv.message]).toEqual([400, 'resourceVersion should not be set on objects to be created']);
    const nsName = await env.fail({ verb: 'create', body: { metadata: { name: 'a.b' } } }, namespaces);
    expect(nsName.causes[0].field).toBe('metadata.name');
  });

  it('generateName: 1,000 creates never collide', async () => {
    const env = await setup();
    const names = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const o = await env.call({ verb: 'create', body: { metadata: { generateName: 'w-' }, spec: {} } });
      expect(o.metadata.name).toMatch(/^w-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      names.add(o.metadata.name);
    }
    expect(names.size).toBe(1000);
    expect(await env.store.count('/example.com/widgets/default/')).toBe(1000);
  });

  it('generateName retries a colliding suffix instead of failing', async () => {
    const env = await setup();
    const spy = vi.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const first = await env.call({ verb: 'create', body: { metadata: { generateName: 'w-' }, spec: {} } });
      expect(first.metadata.name).toBe('w-bbbbb');
      let calls = 0;
      spy.mockImplementation(() => (calls++ < 5 ? 0 : 0.5));
      const second = await env.call({ verb: 'create', body: { metadata: { generateName: 'w-' }, spec: {} } });
      expect(second.metadata.name).not.toBe('w-bbbbb');
      expect(second.metadata.generateName).toBe('w-');
    } finally {
      spy.mockRestore();
    }
    const long = await env.call({ verb: 'create', body: { metadata: { generateName: 'x'.repeat(70) }, spec: {} } });
    expect(long.metadata.name).toHaveLength(63);
  });
});

describe('RestHandler update', () => {
  it('bumps generation only on spec changes, keeps status and system metadata', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a') });
    await env.call({ verb: 'update', name: 'a', subresource: 'status', body: { ...a, status: { replicas: 3 } } });
    const relabel = await env.call({ verb: 'update', name: 'a', body: { ...widget('a'), metadata: { name: 'a', labels: { x: 'y' } } } });
    expect(relabel.metadata.generation).toBe(1);
    expect(relabel.metadata.uid).toBe(a.metadata.uid);
    expect(relabel.metadata.creationTimestamp).toBe(a.metadata.creationTimestamp);
    expect(relabel.status).toEqual({ replicas: 3 });
    const respec = await env.call({ verb: 'update', name: 'a', body: { ...relabel, spec: { color: 'blue', replicas: 1 }, status: { replicas: 42 } } });
    expect(respec.metadata.generation).toBe(2);
    expect(respec.status).toEqual({ replicas: 3 });
    expect(Number(respec.metadata.resourceVersion)).toBeGreaterThan(Number(relabel.metadata.resourceVersion));
  });

  it('/status updates keep the old spec but take status, labels and annotations', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a') });
    const s = await env.call({
      verb: 'update',
      name: 'a',
      subresource: 'status',
      body: { ...a, metadata: { ...a.metadata, labels: { l: '1' }, finalizers: ['x.io/f'] }, spec: { color: 'green' }, status: { replicas: 2 } },
    });
    expect(s.spec).toEqual(a.spec);
    expect(s.status).toEqual({ replicas: 2 });
    expect(s.metadata.labels).toEqual({ l: '1' });
    expect(s.metadata.finalizers).toBeUndefined();
    expect(s.metadata.generation).toBe(1);
  });

  it('a no-op update writes nothing and returns the same resourceVersion', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a') });
    const rv = env.store.resourceVersion;
    const same = await env.call({ verb: 'update', name: 'a', body: a });
    expect(same.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    expect(env.store.resourceVersion).toBe(rv);
  });

  it('stale resourceVersion → 409 Conflict with the Kubernetes message; empty resourceVersion is unconditional', async () => {
    const env = await setup();
    const d = await env.call({ verb: 'create', body: { metadata: { name: 'web' }, spec: { replicas: 1 } } }, deployments);
    await env.call({ verb: 'update', name: 'web', body: { ...d, spec: { replicas: 2 } } }, deployments);
    const stale = await env.fail({ verb: 'update', name: 'web', body: { ...d, spec: { replicas: 3 } } }, deployments);
    expect([stale.code, stale.reason]).toEqual([409, 'Conflict']);
    expect(stale.message).toBe(
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    const unconditional = await env.call({ verb: 'update', name: 'web', body: { ...d, metadata: { name: 'web' }, spec: { replicas: 4 } } }, deployments);
    expect(unconditional.spec.replicas).toBe(4);
    expect(unconditional.metadata.generation).toBe(3);
  });

  it('50 concurrent updates from one resourceVersion: exactly 1 succeeds, 49 Conflict', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a') });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => env.call({ verb: 'update', name: 'a', body: { ...a, spec: { color: `c${i}`, replicas: 1 } } })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const conflicts = results.filter((r) => r.status === 'rejected' && (r.reason as ApiError).reason === 'Conflict');
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(49);
    const stored = await env.call({ verb: 'get', name: 'a' });
    expect(stored.spec.color).toBe(((ok[0] as PromiseFulfilledResult<KubeObject>).value.spec as { color: string }).color);
  });

  it('rejects name mismatch (400), uid change and immutable fields (422); missing object → 404 unless create-on-update', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a', { immutable: 'x' }) });
    const name = await env.fail({ verb: 'update', name: 'a', body: { ...a, metadata: { ...a.metadata, name: 'b' } } });
    expect([name.code, name.message]).toEqual([400, 'the name of the object (b) does not match the name on the URL (a)']);
    const uid = await env.fail({ verb: 'update', name: 'a', body: { ...a, metadata: { ...a.metadata, uid: 'other' } } });
    expect([uid.code, uid.causes[0].field]).toEqual([422, 'metadata.uid']);
    const imm = await env.fail({ verb: 'update', name: 'a', body: { ...a, spec: { ...a.spec, immutable: 'y' } } });
    expect(imm.message).toBe('Widget.example.com "a" is invalid: spec.immutable: Invalid value: "y": field is immutable');
    const missing = await env.fail({ verb: 'update', name: 'nope', body: widget('nope') });
    expect([missing.code, missing.message]).toEqual([404, 'widgets.example.com "nope" not found']);
    const ep = await env.call({ verb: 'update', name: 'ep', body: { metadata: { name: 'ep' }, subsets: [] } }, endpoints);
    expect(ep.metadata.uid).toBeDefined();
    expect(ep.kind).toBe('Endpoints');
  });
});

describe('dryRun=All', () => {
  it('runs validation and admission but stores nothing on create/update/patch/delete', async () => {
    const seen: string[] = [];
    const env = await setup({ admission: [{ name: 'rec', admit: (c) => void seen.push(`${c.operation}:${c.dryRun}`) }] });
    seen.length = 0; // the default namespace created by setup went through admission too
    const dry = { dryRun: 'All' };
    const rv0 = env.store.resourceVersion;
    const c = await env.call({ verb: 'create', body: widget('a'), query: dry });
    expect(c.metadata.uid).toBeDefined();
    expect(await env.store.get('/example.com/widgets/default/a')).toBeUndefined();
    const invalid = await env.fail({ verb: 'create', body: widget('a', { replicas: -1 }), query: dry });
    expect(invalid.code).toBe(422);
    const a = await env.call({ verb: 'create', body: widget('a') });
    const rv1 = env.store.resourceVersion;
    const u = await env.call({ verb: 'update', name: 'a', body: { ...a, spec: { color: 'blue' } }, query: dry });
    expect(u.spec.color).toBe('blue');
    const p = await env.call({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { spec: { color: 'green' } }, query: dry });
    expect(p.spec.color).toBe('green');
    const d = await env.call({ verb: 'delete', name: 'a', query: dry });
    expect(d.metadata.name).toBe('a');
    expect(env.store.resourceVersion).toBe(rv1);
    expect((await env.call({ verb: 'get', name: 'a' })).spec.color).toBe('red');
    expect(rv1).toBe(rv0 + 1);
    expect(seen).toEqual(['CREATE:true', 'CREATE:true', 'CREATE:false', 'UPDATE:true', 'UPDATE:true', 'DELETE:true']);
    const badValue = await env.fail({ verb: 'create', body: widget('b'), query: { dryRun: 'Yes' } });
    expect(badValue.code).toBe(400);
  });
});

describe('admission', () => {
  it('runs every mutating plugin before validation and every validating plugin after it', async () => {
    const order: string[] = [];
    const env = await setup({
      admission: [
        { name: 'm1', admit: (c) => { order.push('m1'); c.object!.metadata.labels = { ...c.object!.metadata.labels, added: 'yes' }; } },
        { name: 'v1', validate: (c) => { order.push('v1'); if (c.object!.metadata.name === 'forbidden') throw ApiError.forbidden('widgets "forbidden" is forbidden: no'); } },
        // mutating plugins may fix what validation would reject
        { name: 'm2', admit: (c) => { order.push('m2'); const s = c.object!.spec as { replicas?: number }; if (s && (s.replicas ?? 0) < 0) s.replicas = 0; } },
      ],
    });
    order.length = 0;
    const a = await env.call({ verb: 'create', body: widget('a', { replicas: -5 }) });
    expect(a.metadata.labels).toEqual({ added: 'yes' });
    expect(a.spec.replicas).toBe(0);
    expect(order).toEqual(['m1', 'm2', 'v1']);
    const f = await env.fail({ verb: 'create', body: widget('forbidden') });
    expect(f.code).toBe(403);
    expect(await env.store.get('/example.com/widgets/default/forbidden')).toBeUndefined();
  });
});

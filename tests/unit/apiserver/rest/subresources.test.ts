import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/api/errors';
import { deployments, pods, setup, widget } from './fixtures';

describe('/status and /scale', () => {
  it('status get/patch touch only status', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a') });
    const p = await env.call({ verb: 'patch', name: 'a', subresource: 'status', patchType: 'application/merge-patch+json', body: { spec: { color: 'x' }, status: { replicas: 4 } } });
    expect(p.status).toEqual({ replicas: 4 });
    expect(p.spec.color).toBe('red');
    expect((await env.call({ verb: 'get', name: 'a', subresource: 'status' })).status).toEqual({ replicas: 4 });
    const notServed = await env.fail({ verb: 'get', name: 'x', subresource: 'scale' }, pods);
    expect(notServed.code).toBe(404);
  });

  it('scale returns autoscaling/v1 Scale and writes spec.replicas through get/update/patch', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } } } }, deployments);
    const s = await env.call({ verb: 'get', name: 'web', subresource: 'scale' }, deployments);
    expect(s).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 }, status: { replicas: 0, selector: 'app=web' } });
    const u = await env.call({ verb: 'update', name: 'web', subresource: 'scale', body: { ...s, spec: { replicas: 5 } } }, deployments);
    expect(u.spec.replicas).toBe(5);
    const d = await env.call({ verb: 'get', name: 'web' }, deployments);
    expect(d.spec.replicas).toBe(5);
    expect(d.metadata.generation).toBe(2);
    const stale = await env.fail({ verb: 'update', name: 'web', subresource: 'scale', body: { ...s, spec: { replicas: 6 } } }, deployments);
    expect(stale.code).toBe(409);
    const p = await env.call({ verb: 'patch', name: 'web', subresource: 'scale', patchType: 'application/merge-patch+json', body: { spec: { replicas: 1 } } }, deployments);
    expect(p.spec.replicas).toBe(1);
    const neg = await env.fail({ verb: 'patch', name: 'web', subresource: 'scale', patchType: 'application/merge-patch+json', body: { spec: { replicas: -1 } } }, deployments);
    expect(neg.code).toBe(422);
  });
});

describe('pods/binding and pods/eviction', () => {
  it('binding sets nodeName once; a second binding is 409', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: { metadata: { name: 'p' }, spec: {} } }, pods);
    const ok = await env.call({ verb: 'create', name: 'p', subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } } }, pods);
    expect(ok).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const pod = await env.call({ verb: 'get', name: 'p' }, pods);
    expect(pod.spec.nodeName).toBe('n1');
    expect(pod.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
    const again = await env.fail({ verb: 'create', name: 'p', subresource: 'binding', body: { metadata: { name: 'p' }, target: { name: 'n2' } } }, pods);
    expect([again.code, again.reason]).toEqual([409, 'Conflict']);
    expect(again.message).toContain('pod p is already assigned to node "n1"');
  });

  it('eviction consults the evictionPolicy hook, then deletes gracefully', async () => {
    let refuse = true;
    const env = await setup({
      evictionPolicy: () => {
        if (refuse) throw ApiError.tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.');
      },
    });
    await env.call({ verb: 'create', body: { metadata: { name: 'p' }, spec: { nodeName: 'n1' } } }, pods);
    // A Pending pod skips budgets (canIgnorePDB), so the hook is only asked about a Running one.
    await env.call({ verb: 'patch', name: 'p', subresource: 'status', patchType: 'application/merge-patch+json', body: { status: { phase: 'Running' } } }, pods);
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'default' } };
    const refused = await env.fail({ verb: 'create', name: 'p', subresource: 'eviction', body }, pods);
    expect(refused.code).toBe(429);
    refuse = false;
    const ok = await env.call({ verb: 'create', name: 'p', subresource: 'eviction', body }, pods);
    expect(ok).toMatchObject({ status: 'Success', code: 201 });
    const pod = await env.call({ verb: 'get', name: 'p' }, pods);
    expect(pod.metadata.deletionGracePeriodSeconds).toBe(30);
  });

  it('other subresources: registered handlers serve them, unregistered → 404', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: { metadata: { name: 'p' }, spec: {} } }, pods);
    const missing = await env.fail({ verb: 'get', name: 'p', subresource: 'log' }, pods);
    expect([missing.code, missing.reason]).toEqual([404, 'NotFound']);
    expect(missing.message).toContain('log');
    env.rest.registerSubresource('', 'pods', 'log', async (req) => `logs of ${req.name}`);
    expect(await env.call({ verb: 'get', name: 'p', subresource: 'log' }, pods)).toBe('logs of p');
  });
});

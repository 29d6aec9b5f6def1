import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { deployments, setup, widget } from '../rest/fixtures';

const SMP = 'application/strategic-merge-patch+json' as const;
const APPLY = 'application/apply-patch+yaml' as const;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function manifest(image: string, env: { name: string; value: string }[] | undefined, ports: number[]) {
  const c: Record<string, unknown> = { name: 'web', image, ports: ports.map((p) => ({ containerPort: p })) };
  if (env) c.env = env;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [c] } } },
  };
}

describe('PATCH through the handler', () => {
  it('a kubectl apply sequence: create, change image + add env, drop a port with $setElementOrder', async () => {
    const env = await setup();
    const v1 = manifest('nginx:1', undefined, [80, 443]);
    const created = await env.call(
      { verb: 'create', body: { ...v1, metadata: { ...v1.metadata, annotations: { [LAST_APPLIED]: JSON.stringify(v1) } } } },
      deployments,
    );
    // someone else scaled it and a webhook-like actor injected a sidecar: apply must keep both
    await env.call({ verb: 'patch', name: 'web', patchType: 'application/merge-patch+json', body: { spec: { replicas: 5 } } }, deployments);
    await env.call({ verb: 'patch', name: 'web', patchType: SMP, body: { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'proxy:1' }] } } } } }, deployments);

    const v2 = manifest('nginx:2', [{ name: 'A', value: '1' }], [80, 443]);
    const p2 = await env.call(
      {
        verb: 'patch',
        name: 'web',
        patchType: SMP,
        body: {
          metadata: { annotations: { [LAST_APPLIED]: JSON.stringify(v2) } },
          spec: { template: { spec: { $setElementOrder: undefined, '$setElementOrder/containers': [{ name: 'web' }], containers: [{ env: [{ name: 'A', value: '1' }], image: 'nginx:2', name: 'web' }] } } },
        },
      },
      deployments,
    );
    expect(p2.spec.replicas).toBe(5);
    expect(p2.spec.template.spec.containers).toEqual([
      { name: 'web', image: 'nginx:2', ports: [{ containerPort: 80 }, { containerPort: 443 }], env: [{ name: 'A', value: '1' }] },
      { name: 'sidecar', image: 'proxy:1' },
    ]);
    expect(p2.metadata.generation).toBe(created.metadata.generation + 3);

    const v3 = manifest('nginx:2', [{ name: 'A', value: '1' }], [80]);
    const p3 = await env.call(
      {
        verb: 'patch',
        name: 'web',
        patchType: SMP,
        body: {
          metadata: { annotations: { [LAST_APPLIED]: JSON.stringify(v3) } },
          spec: {
            template: {
              spec: {
                '$setElementOrder/containers': [{ name: 'web' }],
                containers: [{ '$setElementOrder/ports': [{ containerPort: 80 }], name: 'web', ports: [{ $patch: 'delete', containerPort: 443 }] }],
              },
            },
          },
        },
      },
      deployments,
    );
    expect(p3.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80 }]);
    expect(p3.spec.template.spec.containers[1].name).toBe('sidecar');
    expect(JSON.parse(p3.metadata.annotations[LAST_APPLIED])).toEqual(v3);
    // reordering alone (kubectl sends $setElementOrder for every merged list)
    const p4 = await env.call(
      { verb: 'patch', name: 'web', patchType: SMP, body: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }] } } } } },
      deployments,
    );
    expect(p4.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['sidecar', 'web']);
  });

  it('a patch naming a stale resourceVersion is a Conflict; without one it retries and lands', async () => {
    const env = await setup();
    const a = await env.call({ verb: 'create', body: widget('a') });
    await env.call({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { spec: { color: 'b' } } });
    const stale = await env.fail({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { resourceVersion: a.metadata.resourceVersion }, spec: { color: 'c' } } });
    expect(stale.code).toBe(409);
    await env.call({ verb: 'patch', name: 'a', patchType: 'application/json-patch+json', body: [{ op: 'add', path: '/metadata/annotations', value: {} }] });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => env.call({ verb: 'patch', name: 'a', patchType: 'application/json-patch+json', body: [{ op: 'add', path: `/metadata/annotations/k${i}`, value: 'v' }] })),
    );
    expect(Object.keys((await env.call({ verb: 'get', name: 'a' })).metadata.annotations)).toHaveLength(20);
    const failedTest = await env.fail({ verb: 'patch', name: 'a', patchType: 'application/json-patch+json', body: [{ op: 'test', path: '/spec/color', value: 'nope' }] });
    expect(failedTest.code).toBe(422);
    const missing = await env.fail({ verb: 'patch', name: 'zzz', patchType: 'application/merge-patch+json', body: {} });
    expect(missing.code).toBe(404);
    const badType = await env.fail({ verb: 'patch', name: 'a', patchType: 'text/plain' as never, body: {} });
    expect(badType.code).toBe(415);
    const rename = await env.fail({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { name: 'b' } } });
    expect(rename.code).toBe(400);
  });

  it('concurrent merge patches all land (conflicts are retried server-side)', async () => {
    const env = await setup();
    await env.call({ verb: 'create', body: widget('a') });
    await Promise.all(Array.from({ length: 20 }, (_, i) => env.call({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { labels: { [`k${i}`]: 'v' } } } })));
    const a = await env.call({ verb: 'get', name: 'a' });
    expect(Object.keys(a.metadata.labels)).toHaveLength(20);
  });
});

describe('server-side apply', () => {
  it('requires a fieldManager; creates when missing; records managedFields', async () => {
    const env = await setup();
    const cfg = manifest('nginx:1', [{ name: 'A', value: '1' }], [80]);
    const noManager = await env.fail({ verb: 'patch', name: 'web', patchType: APPLY, body: stringify(cfg) }, deployments);
    expect(noManager.code).toBe(400);
    const created = await env.call({ verb: 'patch', name: 'web', patchType: APPLY, body: stringify(cfg), query: { fieldManager: 'alice' } }, deployments);
    expect(created.metadata.uid).toBeDefined();
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'alice', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', time: '2026-01-01T12:00:00Z' }),
    ]);
    const fields = created.metadata.managedFields[0].fieldsV1;
    expect(fields['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:image']).toEqual({});
    expect(fields['f:spec']['f:replicas']).toEqual({});
  });

  it('updates: changes applied fields, keeps others, removes fields the manager stopped applying', async () => {
    const env = await setup();
    const q = { fieldManager: 'alice' };
    await env.call({ verb: 'patch', name: 'web', patchType: APPLY, body: manifest('nginx:1', [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], [80]), query: q }, deployments);
    await env.call({ verb: 'patch', name: 'web', patchType: 'application/merge-patch+json', body: { metadata: { labels: { team: 'x' } } } }, deployments);
    const v2 = await env.call({ verb: 'patch', name: 'web', patchType: APPLY, body: stringify(manifest('nginx:2', [{ name: 'A', value: '1' }], [80])), query: q }, deployments);
    const c = v2.spec.template.spec.containers[0];
    expect(c.image).toBe('nginx:2');
    expect(c.env).toEqual([{ name: 'A', value: '1' }]);
    expect(v2.metadata.labels).toEqual({ team: 'x' });
    expect(v2.metadata.generation).toBe(2);
    expect(v2.metadata.managedFields.filter((m: { manager: string }) => m.manager === 'alice')).toHaveLength(1);
    // re-applying the same config later is a no-op: no write, the entry keeps its time
    env.clock.step(60_000);
    const rv = env.store.resourceVersion;
    await env.call({ verb: 'patch', name: 'web', patchType: APPLY, body: manifest('nginx:2', [{ name: 'A', value: '1' }], [80]), query: q }, deployments);
    expect(env.store.resourceVersion).toBe(rv);
  });

  it('two appliers setting one field differently conflict unless force=true', async () => {
    const env = await setup();
    await env.call({ verb: 'patch', name: 'web', patchType: APPLY, body: manifest('nginx:1', undefined, [80]), query: { fieldManager: 'alice' } }, deployments);
    const bobCfg = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 7 } };
    const conflict = await env.fail({ verb: 'patch', name: 'web', patchType: APPLY, body: bobCfg, query: { fieldManager: 'bob' } }, deployments);
    expect([conflict.code, conflict.reason]).toEqual([409, 'Conflict']);
    expect(conflict.message).toBe('Apply failed with 1 conflict: conflict with "alice" using apps/v1: .spec.replicas');
    expect(conflict.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "alice" using apps/v1', field: '.spec.replicas' }]);
    // the same value is shared ownership, not a conflict
    await env.call({ verb: 'patch', name: 'web', patchType: APPLY, body: { ...bobCfg, spec: { replicas: 2 } }, query: { fieldManager: 'bob' } }, deployments);
    const forced = await env.call({ verb: 'patch', name: 'web', patchType: APPLY, body: bobCfg, query: { fieldManager: 'bob', force: 'true' } }, deployments);
    expect(forced.spec.replicas).toBe(7);
    const alice = forced.metadata.managedFields.find((m: { manager: string }) => m.manager === 'alice');
    expect(alice.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
  });
});

describe('managedFields of Update operations', () => {
  it('creates and updates record their manager; taking a field over moves ownership; SSA conflicts with Update owners', async () => {
    const env = await setup();
    const created = await env.call({ verb: 'create', body: manifest('nginx:1', undefined, [80]), query: { fieldManager: 'kubectl-create' } }, deployments);
    expect(created.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2026-01-01T12:00:00Z', fieldsType: 'FieldsV1' }),
    ]);
    expect(created.metadata.managedFields[0].fieldsV1['f:spec']['f:replicas']).toEqual({});
    env.clock.step(1000);
    const scaled = await env.call({ verb: 'patch', name: 'web', patchType: 'application/merge-patch+json', body: { spec: { replicas: 4 } }, user: 'system:admin' }, deployments);
    const byManager = Object.fromEntries(scaled.metadata.managedFields.map((m: { manager: string }) => [m.manager, m]));
    expect(byManager['system:admin'].fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(byManager['system:admin'].time).toBe('2026-01-01T12:00:01Z');
    expect(byManager['kubectl-create'].fieldsV1['f:spec']['f:replicas']).toBeUndefined();
    // a write that changes nothing records nothing
    const rv = env.store.resourceVersion;
    await env.call({ verb: 'patch', name: 'web', patchType: 'application/merge-patch+json', body: { spec: { replicas: 4 } }, query: { fieldManager: 'other' } }, deployments);
    expect(env.store.resourceVersion).toBe(rv);
    const conflict = await env.fail({ verb: 'patch', name: 'web', patchType: APPLY, body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, query: { fieldManager: 'alice' } }, deployments);
    expect(conflict.message).toBe('Apply failed with 1 conflict: conflict with "system:admin" using apps/v1: .spec.replicas');
    const status = await env.call({ verb: 'patch', name: 'web', subresource: 'status', patchType: 'application/merge-patch+json', body: { status: { replicas: 4 } }, query: { fieldManager: 'controller' } }, deployments);
    expect(status.metadata.managedFields.find((m: { manager: string }) => m.manager === 'controller')).toMatchObject({ subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } });
  });
});

import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../../../shared/api/errors';
import type { ResourceDef } from '../../../../main/apiserver/types';
import { deployments as realDeployments } from '../../../../main/apiserver/registry/deployments';
import { pods as realPods } from '../../../../main/apiserver/registry/pods';
import { ALL, setup } from './fixtures';

const hooked: ResourceDef = {
  group: 'example.com',
  version: 'v1',
  resource: 'hooks',
  kind: 'Hook',
  singular: 'hook',
  namespaced: true,
  omitNameColumn: true,
  columns: [{ name: 'Message', type: 'string', priority: 0, cell: (o) => (o.spec as { message?: string }).message }],
  // Strategy hooks see system metadata already assigned, and the stored object on update.
  prepareForCreate: (o) => {
    (o.spec as Record<string, unknown>).selector = `uid=${o.metadata.uid}`;
  },
  prepareForUpdate: (o, old) => {
    const spec = o.spec as Record<string, unknown>;
    spec.allocated ??= (old.spec as Record<string, unknown>).allocated;
  },
  validate: (o) => (o.metadata.name === 'x.y' ? [{ type: 'FieldValueInvalid', field: 'metadata.name', value: 'x.y', detail: 'kind says no' }] : []),
};

describe('ResourceDef strategy hooks', () => {
  it('prepareForCreate runs with uid assigned; prepareForUpdate can carry server-owned fields over', async () => {
    const env = await setup({ resources: [...ALL, hooked] });
    const h = await env.call({ verb: 'create', body: { metadata: { name: 'h' }, spec: { message: 'hi', allocated: '10.0.0.1' } } }, hooked);
    expect(h.spec.selector).toBe(`uid=${h.metadata.uid}`);
    const u = await env.call({ verb: 'update', name: 'h', body: { metadata: { name: 'h' }, spec: { message: 'bye', selector: h.spec.selector } } }, hooked);
    expect(u.spec).toEqual({ message: 'bye', selector: h.spec.selector, allocated: '10.0.0.1' });
  });

  it('a kind reporting a metadata field replaces the generic error for that field', async () => {
    const env = await setup({ resources: [...ALL, hooked] });
    const bad = await env.fail({ verb: 'create', body: { metadata: { name: 'x.y', labels: { '-bad': 'v' } }, spec: {} } }, hooked);
    expect(bad.causes.map((c) => `${c.field}: ${c.message}`)).toEqual([expect.stringMatching(/^metadata\.labels: Invalid value: "-bad"/), 'metadata.name: Invalid value: "x.y": kind says no']);
  });

  it('omitNameColumn: the kind carries its own columns, no leading Name', async () => {
    const env = await setup({ resources: [...ALL, hooked] });
    await env.call({ verb: 'create', body: { metadata: { name: 'h' }, spec: { message: 'hi' } } }, hooked);
    const t = await env.call({ verb: 'list', asTable: true }, hooked);
    expect(t.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Message']);
    expect(t.rows[0].cells).toEqual(['hi']);
  });
});

describe('with the registry kinds', () => {
  it('deployments: defaults apply, generation tracks spec, scale works', async () => {
    const env = await setup({ resources: [...ALL.filter((d) => d.resource !== 'deployments' && d.resource !== 'pods'), realDeployments, realPods] });
    const d = await env.call(
      {
        verb: 'create',
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
        },
      },
      realDeployments,
    );
    expect(d.metadata.generation).toBe(1);
    expect(d.spec.replicas).toBe(1);
    const patched = await env.call(
      { verb: 'patch', name: 'web', patchType: 'application/strategic-merge-patch+json', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } } },
      realDeployments,
    );
    expect(patched.spec.template.spec.containers[0].image).toBe('nginx:2');
    expect(patched.metadata.generation).toBe(2);
    const scale = await env.call({ verb: 'get', name: 'web', subresource: 'scale' }, realDeployments);
    expect(scale.status.selector).toBe('app=web');
    const invalid = await env.fail({ verb: 'create', body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: {} } }, realDeployments);
    expect(invalid.code).toBe(422);
  });

  it('pods: create, bind, graceful delete, confirm', async () => {
    const env = await setup({ resources: [...ALL.filter((d) => d.resource !== 'pods'), realPods] });
    await env.call({ verb: 'create', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } }, realPods);
    await env.call({ verb: 'create', name: 'p', subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } } }, realPods);
    const deleting = await env.call({ verb: 'delete', name: 'p' }, realPods);
    expect(deleting.metadata.deletionGracePeriodSeconds).toBe(30);
    await env.call({ verb: 'delete', name: 'p', query: { gracePeriodSeconds: '0' } }, realPods);
    expect((await env.fail({ verb: 'get', name: 'p' }, realPods)).code).toBe(404);
  });
});

describe('resourceFor / storeKey', () => {
  it('finds built-in kinds and those a handler serves; builds Store keys', async () => {
    const { resourceFor, storeKey, collectionPrefix } = await import('../../../../main/apiserver/rest');
    expect(resourceFor('apps', 'deployments')?.kind).toBe('Deployment');
    expect(resourceFor('', 'pods')?.namespaced).toBe(true);
    expect(resourceFor('nope', 'things')).toBeUndefined();
    await setup({ resources: [...ALL, hooked] });
    expect(resourceFor('example.com', 'hooks')).toBe(hooked);
    expect(storeKey(realPods, 'default', 'p')).toBe('/core/pods/default/p');
    expect(storeKey(realDeployments, 'ns', 'web')).toBe('/apps/deployments/ns/web');
    expect(storeKey({ group: '', resource: 'nodes', namespaced: false }, undefined, 'n1')).toBe('/core/nodes/n1');
    expect(collectionPrefix(realPods, 'default')).toBe('/core/pods/default/');
    expect(collectionPrefix(realPods)).toBe('/core/pods/');
  });
});

describe('with all builtinResources', () => {
  it('namespace lifecycle guards creates; services keep kind-specific name rules', async () => {
    const { builtinResources } = await import('../../../../main/apiserver/registry');
    const { RestHandler } = await import('../../../../main/apiserver/rest');
    const { MemoryStore } = await import('../../../../main/store/memory-store');
    const rest = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
    const core = { group: '', version: 'v1' };
    await rest.handle({ ...core, verb: 'create', resource: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } } });
    const cm = (await rest.handle({ ...core, verb: 'create', resource: 'configmaps', namespace: 'lab', body: { metadata: { name: 'c' }, data: { a: 'b' } } })) as { metadata: { uid?: string } };
    expect(cm.metadata.uid).toBeDefined();
    const missing = await rest.handle({ ...core, verb: 'create', resource: 'configmaps', namespace: 'ghost', body: { metadata: { name: 'c' } } }).catch((e: unknown) => e as ApiError);
    expect((missing as ApiError).message).toBe('namespaces "ghost" not found');
    const svc = await rest
      .handle({ ...core, verb: 'create', resource: 'services', namespace: 'lab', body: { metadata: { name: '1abc' }, spec: { ports: [{ port: 80 }] } } })
      .catch((e: unknown) => e as ApiError);
    expect((svc as ApiError).code).toBe(422);
    expect((svc as ApiError).causes.filter((c) => c.field === 'metadata.name')).toHaveLength(1);
  });
});

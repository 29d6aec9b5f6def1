// Target selection shared by the injectors: selectors on the real in-process apiserver, Chaos Mesh's
// modes with a pinned random source, protected namespaces refused with a 422 naming the field.
import { beforeEach, describe, expect, it } from 'vitest';
import type { PodFault } from '../../../shared/api/chaos';
import { ApiError } from '../../../shared/api/errors';
import type { Pod } from '../../../shared/api/pod';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import { applyMode, matchNodes, matchPods, selectNodes } from '../../../main/chaos/targets';
import { MemoryStore } from '../../../main/store/memory-store';

let admin: KubeClient;

const fault = (spec: Partial<PodFault['spec']> = {}, namespace = 'default'): PodFault => ({
  kind: 'PodFault',
  metadata: { name: 'f', namespace, uid: 'fu' },
  spec: { action: 'kill', selector: {}, ...spec },
});

async function pod(name: string, labels: Record<string, string>, opts: { namespace?: string; nodeName?: string } = {}): Promise<Pod> {
  const body: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default', labels },
    spec: { containers: [{ name: 'c', image: 'busybox:1' }], ...(opts.nodeName === '' ? {} : { nodeName: opts.nodeName ?? 'node-1' }) },
  };
  return admin.pods<Pod>().create(body.metadata.namespace, body);
}

const names = (pods: Array<{ metadata: { name?: string } }>): string[] => pods.map((p) => p.metadata.name ?? '');

function expectInvalid(e: unknown, field: string, detail: RegExp): void {
  expect(e).toBeInstanceOf(ApiError);
  const err = e as ApiError;
  expect(err.code).toBe(422);
  expect(err.causes.map((c) => c.field)).toEqual([field]);
  expect(err.message).toMatch(detail);
}

beforeEach(async () => {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock: new FakeClock() });
  admin = new KubeClient(handler, 'system:admin');
  for (const name of ['default', 'kube-system', 'shop']) await admin.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
});

describe('applyMode (Chaos Mesh modes)', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  it('all keeps every match; one picks exactly one by the random source', () => {
    expect(applyMode(fault({ mode: 'all' }), items, () => 0)).toEqual(items);
    expect(applyMode(fault({}), items, () => 0)).toEqual(items);
    const picked = applyMode(fault({ mode: 'one' }), items, () => 0.99);
    expect(picked).toHaveLength(1);
    expect(items).toContain(picked[0]);
    // Different random draws pick different items.
    const seen = new Set([0, 0.2, 0.4, 0.6, 0.8, 0.99].map((r) => applyMode(fault({ mode: 'one' }), items, () => r)[0]));
    expect(seen.size).toBeGreaterThan(1);
    expect(applyMode(fault({ mode: 'one' }), [], () => 0)).toEqual([]);
  });

  it('fixed N picks N distinct ones (all when fewer match)', () => {
    const two = applyMode(fault({ mode: 'fixed', value: '2' }), items, Math.random);
    expect(new Set(two).size).toBe(2);
    expect(applyMode(fault({ mode: 'fixed', value: '9' }), items, Math.random)).toEqual(items);
  });

  it('fixed-percent rounds down, and refuses a percentage that rounds to 0 instead of doing nothing', () => {
    expect(applyMode(fault({ mode: 'fixed-percent', value: '50' }), items, Math.random)).toHaveLength(2);
    expect(applyMode(fault({ mode: 'fixed-percent', value: '100' }), items, Math.random)).toHaveLength(5);
    let err: unknown;
    try {
      applyMode(fault({ mode: 'fixed-percent', value: '10' }), ['a', 'b', 'c'], Math.random, 'pods');
    } catch (e) {
      err = e;
    }
    expectInvalid(err, 'spec.value', /10% of the 3 matching pods rounds down to 0/);
  });

  it('rejects a value the mode cannot use', () => {
    expect(() => applyMode(fault({ mode: 'fixed', value: 'x' }), items, Math.random)).toThrow(/spec.value/);
    expect(() => applyMode(fault({ mode: 'fixed-percent', value: '101' }), items, Math.random)).toThrow(/between 1 and 100/);
  });
});

describe('matchPods', () => {
  it('selects by label in the fault namespace, leaving out unbound and terminating pods', async () => {
    await pod('web-1', { app: 'web' });
    await pod('web-2', { app: 'web' });
    await pod('web-pending', { app: 'web' }, { nodeName: '' });
    await pod('db', { app: 'db' });
    await pod('web-shop', { app: 'web' }, { namespace: 'shop' });
    const got = await matchPods(admin, fault(), { labelSelector: { matchLabels: { app: 'web' } } });
    expect(names(got)).toEqual(['web-1', 'web-2']);
    const shop = await matchPods(admin, fault(), { namespace: 'shop', labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } });
    expect(names(shop)).toEqual(['web-shop']);
  });

  it('explicit pods as ns/name or name; a missing one is a 422 naming its index', async () => {
    await pod('web-1', { app: 'web' });
    await pod('web-shop', { app: 'web' }, { namespace: 'shop' });
    expect(names(await matchPods(admin, fault(), { pods: ['shop/web-shop', 'web-1'] })).sort()).toEqual(['web-1', 'web-shop']);
    const err = await matchPods(admin, fault(), { pods: ['web-1', 'nope'] }).catch((e) => e);
    expectInvalid(err, 'spec.selector.pods[1]', /pod default\/nope does not exist/);
  });

  it('refuses protected namespaces with the field and the fix', async () => {
    const err = await matchPods(admin, fault(), { namespace: 'kube-system' }).catch((e) => e);
    expectInvalid(err, 'spec.selector.namespace', /namespace "kube-system" is protected.*application namespace/);
    const viaPods = await matchPods(admin, fault(), { pods: ['kube-system/coredns'] }).catch((e) => e);
    expectInvalid(viaPods, 'spec.selector.pods[0]', /protected/);
    const own = await matchPods(admin, fault({}, 'kube-system'), undefined).catch((e) => e);
    expectInvalid(own, 'spec.selector.namespace', /protected/);
  });
});

describe('matchNodes / selectNodes', () => {
  it('selects nodes by name or label, then applies the mode', async () => {
    for (const [name, zone] of [['node-1', 'a'], ['node-2', 'b'], ['node-3', 'a']]) {
      await admin.nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { zone } } });
    }
    const nf = { kind: 'NodeFault', metadata: { name: 'n' }, spec: { mode: 'all' as const } };
    expect(names(await matchNodes(admin, nf, { nodeNames: ['node-2'] }))).toEqual(['node-2']);
    expect(names(await matchNodes(admin, nf, { labelSelector: { matchLabels: { zone: 'a' } } }))).toEqual(['node-1', 'node-3']);
    const one = await selectNodes(admin, { ...nf, spec: { mode: 'one', selector: { labelSelector: { matchLabels: { zone: 'a' } } } } }, () => 0);
    expect(one).toHaveLength(1);
    const err = await matchNodes(admin, nf, { nodeNames: ['node-9'] }).catch((e) => e);
    expectInvalid(err, 'spec.selector.nodeNames[0]', /node does not exist/);
  });
});

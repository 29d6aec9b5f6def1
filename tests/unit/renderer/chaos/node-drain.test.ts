import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../../shared/api/pod';
import { ApiClient, type FetchLike } from '../../../../renderer/api/client';
import { DrainRun, EVICTION_RETRY_MS, drainCommand, planDrain, type DrainOptions } from '../../../../renderer/composables/node-drain';

const owned = (kind: string) => [{ apiVersion: 'apps/v1', kind, name: 'x', uid: 'u', controller: true }];
const pod = (name: string, extra: Partial<Pod> & { ownerKind?: string } = {}): Pod =>
  ({
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, ownerReferences: extra.ownerKind ? owned(extra.ownerKind) : undefined, ...extra.metadata },
    spec: { nodeName: 'node-2', containers: [{ name: 'c', image: 'i' }], ...extra.spec },
    status: { phase: 'Running', ...extra.status },
  }) as Pod;

const base: DrainOptions = { ignoreDaemonSets: false, deleteEmptyDirData: false, force: false };

describe('planDrain (kubectl drain filters)', () => {
  const pods = [
    pod('web-1', { ownerKind: 'ReplicaSet' }),
    pod('agent', { ownerKind: 'DaemonSet' }),
    pod('bare'),
    pod('cache', { ownerKind: 'ReplicaSet', spec: { containers: [], volumes: [{ name: 'tmp', emptyDir: {} }] } as Pod['spec'] }),
    pod('mirror', { metadata: { name: 'mirror', annotations: { 'kubernetes.io/config.mirror': 'abc' } } }),
    pod('done', { status: { phase: 'Succeeded' } }),
  ];

  it('refuses what kubectl refuses without a flag, in kubectl’s words, and skips mirror pods silently', () => {
    const plan = planDrain(pods, base);
    expect(plan.evict.map((p) => p.metadata.name)).toEqual(['web-1', 'done']);
    expect(plan.errors).toEqual([
      'cannot delete Pods that declare no controller (use --force to override): shop/bare',
      'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): shop/agent',
      'cannot delete Pods with local storage (use --delete-emptydir-data to override): shop/cache',
    ]);
  });

  it('with the flags: DaemonSet pods are left (not evicted), the rest goes', () => {
    const plan = planDrain(pods, { ignoreDaemonSets: true, deleteEmptyDirData: true, force: true });
    expect(plan.errors).toEqual([]);
    expect(plan.evict.map((p) => p.metadata.name).sort()).toEqual(['bare', 'cache', 'done', 'web-1']);
    expect(plan.skipped.map((s) => [s.pod.metadata.name, s.reason])).toEqual([['agent', 'DaemonSet-managed']]);
    expect(drainCommand('node-2', { ignoreDaemonSets: true, deleteEmptyDirData: true, force: false, gracePeriodSeconds: 5 })).toBe(
      'kubectl drain node-2 --ignore-daemonsets --delete-emptydir-data --grace-period=5',
    );
  });
});

/** A scripted API: eviction answers in order, then GETs of the pod answer in order. */
function scriptedApi(evictions: number[], gets: number[]) {
  const calls: Array<{ method: string; url: string; body?: unknown }> = [];
  const status = (code: number, message: string) =>
    new Response(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason: code === 429 ? 'TooManyRequests' : code === 404 ? 'NotFound' : 'InternalError', message }), { status: code });
  const fetchImpl: FetchLike = async (url, init) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (url.endsWith('/eviction')) {
      const code = evictions.shift() ?? 201;
      return code === 201 ? new Response(JSON.stringify({ kind: 'Status', status: 'Success' }), { status: 201 }) : status(code, 'Cannot evict pod as it would violate the pod\'s disruption budget.');
    }
    const code = gets.shift() ?? 404;
    return code === 200 ? new Response(JSON.stringify(pod('web-1', { ownerKind: 'ReplicaSet' })), { status: 200 }) : status(404, 'pods "web-1" not found');
  };
  return { calls, client: new ApiClient({ apiUrl: 'http://127.0.0.1:1', token: 't' }, fetchImpl, null) };
}

describe('DrainRun', () => {
  it('retries a 429 every 5 s showing the budget’s message, then waits until the pod is gone', async () => {
    const { calls, client } = scriptedApi([429, 429, 201], [200, 200, 404]);
    const sleeps: number[] = [];
    const seen: string[] = [];
    const run = new DrainRun('node-2', { evict: [pod('web-1', { ownerKind: 'ReplicaSet' })] }, { ...base, gracePeriodSeconds: 3 }, {
      client,
      sleep: async (ms) => void sleeps.push(ms),
      onChange: () => seen.push(`${run.pods[0].state}:${run.pods[0].message ?? ''}`),
    });
    const outcome = await run.run();
    expect(outcome).toEqual({ evicted: 1, failed: 0 });
    expect(run.pods[0]).toMatchObject({ state: 'gone', attempts: 3 });
    expect(seen).toContain('blocked:error when evicting pods/"web-1" -n "shop" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.');
    expect(sleeps.slice(0, 2)).toEqual([EVICTION_RETRY_MS, EVICTION_RETRY_MS]);
    const evictions = calls.filter((c) => c.url.endsWith('/eviction'));
    expect(evictions).toHaveLength(3);
    expect(evictions[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:1/api/v1/namespaces/shop/pods/web-1/eviction',
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: 'shop' }, deleteOptions: { gracePeriodSeconds: 3 } },
    });
    // Two GETs still found the pod, the third answered 404.
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(3);
  });

  it('a pod recreated under the same name (new uid) counts as gone; a 404 eviction too', async () => {
    const recreated = scriptedApi([201], [200]);
    const old = pod('web-1', { metadata: { name: 'web-1', namespace: 'shop', uid: 'old-uid' } });
    const run = new DrainRun('node-2', { evict: [old] }, base, { client: recreated.client, sleep: async () => {} });
    expect(await run.run()).toEqual({ evicted: 1, failed: 0 });
    expect(recreated.calls.filter((c) => c.method === 'GET')).toHaveLength(1);

    const missing = scriptedApi([404], []);
    const run2 = new DrainRun('node-2', { evict: [pod('web-1')] }, base, { client: missing.client, sleep: async () => {} });
    expect(await run2.run()).toEqual({ evicted: 1, failed: 0 });
    expect(missing.calls).toHaveLength(1);
  });

  it('stops retrying when cancelled (the node stays cordoned, as after Ctrl-C)', async () => {
    const { calls, client } = scriptedApi(Array(100).fill(429), []);
    let sleeps = 0;
    const run: DrainRun = new DrainRun('node-2', { evict: [pod('web-1')] }, base, {
      client,
      sleep: async () => {
        if (++sleeps === 2) run.cancel();
      },
    });
    expect(await run.run()).toEqual({ evicted: 0, failed: 0 });
    expect(run.pods[0].state).toBe('cancelled');
    expect(calls.filter((c) => c.url.endsWith('/eviction'))).toHaveLength(2);
    expect(run.done).toBe(true);
  });

  it('any other refusal fails that pod with the API message', async () => {
    const { client } = scriptedApi([500], []);
    const run = new DrainRun('node-2', { evict: [pod('web-1')] }, base, { client, sleep: async () => {} });
    expect(await run.run()).toEqual({ evicted: 0, failed: 1 });
    expect(run.pods[0].message).toContain('disruption budget');
  });
});

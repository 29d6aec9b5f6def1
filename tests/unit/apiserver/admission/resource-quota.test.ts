// ResourceQuota admission through the real RestHandler: usage charged to status.used, refusals with
// kube-apiserver's exact text, scopes, and the compare-and-swap that keeps concurrent creates honest.
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../shared/api/meta';
import type { Pod } from '../../../../shared/api/pod';
import type { KubeClient } from '../../../../main/client/client';
import { CONFIGMAPS, RESOURCEQUOTAS, SERVICES } from '../../../../main/client/gvr';
import { createQuota, pod, policyStack, refusal } from './policy-support';

let client: KubeClient;
let quotaWrites: string[];

beforeEach(async () => {
  ({ client, quotaWrites } = await policyStack(['team']));
});

const used = async (name = 'q'): Promise<Record<string, string>> =>
  ((await client.resource(RESOURCEQUOTAS).get('team', name)) as { status?: { used?: Record<string, string> } }).status?.used ?? {};
const small = (name: string): Pod => pod(name, [{ name: 'app', requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '64Mi' } }]);

describe('ResourceQuota admission', () => {
  it('charges each create to status.used and refuses the one that would exceed, with the Kubernetes message', async () => {
    await createQuota(client, 'team', 'q', { pods: '2', 'requests.cpu': '1' });
    await client.pods().create('team', small('p1'));
    await client.pods().create('team', small('p2'));
    expect(await used()).toEqual({ pods: '2', 'requests.cpu': '200m' });
    const e = await refusal(client.pods().create('team', small('p3')));
    expect(e.code).toBe(403);
    expect(e.reason).toBe('Forbidden');
    expect(e.message).toBe('pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    expect(await used()).toEqual({ pods: '2', 'requests.cpu': '200m' });
  });

  it('compute quantities add exactly; only the exceeded resources are named', async () => {
    await createQuota(client, 'team', 'compute', { 'requests.cpu': '1', 'limits.memory': '1Gi', pods: '10' });
    const sized = (name: string): Pod => pod(name, [{ name: 'app', requests: { cpu: '600m', memory: '100Mi' }, limits: { cpu: '1', memory: '300Mi' } }]);
    await client.pods().create('team', sized('a'));
    const e = await refusal(client.pods().create('team', sized('b')));
    expect(e.message).toBe('pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
    expect(await used('compute')).toEqual({ 'requests.cpu': '600m', 'limits.memory': '300Mi', pods: '1' });
  });

  it('a quota on compute resources requires every container to name them', async () => {
    await createQuota(client, 'team', 'compute', { 'limits.cpu': '2', 'requests.memory': '1Gi' });
    const e = await refusal(client.pods().create('team', pod('bare', [{ name: 'app' }, { name: 'sidecar', requests: { memory: '10Mi' } }])));
    expect(e.message).toBe('pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: app,sidecar; requests.memory for: app');
  });

  it('concurrent creates cannot both pass: the status write is a CAS on resourceVersion', async () => {
    await createQuota(client, 'team', 'q', { pods: '3' });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => client.pods().create('team', small(`c${i}`))));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(7);
    for (const r of refused) expect((r.reason as Error).message).toMatch(/^pods "c\d" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3$/);
    expect((await client.pods().list('team')).items).toHaveLength(3);
    expect(await used()).toEqual({ pods: '3' });
    // Several creates read the same resourceVersion; only one write per version can have won.
    const versions = quotaWrites.map((w) => w.split('@')[1]);
    expect(new Set(versions).size).toBeLessThan(versions.length);
  });

  it('scopes: a BestEffort quota counts only pods without requests or limits', async () => {
    await createQuota(client, 'team', 'q', { pods: '1' }, { scopes: ['BestEffort'] });
    await client.pods().create('team', pod('be1', [{ name: 'app' }]));
    const e = await refusal(client.pods().create('team', pod('be2', [{ name: 'app' }])));
    expect(e.message).toBe('pods "be2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');
    await client.pods().create('team', small('burstable'));
    // Terminating scope: only pods with activeDeadlineSeconds.
    await createQuota(client, 'team', 'term', { pods: '0' }, { scopes: ['Terminating'] });
    await client.pods().create('team', small('long-running'));
    const t = await refusal(client.pods().create('team', pod('job', [{ name: 'app', requests: { cpu: '1m' } }], { activeDeadlineSeconds: 60 })));
    expect(t.message).toBe('pods "job" is forbidden: exceeded quota: term, requested: pods=1, used: pods=0, limited: pods=0');
  });

  it('object counts: configmaps, count/<resource>, services and services.nodeports', async () => {
    await createQuota(client, 'team', 'objects', { configmaps: '1', 'count/configmaps': '5', services: '5', 'services.nodeports': '1' });
    await client.resource(CONFIGMAPS).create('team', { metadata: { name: 'one' } });
    const cm = await refusal(client.resource(CONFIGMAPS).create('team', { metadata: { name: 'two' } }));
    expect(cm.message).toBe('configmaps "two" is forbidden: exceeded quota: objects, requested: configmaps=1, used: configmaps=1, limited: configmaps=1');
    const svc = (name: string, type: string, ports: number): KubeObject => ({
      metadata: { name },
      spec: { type, selector: { app: name }, ports: Array.from({ length: ports }, (_, i) => ({ name: `p${i}`, port: 80 + i })) },
    } as KubeObject);
    await client.resource(SERVICES).create('team', svc('plain', 'ClusterIP', 2));
    const np = await refusal(client.resource(SERVICES).create('team', svc('np', 'NodePort', 2)));
    expect(np.message).toBe('services "np" is forbidden: exceeded quota: objects, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
    expect(await used('objects')).toEqual({ configmaps: '1', 'count/configmaps': '1', services: '1', 'services.nodeports': '0' });
  });

  it('a quota whose usage is unknown refuses; dry-run charges nothing', async () => {
    const q = await client.resource(RESOURCEQUOTAS).create('team', { metadata: { name: 'new' }, spec: { hard: { pods: '5' } } } as KubeObject);
    await client.resource(RESOURCEQUOTAS).updateStatus('team', { ...q, status: { hard: { pods: '5' } } } as KubeObject);
    const e = await refusal(client.pods().create('team', small('x')));
    expect(e.message).toBe('pods "x" is forbidden: status unknown for quota: new, resources: pods');
    await client.resource(RESOURCEQUOTAS).delete('team', 'new');
    await createQuota(client, 'team', 'q', { pods: '1' });
    await client.pods().create('team', small('dry'), { dryRun: true });
    expect(await used()).toEqual({ pods: '0' });
  });
});

// The serviceaccount controller (default ServiceAccount + kube-root-ca.crt in every namespace) and the
// resourcequota controller (status.hard/used recounted; deletions release usage) on the in-process stack.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/api/meta';
import type { Pod } from '../../../shared/api/pod';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest/handler';
import { KubeClient } from '../../../main/client/client';
import { CONFIGMAPS, RESOURCEQUOTAS, SERVICEACCOUNTS, SERVICES } from '../../../main/client/gvr';
import { startControllers } from '../../../main/controllers';
import { MemoryStore } from '../../../main/store/memory-store';
import { until } from './deployment-support';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBlab\n-----END CERTIFICATE-----\n';
const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0).reverse()) s();
});

async function stack(): Promise<KubeClient> {
  const client = new KubeClient(new RestHandler({ store: new MemoryStore(), resources: builtinResources }), 'admin');
  await client.namespaces().create(undefined, { metadata: { name: 'default' } });
  const manager = startControllers({ client, resources: builtinResources, rootCaCertificate: CA });
  stops.push(() => manager.stop());
  return client;
}

type Quota = KubeObject & { status?: { hard?: Record<string, string>; used?: Record<string, string> } };
const quota = (client: KubeClient, ns: string, name: string): Promise<Quota> => client.resource<Quota>(RESOURCEQUOTAS).get(ns, name);

describe('serviceaccount controller', () => {
  it('a new namespace gets a default ServiceAccount and kube-root-ca.crt; both come back when deleted or edited', async () => {
    const client = await stack();
    await until(async () => client.resource(SERVICEACCOUNTS).get('default', 'default'));
    await client.namespaces().create(undefined, { metadata: { name: 'team' } });
    const sa = await until(async () => client.resource(SERVICEACCOUNTS).get('team', 'default').catch(() => undefined));
    const cm = await until(async () => client.resource<KubeObject & { data?: Record<string, string> }>(CONFIGMAPS).get('team', 'kube-root-ca.crt').catch(() => undefined));
    expect(cm.data).toEqual({ 'ca.crt': CA });
    expect(cm.metadata.annotations?.['kubernetes.io/description']).toMatch(/^Contains a CA bundle that can be used to verify the kube-apiserver/);

    await client.resource(SERVICEACCOUNTS).delete('team', 'default');
    await until(async () => {
      const again = await client.resource(SERVICEACCOUNTS).get('team', 'default').catch(() => undefined);
      return again && again.metadata.uid !== sa.metadata.uid;
    });
    await client.resource(CONFIGMAPS).patch('team', 'kube-root-ca.crt', 'application/merge-patch+json', { data: { 'ca.crt': 'tampered', extra: 'x' } });
    await until(async () => {
      const fixed = await client.resource<KubeObject & { data?: Record<string, string> }>(CONFIGMAPS).get('team', 'kube-root-ca.crt');
      return fixed.data?.['ca.crt'] === CA && !fixed.data.extra;
    });
    // Another ServiceAccount is the user's business: deleting it is final.
    await client.resource(SERVICEACCOUNTS).create('team', { metadata: { name: 'robot' } });
    await client.resource(SERVICEACCOUNTS).delete('team', 'robot');
    await new Promise((r) => setTimeout(r, 100));
    expect((await client.resource(SERVICEACCOUNTS).list('team')).items.map((s) => s.metadata.name)).toEqual(['default']);
  });
});

describe('resourcequota controller', () => {
  it('fills status.hard/used from scratch, follows spec changes, and deletions release usage', async () => {
    const client = await stack();
    const pod = (name: string, cpu: string): Pod => ({ metadata: { name }, spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu } } }] } } as Pod);
    await client.pods().create('default', pod('a', '250m'));
    await client.pods().create('default', pod('b', '500m'));
    await client.resource(SERVICES).create('default', { metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] } } as KubeObject);
    await client.resource(RESOURCEQUOTAS).create('default', { metadata: { name: 'q' }, spec: { hard: { pods: '10', 'requests.cpu': '2', 'services.nodeports': '3', 'count/deployments.apps': '4' } } } as KubeObject);
    const first = await until(async () => { const q = await quota(client, 'default', 'q'); return q.status?.used ? q : undefined; });
    expect(first.status).toEqual({
      hard: { 'count/deployments.apps': '4', pods: '10', 'requests.cpu': '2', 'services.nodeports': '3' },
      used: { 'count/deployments.apps': '0', pods: '2', 'requests.cpu': '750m', 'services.nodeports': '1' },
    });

    await client.pods().delete('default', 'a', { gracePeriodSeconds: 0 });
    await until(async () => (await quota(client, 'default', 'q')).status?.used?.pods === '1');
    expect((await quota(client, 'default', 'q')).status?.used?.['requests.cpu']).toBe('500m');

    // A finished pod no longer counts for "pods" or compute.
    const b = await client.pods<Pod>().get('default', 'b');
    await client.pods<Pod>().updateStatus('default', { ...b, status: { phase: 'Succeeded' } });
    await until(async () => (await quota(client, 'default', 'q')).status?.used?.pods === '0');

    await client.resource(RESOURCEQUOTAS).patch('default', 'q', 'application/merge-patch+json', { spec: { hard: { configmaps: '3' } } });
    const changed = await until(async () => { const q = await quota(client, 'default', 'q'); return q.status?.hard?.configmaps ? q : undefined; });
    // kube-root-ca.crt is a ConfigMap too.
    expect(changed.status?.used?.configmaps).toBe('1');
  });
});

// @kubernetes/client-node, the official JavaScript client, against `bosun serve` with the kubeconfig it wrote.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../support/serve';

let serve: ServeHandle;
let kc: KubeConfig;

beforeAll(async () => {
  serve = await startServe();
  kc = new KubeConfig();
  kc.loadFromFile(serve.kubeconfig);
});

afterAll(async () => {
  await serve?.stop();
  serve?.cleanup();
});

describe('@kubernetes/client-node', () => {
  it('loads the kubeconfig and lists namespaces', async () => {
    expect(kc.getCurrentContext()).toBe('bosun');
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
    expect(list.items.find((n) => n.metadata?.name === 'default')?.status?.phase).toBe('Active');
  });

  it('watches configmaps and sees them created, modified and deleted', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch('/api/v1/namespaces/default/configmaps', {}, (type, obj) => {
          if (obj?.metadata?.name === 'watched') seen.push(`${type}:${obj.data?.v ?? ''}`);
          if (type === 'DELETED') resolve();
        }, () => undefined)
        .then((req) => done.finally(() => req.abort()));
    });
    await new Promise((r) => setTimeout(r, 200));
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' }, data: { v: '1' } } });
    await core.replaceNamespacedConfigMap({ name: 'watched', namespace: 'default', body: { metadata: { name: 'watched' }, data: { v: '2' } } });
    await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'default' });
    await done;
    expect(seen).toEqual(['ADDED:1', 'MODIFIED:2', 'DELETED:2']);
  });

  it('surfaces API errors as Kubernetes Status', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const err = await core.readNamespacedConfigMap({ name: 'missing', namespace: 'default' }).catch((e: any) => e);
    expect(err.code).toBe(404);
    expect(JSON.parse(err.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'configmaps "missing" not found' });
  });
});

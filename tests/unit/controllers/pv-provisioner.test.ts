// The PV provisioner/binder against the real in-process apiserver with informers, and a runtime
// stand-in that records Docker volume calls.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isNotFound } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../shared/api/storage';
import { createDefaultStorageClassAdmission } from '../../../main/apiserver/admission/default-storage-class';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest/handler';
import { KubeClient } from '../../../main/client/client';
import { PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES } from '../../../main/client/gvr';
import { SharedInformerFactory } from '../../../main/client/informer-factory';
import { PvProvisioner, STORAGECLASSES } from '../../../main/controllers/pv-provisioner';
import type { ContainerRuntime, VolumeInfo } from '../../../main/runtime/runtime';
import { MemoryStore } from '../../../main/store/memory-store';

let handler: RestHandler;
let client: KubeClient;
let informers: SharedInformerFactory;
let provisioner: PvProvisioner;
let volumes: Map<string, VolumeInfo>;
let events: string[];

async function until<T>(what: string, fn: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeEach(async () => {
  handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  client = new KubeClient(handler, 'system:kube-controller-manager');
  handler.addAdmission(createDefaultStorageClassAdmission({ listStorageClasses: async () => (await client.resource(STORAGECLASSES).list()).items }));
  await client.namespaces().create(undefined, { metadata: { name: 'default' } });
  volumes = new Map();
  events = [];
  const runtime = {
    kind: 'docker',
    listVolumes: async (labels: Record<string, string>) => [...volumes.values()].filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)),
    createVolume: async (name: string, labels: Record<string, string>) => {
      const v = { name, labels, mountpoint: `/v/${name}` };
      volumes.set(name, v);
      return v;
    },
    removeVolume: async (name: string) => void volumes.delete(name),
  } as unknown as ContainerRuntime;
  informers = new SharedInformerFactory(client);
  provisioner = new PvProvisioner({ client, informers, runtime, labId: 'lab-7', recorder: { event: (o, t, r, m) => events.push(`${o.metadata.name} ${t} ${r} ${m}`) } });
  informers.start();
  await informers.waitForCacheSync();
  await provisioner.start();
});
afterEach(() => {
  provisioner.stop();
  informers.shutdown();
});

const claims = () => client.resource<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS);
const pvs = () => client.resource<PersistentVolume>(PERSISTENTVOLUMES);
const claim = (name: string, extra: Record<string, unknown> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, ...extra },
});

describe('PV provisioner', () => {
  it('creates the default StorageClass, shown as "standard (default)"', async () => {
    const sc = await client.resource(STORAGECLASSES).get(undefined, 'standard');
    expect(sc).toMatchObject({
      provisioner: 'bosun.dev/docker-volume',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    });
    const table = (await handler.handle({ verb: 'list', ...STORAGECLASSES, asTable: true })) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
    expect(table.rows[0].cells.slice(0, 5)).toEqual(['standard (default)', 'bosun.dev/docker-volume', 'Delete', 'Immediate', 'false']);
  });

  it('provisions a Docker-volume PV for a claim without class, binds both ways, deletes volume and PV with the claim', async () => {
    const created = await claims().create('default', claim('data'));
    expect(created.spec?.storageClassName).toBe('standard'); // DefaultStorageClass admission
    const bound = await until('claim bound', async () => {
      const c = await claims().get('default', 'data');
      return c.status?.phase === 'Bound' && c;
    });
    const pvName = `pvc-${created.metadata.uid}`;
    expect(bound.spec?.volumeName).toBe(pvName);
    expect(bound.status).toMatchObject({ phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] });
    const pv = await until('pv bound', async () => {
      const v = await pvs().get(undefined, pvName);
      return v.status?.phase === 'Bound' && v;
    });
    expect(pv.spec).toMatchObject({
      storageClassName: 'standard',
      persistentVolumeReclaimPolicy: 'Delete',
      claimRef: { namespace: 'default', name: 'data', uid: created.metadata.uid },
      csi: { driver: 'bosun.dev/docker-volume', volumeHandle: `bosun-${pvName}` },
    });
    expect(volumes.get(`bosun-${pvName}`)?.labels).toMatchObject({ 'bosun.managed': 'true', 'bosun.lab': 'lab-7', 'bosun.role': 'volume', 'bosun.pv': pvName });
    expect(events).toContain(`data Normal ProvisioningSucceeded Successfully provisioned volume ${pvName}`);

    await claims().delete('default', 'data');
    await until('pv deleted', async () => pvs().get(undefined, pvName).then(() => false, (e: unknown) => isNotFound(e)));
    expect(volumes.has(`bosun-${pvName}`)).toBe(false);
  });

  it('Retain keeps the PV (Released) and the Docker volume', async () => {
    await client.resource(STORAGECLASSES).create(undefined, { metadata: { name: 'keep' }, provisioner: 'bosun.dev/docker-volume', reclaimPolicy: 'Retain' } as KubeObject);
    const created = await claims().create('default', claim('kept', { storageClassName: 'keep' }));
    const pvName = `pvc-${created.metadata.uid}`;
    await until('bound', async () => (await claims().get('default', 'kept')).status?.phase === 'Bound');
    await claims().delete('default', 'kept');
    await until('released', async () => (await pvs().get(undefined, pvName)).status?.phase === 'Released');
    expect(volumes.has(`bosun-${pvName}`)).toBe(true);
  });

  it('binds a claim with no class to a fitting Available PV (static binding); unknown classes stay Pending with an event', async () => {
    await pvs().create(undefined, { metadata: { name: 'small' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/small' } } } as PersistentVolume);
    await pvs().create(undefined, { metadata: { name: 'big' }, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/big' } } } as PersistentVolume);
    await until('available', async () => (await pvs().get(undefined, 'big')).status?.phase === 'Available');
    await claims().create('default', claim('static', { storageClassName: '' }));
    const c = await until('static bound', async () => {
      const x = await claims().get('default', 'static');
      return x.status?.phase === 'Bound' && x;
    });
    expect(c.spec?.volumeName).toBe('big');
    expect((await pvs().get(undefined, 'big')).spec?.claimRef?.name).toBe('static');

    await claims().create('default', claim('nowhere', { storageClassName: 'fast' }));
    await until('event', async () => events.includes('nowhere Warning ProvisioningFailed storageclass.storage.k8s.io "fast" not found'));
    expect((await claims().get('default', 'nowhere')).status?.phase).toBe('Pending');
  });
});

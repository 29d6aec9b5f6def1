// VolumeManager against the real in-process apiserver (ConfigMaps, Secrets, PVCs, PVs) and a runtime
// stand-in that records Docker volume calls; files land in a temporary data dir.
import { mkdtemp, readdir, readFile, readlink, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod, Volume, VolumeMount } from '../../../../shared/api/pod';
import { builtinResources } from '../../../../main/apiserver/registry';
import { RestHandler } from '../../../../main/apiserver/rest/handler';
import { KubeClient } from '../../../../main/client/client';
import { createVolumeManager, type KubeletVolumeManager } from '../../../../main/kubelet/volumes/manager';
import { KubeletError } from '../../../../main/kubelet/types';
import type { ContainerRuntime, VolumeInfo } from '../../../../main/runtime/runtime';
import { MemoryStore } from '../../../../main/store/memory-store';

let dataDir: string;
let client: KubeClient;
let vm: KubeletVolumeManager;
let volumeCalls: string[];
let events: string[];
const b64 = (s: string): string => Buffer.from(s).toString('base64');

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bosun-vol-'));
  client = new KubeClient(new RestHandler({ store: new MemoryStore(), resources: builtinResources }), 'admin');
  await client.namespaces().create(undefined, { metadata: { name: 'default' } });
  await client.configMaps().create('default', { metadata: { name: 'cfg' }, data: { 'app.conf': 'color=blue', other: 'x' }, binaryData: { 'logo.bin': b64('\u0001\u0002') } });
  await client.secrets().create('default', { metadata: { name: 'creds' }, data: { password: b64('s3cr3t'), user: b64('admin') } });
  volumeCalls = [];
  events = [];
  const volumes: VolumeInfo[] = [];
  const runtime = {
    kind: 'docker',
    listVolumes: async () => volumes,
    createVolume: async (name: string, labels: Record<string, string>) => {
      volumeCalls.push(`create ${name} ${labels['bosun.lab']} ${labels['bosun.managed']}`);
      const v = { name, labels, mountpoint: `/var/lib/docker/volumes/${name}/_data` };
      volumes.push(v);
      return v;
    },
    removeVolume: async (name: string) => void volumeCalls.push(`remove ${name}`),
  } as unknown as ContainerRuntime;
  vm = createVolumeManager({ dataDir, runtime, client, labId: 'lab-1', nodeName: 'node-1', recorder: { event: (_o, t, r, m) => events.push(`${t} ${r} ${m}`) } });
});
afterEach(async () => {
  vm.stop();
  await vm.tearDown('uid-1'); // waits for refreshes the watch started
  await rm(dataDir, { recursive: true, force: true });
});

const pod = (volumes: Volume[], mounts: VolumeMount[], uid = 'uid-1'): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid, labels: { app: 'web' } },
  spec: { nodeName: 'node-1', volumes, containers: [{ name: 'c', image: 'x', volumeMounts: mounts, resources: { limits: { memory: '64Mi' } } }] },
});
const dirOf = (plugin: string, name: string, uid = 'uid-1'): string => join(dataDir, 'pods', uid, 'volumes', `kubernetes.io~${plugin}`, name);
const failure = async (p: Pod): Promise<KubeletError> => {
  const e = await vm.setUp(p).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(KubeletError);
  return e as KubeletError;
};

describe('VolumeManager', () => {
  it('configMap, secret, downwardAPI and projected volumes: items, modes, read-only directory mounts', async () => {
    const p = pod(
      [
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'picked', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }] } },
        { name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } },
        { name: 'sec-default', secret: { secretName: 'creds' } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } }] } },
        { name: 'all', projected: { sources: [{ configMap: { name: 'cfg', items: [{ key: 'other', path: 'other' }] } }, { secret: { name: 'creds', items: [{ key: 'user', path: 'user' }] } }, { configMap: { name: 'missing', optional: true } }] } },
      ],
      [
        { name: 'cfg', mountPath: '/etc/app' },
        { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
        { name: 'sec', mountPath: '/secrets', readOnly: false },
      ],
    );
    await vm.setUp(p);
    expect(await readFile(join(dirOf('configmap', 'cfg'), 'app.conf'), 'utf8')).toBe('color=blue');
    expect(await readFile(join(dirOf('configmap', 'cfg'), 'logo.bin'))).toEqual(Buffer.from([1, 2]));
    expect(await readlink(join(dirOf('configmap', 'cfg'), 'app.conf'))).toBe('..data/app.conf');
    expect((await stat(join(dirOf('configmap', 'picked'), 'conf/app.conf'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dirOf('configmap', 'picked'))).not.toContain('other');
    expect(await readFile(join(dirOf('secret', 'sec'), 'password'), 'utf8')).toBe('s3cr3t');
    expect((await stat(join(dirOf('secret', 'sec'), 'password'))).mode & 0o777).toBe(0o400);
    expect((await stat(join(dirOf('secret', 'sec-default'), 'password'))).mode & 0o777).toBe(0o644);
    expect(await readFile(join(dirOf('downward-api', 'info'), 'labels'), 'utf8')).toBe('app="web"');
    expect(await readFile(join(dirOf('downward-api', 'info'), 'mem'), 'utf8')).toBe('64');
    expect((await readdir(dirOf('projected', 'all'))).filter((e) => !e.startsWith('..')).sort()).toEqual(['other', 'user']);
    expect(vm.mountsFor(p, p.spec!.containers[0])).toEqual([
      { kind: 'bind', source: dirOf('configmap', 'cfg'), target: '/etc/app', readOnly: true },
      { kind: 'bind', source: join(dirOf('configmap', 'cfg'), 'app.conf'), target: '/etc/app.conf', readOnly: true },
      { kind: 'bind', source: dirOf('secret', 'sec'), target: '/secrets', readOnly: true },
    ]);
  });

  it('missing sources and keys fail the mount with Kubernetes messages; optional ones do not', async () => {
    expect(await failure(pod([{ name: 'v', configMap: { name: 'nope' } }], []))).toMatchObject({
      reason: 'FailedMount',
      message: 'MountVolume.SetUp failed for volume "v" : configmap "nope" not found',
    });
    expect((await failure(pod([{ name: 'v', secret: { secretName: 'nope' } }], []))).message).toBe('MountVolume.SetUp failed for volume "v" : secret "nope" not found');
    expect((await failure(pod([{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'zz', path: 'zz' }] } }], []))).message).toBe(
      'MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: zz',
    );
    expect(events.at(-1)).toBe('Warning FailedMount MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: zz');
    await vm.setUp(pod([{ name: 'v', configMap: { name: 'nope', optional: true } }, { name: 'w', secret: { secretName: 'creds', optional: true, items: [{ key: 'zz', path: 'zz' }] } }], []));
    expect((await readdir(dirOf('configmap', 'v'))).filter((e) => !e.startsWith('..'))).toEqual([]);
  });

  it('refresh and watch events update files in place; a removed source keeps the last content', async () => {
    const p = pod([{ name: 'cfg', configMap: { name: 'cfg' } }], [{ name: 'cfg', mountPath: '/etc/app' }]);
    await vm.setUp(p);
    vm.start();
    const cm = await client.configMaps().get('default', 'cfg');
    await client.configMaps().update('default', { ...cm, data: { 'app.conf': 'color=green' } });
    const file = join(dirOf('configmap', 'cfg'), 'app.conf');
    const deadline = Date.now() + 5000;
    while ((await readFile(file, 'utf8').catch(() => '')) !== 'color=green' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await readFile(file, 'utf8')).toBe('color=green');
    expect(await readdir(dirOf('configmap', 'cfg'))).not.toContain('other');
    await client.configMaps().delete('default', 'cfg');
    await vm.refresh(p);
    expect(await readFile(file, 'utf8')).toBe('color=green');
  });

  it('emptyDir on the host (0777, shared) or tmpfs with sizeLimit; tearDown removes the pod dir', async () => {
    const p = pod(
      [{ name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
      [{ name: 'scratch', mountPath: '/scratch' }, { name: 'mem', mountPath: '/mem' }],
    );
    await vm.setUp(p);
    expect((await stat(dirOf('empty-dir', 'scratch'))).mode & 0o777).toBe(0o777);
    expect(vm.mountsFor(p, p.spec!.containers[0])).toEqual([
      { kind: 'bind', source: dirOf('empty-dir', 'scratch'), target: '/scratch', readOnly: false },
      { kind: 'tmpfs', source: '', target: '/mem', readOnly: false, sizeBytes: 64 * 1024 * 1024 },
    ]);
    await writeFile(join(dirOf('empty-dir', 'scratch'), 'data'), 'x');
    await vm.tearDown('uid-1');
    await expect(stat(join(dataDir, 'pods', 'uid-1'))).rejects.toThrow();
  });

  it('hostPath type checks', async () => {
    const base = join(dataDir, 'host');
    await mkdir(base);
    await writeFile(join(base, 'file'), 'f');
    const hp = (type: string, path: string): Pod => pod([{ name: 'h', hostPath: { path, type } }], [{ name: 'h', mountPath: '/h' }]);
    await vm.setUp(hp('Directory', base));
    await vm.setUp(hp('File', join(base, 'file')));
    await vm.setUp(hp('DirectoryOrCreate', join(base, 'made')));
    expect((await stat(join(base, 'made'))).isDirectory()).toBe(true);
    await vm.setUp(hp('FileOrCreate', join(base, 'made.txt')));
    expect((await stat(join(base, 'made.txt'))).isFile()).toBe(true);
    expect((await failure(hp('Directory', join(base, 'file')))).message).toBe(`MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${join(base, 'file')} is not a directory`);
    expect((await failure(hp('File', join(base, 'absent')))).message).toContain('is not a file');
    expect((await failure(hp('Socket', base))).message).toContain('is not a socket');
    const p = hp('', base);
    expect(vm.mountsFor(p, p.spec!.containers[0])).toEqual([{ kind: 'bind', source: base, target: '/h', readOnly: false }]);
  });

  it('persistentVolumeClaim: missing, unbound, bound to a Docker volume; tearDown never removes the data', async () => {
    const claimPod = pod([{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }], [{ name: 'data', mountPath: '/data' }, { name: 'data', mountPath: '/sub', subPath: 'mysql' }]);
    expect((await failure(claimPod)).message).toBe(
      'Unable to attach or mount volumes: unmounted volumes=[data]: error processing PVC default/data: failed to fetch PVC from API server: persistentvolumeclaims "data" not found',
    );
    const pvc = await client.resource({ group: '', version: 'v1', resource: 'persistentvolumeclaims' }).create('default', {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    expect((await failure(claimPod)).message).toBe('Unable to attach or mount volumes: unmounted volumes=[data]: error processing PVC default/data: PVC is not bound');
    await client.resource({ group: '', version: 'v1', resource: 'persistentvolumes' }).create(undefined, {
      metadata: { name: 'pvc-1' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], csi: { driver: 'bosun.dev/docker-volume', volumeHandle: 'bosun-pvc-1' }, claimRef: { namespace: 'default', name: 'data', uid: pvc.metadata.uid } },
    });
    await client.resource({ group: '', version: 'v1', resource: 'persistentvolumeclaims' }).update('default', { ...pvc, spec: { ...(pvc.spec as object), volumeName: 'pvc-1' } });
    const bound = await client.resource({ group: '', version: 'v1', resource: 'persistentvolumeclaims' }).get('default', 'data');
    await client.resource({ group: '', version: 'v1', resource: 'persistentvolumeclaims' }).updateStatus('default', { ...bound, status: { phase: 'Bound' } });
    await vm.setUp(claimPod);
    expect(volumeCalls).toEqual(['create bosun-pvc-1 lab-1 true']);
    expect(vm.mountsFor(claimPod, claimPod.spec!.containers[0])).toEqual([
      { kind: 'volume', source: 'bosun-pvc-1', target: '/data', readOnly: false },
      { kind: 'bind', source: '/var/lib/docker/volumes/bosun-pvc-1/_data/mysql', target: '/sub', readOnly: false },
    ]);
    await vm.setUp(claimPod); // idempotent: the volume exists
    expect(volumeCalls.length).toBe(1);
    await vm.tearDown('uid-1');
    expect(volumeCalls).toEqual(['create bosun-pvc-1 lab-1 true']);
  });
});

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/pod';
import type { Endpoints, Service } from '../../../shared/api/service';
import { RestHandler } from '../../../main/apiserver/rest/handler';
import { builtinResources } from '../../../main/apiserver/registry';
import { KubeClient } from '../../../main/client/client';
import { RealClock } from '../../../main/client/clock';
import { ClusterNames, entriesFor, pickEndpoint, serviceNames } from '../../../main/kubelet/cluster-names';
import { PodHostsFiles, renderHostsFile } from '../../../main/kubelet/hosts-file';
import { MemoryStore } from '../../../main/store/memory-store';

const pod = (name: string, ns = 'team', spec: Pod['spec'] = { containers: [] }): Pod => ({ metadata: { name, namespace: ns, uid: `uid-${name}` }, spec });

describe('in-cluster names', () => {
  it('gives full and short names, the bare name only inside the namespace', () => {
    expect(serviceNames('web', 'team', 'team')).toEqual(['web.team.svc.cluster.local', 'web.team.svc', 'web.team', 'web']);
    expect(serviceNames('web', 'team', 'other')).toEqual(['web.team.svc.cluster.local', 'web.team.svc', 'web.team']);
  });

  it('picks one ready endpoint per client, stably, and spreads clients over endpoints', () => {
    const ready = ['10.244.1.2', '10.244.2.2', '10.244.3.2'];
    const a = pickEndpoint(ready, 'client-a', 'team/web');
    expect(pickEndpoint(ready, 'client-a', 'team/web')).toBe(a);
    const seen = new Set(Array.from({ length: 60 }, (_, i) => pickEndpoint(ready, `client-${i}`, 'team/web')));
    expect(seen).toEqual(new Set(ready));
    expect(pickEndpoint([], 'client-a', 'team/web')).toBeUndefined();
  });

  it('lists every ready address of a headless Service and per-pod hostnames', () => {
    const entries = entriesFor(
      [
        { name: 'nginx', namespace: 'team', headless: true, ready: ['10.244.1.5', '10.244.2.5'], hostnames: [{ hostname: 'web-0', ip: '10.244.1.5' }] },
        { name: 'empty', namespace: 'team', headless: false, ready: [], hostnames: [] },
      ],
      { uid: 'u', namespace: 'team' },
    );
    expect(entries).toEqual([
      { ip: '10.244.1.5', names: serviceNames('nginx', 'team', 'team') },
      { ip: '10.244.2.5', names: serviceNames('nginx', 'team', 'team') },
      { ip: '10.244.1.5', names: ['web-0.nginx.team.svc.cluster.local', 'web-0.nginx.team.svc', 'web-0.nginx.team', 'web-0.nginx'] },
    ]);
  });

  it('renders the pod hostname with its subdomain FQDN, hostAliases and services', () => {
    const p = pod('web-0', 'team', { containers: [], hostname: 'web-0', subdomain: 'nginx', hostAliases: [{ ip: '10.1.2.3', hostnames: ['db', 'db.local'] }] });
    const text = renderHostsFile(p, '10.244.1.5', [{ ip: '10.244.2.7', names: ['api.team.svc.cluster.local', 'api'] }]);
    expect(text).toContain('127.0.0.1\tlocalhost\n');
    expect(text).toContain('10.244.1.5\tweb-0.nginx.team.svc.cluster.local\tweb-0\n');
    expect(text).toContain('10.1.2.3\tdb\tdb.local\n');
    expect(text).toContain('10.244.2.7\tapi.team.svc.cluster.local\tapi\n');
    expect(renderHostsFile(pod('solo'), undefined, [])).not.toContain('solo');
  });
});

describe('ClusterNames + PodHostsFiles', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('rewrites a tracked pod file in place when a Service gains and loses ready endpoints', async () => {
    const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock: new RealClock() });
    const client = new KubeClient(handler, 'test');
    await client.namespaces().create(undefined, { metadata: { name: 'team' } });
    const names = new ClusterNames({ client, clock: new RealClock() });
    await names.start();
    cleanup.push(() => names.stop());
    const dir = await mkdtemp(join(tmpdir(), 'bosun-hosts-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const files = new PodHostsFiles({ dataDir: dir, names, debounceMs: 1 });
    cleanup.push(() => files.stop());

    const client1 = pod('client');
    const mount = await files.mountFor(client1, '10.244.1.9');
    expect(mount).toEqual({ kind: 'bind', source: join(dir, 'pods', 'uid-client', 'etc-hosts'), target: '/etc/hosts' });
    const inode = (await stat(mount.source)).ino;
    expect(await readFile(mount.source, 'utf8')).not.toContain('web');

    await client.services<Service>().create('team', { metadata: { name: 'web', namespace: 'team' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    await client.endpoints<Endpoints>().create(
      'team',
      { metadata: { name: 'web', namespace: 'team' }, subsets: [{ addresses: [{ ip: '10.244.2.4' }], notReadyAddresses: [{ ip: '10.244.3.4' }], ports: [{ port: 80 }] }] },
    );
    await expect.poll(async () => (await files.flush(), readFile(mount.source, 'utf8')), { timeout: 5000 }).toContain('10.244.2.4\tweb.team.svc.cluster.local\tweb.team.svc\tweb.team\tweb\n');
    expect(await readFile(mount.source, 'utf8')).not.toContain('10.244.3.4');
    expect((await stat(mount.source)).ino).toBe(inode);

    const ep = await client.endpoints<Endpoints>().get('team', 'web');
    await client.endpoints<Endpoints>().update('team', { ...ep, subsets: [{ notReadyAddresses: [{ ip: '10.244.2.4' }], ports: [{ port: 80 }] }] });
    await expect.poll(async () => (await files.flush(), readFile(mount.source, 'utf8')), { timeout: 5000 }).not.toContain('web.team');
    expect((await stat(mount.source)).ino).toBe(inode);

    files.forget('uid-client');
    await client.endpoints<Endpoints>().update('team', { ...(await client.endpoints<Endpoints>().get('team', 'web')), subsets: [{ addresses: [{ ip: '10.244.2.4' }], ports: [{ port: 80 }] }] });
    await new Promise((r) => setTimeout(r, 50));
    await files.flush();
    expect(await readFile(mount.source, 'utf8')).not.toContain('web.team');
  });
});

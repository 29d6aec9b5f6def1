import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../shared/api/config';
import { builtinResources } from '../../main/apiserver/registry';
import { RestHandler } from '../../main/apiserver/rest';
import { KubeClient } from '../../main/client/client';
import { FakeClock } from '../../main/client/clock';
import { CONFIGMAPS } from '../../main/client/gvr';
import { dockerEndpoint, LAB_STATUS_CONFIGMAP, LabRuntimeStatus, reachabilityFromConfigMap, type RuntimeReachability } from '../../main/lab-status';
import { FakeRuntime } from '../../main/runtime/fake';
import { MemoryStore } from '../../main/store/memory-store';

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function setup() {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'system:test');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  const runtime = new FakeRuntime();
  const clock = new FakeClock();
  const read = async (): Promise<RuntimeReachability | undefined> =>
    reachabilityFromConfigMap(await client.resource<ConfigMap>(CONFIGMAPS).get('kube-system', LAB_STATUS_CONFIGMAP).catch(() => undefined));
  return { client, runtime, clock, read };
}

describe('LabRuntimeStatus', () => {
  it('picks the engine address like DockerRuntime: the setting, then DOCKER_HOST, then the default socket', () => {
    expect(dockerEndpoint('tcp://127.0.0.1:2375', { DOCKER_HOST: 'unix:///x' })).toBe('tcp://127.0.0.1:2375');
    expect(dockerEndpoint(undefined, { DOCKER_HOST: 'unix:///x' })).toBe('unix:///x');
    expect(dockerEndpoint('', {})).toBe('unix:///var/run/docker.sock');
  });

  it('publishes "unreachable" with the fix, retries, and starts the nodes once the engine answers', async () => {
    const { client, runtime, clock, read } = await setup();
    const down = new Error('cannot reach the Docker engine at unix:///tmp/x.sock (ping: ENOENT)');
    runtime.failNext('ping', down);
    runtime.failNext('ping', down);
    const status = new LabRuntimeStatus({ client, runtime, runtimeKind: 'docker', endpoint: 'unix:///tmp/x.sock', clock, monitor: true, retryMs: 1000, checkMs: 10_000 });
    const seen: boolean[] = [];
    status.onChange((s) => seen.push(s.reachable));
    await status.start();
    let nodesStarted = 0;
    await status.whenReachable(async () => void nodesStarted++);
    expect(nodesStarted).toBe(0);
    const published = await read();
    expect(published).toMatchObject({ runtime: 'docker', endpoint: 'unix:///tmp/x.sock', reachable: false, error: down.message });
    expect(published?.help).toMatch(/^Docker engine not reachable at \/tmp\/x\.sock: start Docker Desktop \/ sudo systemctl start docker/);
    clock.step(1000); // second failure: nothing changes
    await until(() => runtime.calls.filter((c) => c.method === 'ping').length === 2);
    expect(nodesStarted).toBe(0);
    clock.step(1000); // the engine is back
    await until(async () => (await read())?.reachable === true);
    await until(() => nodesStarted === 1);
    expect(seen).toEqual([false, true]);
    expect((await read())?.error).toBeUndefined();
    // Later checks keep watching, and a lost engine shows again, without starting the nodes twice.
    runtime.failNext('ping', down);
    clock.step(10_000);
    await until(async () => (await read())?.reachable === false);
    clock.step(1000);
    await until(async () => (await read())?.reachable === true);
    expect(nodesStarted).toBe(1);
    status.stop();
  });

  it('runs the node start at once when the engine answers, and its failure reaches the caller', async () => {
    const { client, runtime, clock, read } = await setup();
    const status = new LabRuntimeStatus({ client, runtime, runtimeKind: 'fake', endpoint: 'unix:///ignored', clock, monitor: false });
    await status.start();
    expect(await read()).toMatchObject({ runtime: 'fake', endpoint: 'simulated', reachable: true });
    await expect(status.whenReachable(async () => Promise.reject(new Error('no pod network')))).rejects.toThrow('no pod network');
    // The fake runtime is asked once: no timers left behind.
    clock.step(60_000);
    expect(runtime.calls.filter((c) => c.method === 'ping')).toHaveLength(1);
  });

  it('never starts the nodes after stop()', async () => {
    const { client, runtime, clock } = await setup();
    runtime.failNext('ping', new Error('down'));
    const status = new LabRuntimeStatus({ client, runtime, runtimeKind: 'docker', endpoint: 'unix:///x', clock, monitor: true, retryMs: 1000 });
    await status.start();
    let started = false;
    await status.whenReachable(async () => void (started = true));
    status.stop();
    clock.step(5000);
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(false);
  });
});

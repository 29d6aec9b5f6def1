// The proxy's way from an endpoint to the host: the sandbox of the endpoint's pod (found by its pod-uid
// label on the runtime) and the 127.0.0.1 port it publishes for the target port; cached, forgotten on demand.
import { describe, expect, it } from 'vitest';
import { FakeRuntime } from '../../../main/runtime/fake';
import { RuntimeLabels } from '../../../main/runtime/runtime';
import { publishedPortResolver } from '../../../main/proxy/published-ports';

async function sandbox(rt: FakeRuntime, uid: string, ports: number[]): Promise<string> {
  const id = await rt.createContainer({
    name: `k8s_POD_${uid}`,
    image: 'pause:1',
    labels: { 'bosun.managed': 'true', [RuntimeLabels.podUid]: uid, [RuntimeLabels.container]: 'POD' },
    network: { sandbox: { network: 'pods', ports: ports.map((containerPort) => ({ containerPort, protocol: 'TCP' as const })) } },
  });
  await rt.startContainer(id);
  return id;
}

describe('publishedPortResolver', () => {
  it("answers the sandbox's published 127.0.0.1 port for the target port, caches it and forgets it", async () => {
    const rt = new FakeRuntime({ images: ['pause:1'] });
    await rt.ensureNetwork('pods', { subnet: '10.244.0.0/16', gateway: '10.244.0.1', labels: {} });
    const id = await sandbox(rt, 'uid-a', [8080, 9090]);
    const published = (await rt.inspectContainer(id))!.ports!;
    const resolver = publishedPortResolver(rt);
    const ep = { namespace: 'team', podName: 'a', podUid: 'uid-a', ip: '10.244.0.2', port: 9090 };
    const target = await resolver.resolve(ep);
    expect(target).toEqual({ host: '127.0.0.1', port: published.find((p) => p.containerPort === 9090)!.hostPort });
    const lookups = rt.callsOf('listContainers').length;
    await resolver.resolve(ep);
    expect(rt.callsOf('listContainers').length).toBe(lookups);
    resolver.forget!(ep);
    await resolver.resolve(ep);
    expect(rt.callsOf('listContainers').length).toBe(lookups + 1);
    expect(await resolver.resolve({ ...ep, port: 7000 })).toBeUndefined();
    expect(await resolver.resolve({ ...ep, podUid: 'nobody' })).toBeUndefined();
  });
});

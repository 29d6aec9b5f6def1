// FakeRuntime answers label queries from an index on pod uid and node (a simulated node lists its pods'
// containers on every sync): the answers must be exactly those of a full scan, in creation order,
// after creates and removals alike.
import { describe, expect, it } from 'vitest';
import { FakeRuntime } from '../../../main/runtime/fake';
import { RuntimeLabels, type ContainerSpec, type Labels } from '../../../main/runtime/runtime';

const spec = (name: string, labels: Labels, network: ContainerSpec['network']): ContainerSpec => ({ name, image: 'busybox:latest', labels, network });

async function runtimeWithPods(): Promise<{ rt: FakeRuntime; ids: Map<string, string> }> {
  const rt = new FakeRuntime({ allImagesPresent: true });
  await rt.ensureNetwork('lab', { subnet: '10.244.0.0/16', gateway: '10.244.0.1', labels: {} });
  const ids = new Map<string, string>();
  for (const [uid, node] of [['u1', 'node-1'], ['u2', 'node-1'], ['u3', 'node-2']]) {
    const base = { [RuntimeLabels.managed]: 'true', [RuntimeLabels.podUid]: uid, [RuntimeLabels.node]: node };
    const sandbox = await rt.createContainer(spec(`pod-${uid}`, { ...base, [RuntimeLabels.container]: 'POD' }, { sandbox: { network: 'lab', ports: [] } }));
    ids.set(`${uid}/POD`, sandbox);
    ids.set(`${uid}/app`, await rt.createContainer(spec(`app-${uid}`, { ...base, [RuntimeLabels.container]: 'app' }, { joinContainer: sandbox })));
  }
  // A container with none of the indexed labels (e.g. one the lab did not create).
  ids.set('other', await rt.createContainer(spec('other', { [RuntimeLabels.managed]: 'true' }, { sandbox: { network: 'lab', ports: [] } })));
  return { rt, ids };
}

const names = async (rt: FakeRuntime, labels: Labels): Promise<string[]> => (await rt.listContainers(labels)).map((c) => c.name);

describe('FakeRuntime label index', () => {
  it('answers by pod uid, node, both, other labels and an empty selector, in creation order', async () => {
    const { rt } = await runtimeWithPods();
    expect(await names(rt, { [RuntimeLabels.podUid]: 'u2' })).toEqual(['pod-u2', 'app-u2']);
    expect(await names(rt, { [RuntimeLabels.node]: 'node-1' })).toEqual(['pod-u1', 'app-u1', 'pod-u2', 'app-u2']);
    expect(await names(rt, { [RuntimeLabels.node]: 'node-2', [RuntimeLabels.podUid]: 'u3', [RuntimeLabels.container]: 'app' })).toEqual(['app-u3']);
    expect(await names(rt, { [RuntimeLabels.node]: 'node-2', [RuntimeLabels.podUid]: 'u1' })).toEqual([]);
    expect(await names(rt, { [RuntimeLabels.podUid]: 'nope' })).toEqual([]);
    expect(await names(rt, { [RuntimeLabels.container]: 'POD' })).toEqual(['pod-u1', 'pod-u2', 'pod-u3']);
    expect(await names(rt, {})).toEqual(['pod-u1', 'app-u1', 'pod-u2', 'app-u2', 'pod-u3', 'app-u3', 'other']);
  });

  it('forgets removed containers and indexes ones created again under the same labels', async () => {
    const { rt, ids } = await runtimeWithPods();
    await rt.removeContainer(ids.get('u1/app')!);
    await rt.removeContainer(ids.get('u1/POD')!);
    expect(await names(rt, { [RuntimeLabels.podUid]: 'u1' })).toEqual([]);
    expect(await names(rt, { [RuntimeLabels.node]: 'node-1' })).toEqual(['pod-u2', 'app-u2']);
    const labels = { [RuntimeLabels.managed]: 'true', [RuntimeLabels.podUid]: 'u1', [RuntimeLabels.node]: 'node-1', [RuntimeLabels.container]: 'POD' };
    await rt.createContainer(spec('pod-u1-again', labels, { sandbox: { network: 'lab', ports: [] } }));
    expect(await names(rt, { [RuntimeLabels.podUid]: 'u1' })).toEqual(['pod-u1-again']);
    expect(await names(rt, { [RuntimeLabels.node]: 'node-1' })).toEqual(['pod-u2', 'app-u2', 'pod-u1-again']);
  });
});

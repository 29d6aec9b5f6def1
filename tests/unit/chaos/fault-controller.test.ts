// The generic fault controller with a recording fake injector on the in-process apiserver and a FakeClock:
// status persisted before injection, deadline, finalizer, failure with partial revert, revert on stop and
// at start-up after a crash.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, isNotFound } from '../../../shared/api/errors';
import type { AnyFault, FaultStatus, FaultTarget, NodeFault } from '../../../shared/api/chaos';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { FakeClock } from '../../../main/client/clock';
import { FaultController, faultResource } from '../../../main/chaos/fault-controller';
import type { FaultInjector } from '../../../main/chaos/types';
import { MemoryStore } from '../../../main/store/memory-store';

const NODEFAULTS = faultResource('NodeFault');

interface Call {
  op: 'inject' | 'revert';
  target: string;
  /** The fault's stored status at the moment of the call. */
  stored?: FaultStatus;
}

class FakeNodeInjector implements FaultInjector<NodeFault> {
  readonly kind = 'NodeFault' as const;
  readonly calls: Call[] = [];
  failInjectOn?: string;
  failSelect?: ApiError;
  /** When set, revert waits for it (to observe the object while a revert is in progress). */
  revertGate?: Promise<void>;

  constructor(private readonly client: KubeClient) {}

  async selectTargets(fault: NodeFault): Promise<FaultTarget[]> {
    if (this.failSelect) throw this.failSelect;
    return (fault.spec.selector.nodeNames ?? []).map((name) => ({ kind: 'Node', name }));
  }

  async inject(fault: NodeFault, target: FaultTarget): Promise<FaultTarget> {
    const stored = (await this.client.resource<NodeFault>(NODEFAULTS).get(undefined, fault.metadata.name!)).status;
    this.calls.push({ op: 'inject', target: target.name, stored });
    if (target.name === this.failInjectOn) throw new Error(`${target.name} refused`);
    return { ...target, restore: { token: `t-${target.name}` }, message: `${fault.spec.action} on ${target.name}` };
  }

  async revert(_fault: NodeFault, target: FaultTarget): Promise<void> {
    await this.revertGate;
    this.calls.push({ op: 'revert', target: `${target.name}${target.restore?.token ? `:${target.restore.token}` : ''}` });
  }
}

const controllers: FaultController[] = [];
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop({ revert: false });
});

async function setup() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock });
  const client = new KubeClient(handler, 'system:test');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return { clock, client };
}

async function startController(client: KubeClient, clock: FakeClock, injector: FakeNodeInjector) {
  const controller = new FaultController({ client, injectors: [injector], clock, logger: { warn: () => undefined } });
  controllers.push(controller);
  const started = await controller.start();
  return { controller, started };
}

const nodeFault = (name: string, nodes: string[], duration?: string): NodeFault => ({
  apiVersion: 'chaos.bosun.dev/v1alpha1',
  kind: 'NodeFault',
  metadata: { name },
  spec: { action: 'freeze', selector: { nodeNames: nodes }, ...(duration ? { duration } : {}) },
});

/** Polls (real time) until fn answers; fake time moves 10 ms per poll so short requeues still happen. */
async function until<T>(clock: FakeClock, fn: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    clock.step(10);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`not reached: ${what}`);
}

const get = (client: KubeClient, name: string) => client.resource<AnyFault>(NODEFAULTS).get(undefined, name);
const inPhase = (client: KubeClient, name: string, phase: string) => async () => {
  const f = await get(client, name);
  return f.status?.phase === phase ? f : undefined;
};

describe('fault controller', () => {
  it('records targets, injectedAt and expiresAt before touching anything, then Injected with a finalizer and an event', async () => {
    const { clock, client } = await setup();
    const injector = new FakeNodeInjector(client);
    await startController(client, clock, injector);
    await client.resource(NODEFAULTS).create(undefined, nodeFault('freeze-2', ['node-2', 'node-3'], '60s'));
    const fault = await until(clock, inPhase(client, 'freeze-2', 'Injected'), 'Injected');

    const first = injector.calls[0];
    expect(first).toMatchObject({ op: 'inject', target: 'node-2' });
    expect(first.stored?.phase).toBe('Injecting');
    expect(first.stored?.targets?.map((t) => t.name)).toEqual(['node-2', 'node-3']);
    expect(Date.parse(first.stored!.expiresAt!) - Date.parse(first.stored!.injectedAt!)).toBe(60_000);
    // The second injection sees the first one's restore data already persisted.
    expect(injector.calls[1].stored?.targets?.[0].restore).toEqual({ token: 't-node-2' });

    expect(fault.metadata.finalizers).toEqual(['chaos.bosun.dev/revert']);
    expect(fault.status?.targets?.every((t) => t.injectedAt)).toBe(true);
    expect(fault.status?.conditions?.[0]).toMatchObject({ type: 'Injected', status: 'True', reason: 'Injected' });
    const events = await until(clock, async () => {
      const list = await client.events().list('default');
      return list.items.find((e: any) => e.reason === 'Injected') ? list.items : undefined;
    }, 'Injected event');
    expect(events.find((e: any) => e.reason === 'Injected')).toMatchObject({ involvedObject: { kind: 'NodeFault', name: 'freeze-2' }, type: 'Normal' });
  });

  it('reverts when the persisted deadline passes, and keeps the object as history without a finalizer', async () => {
    const { clock, client } = await setup();
    const injector = new FakeNodeInjector(client);
    await startController(client, clock, injector);
    await client.resource(NODEFAULTS).create(undefined, nodeFault('timed', ['node-1'], '60s'));
    const injected = await until(clock, inPhase(client, 'timed', 'Injected'), 'Injected');
    const expiresAt = Date.parse(injected.status!.expiresAt!);
    clock.step(expiresAt - clock.nowMs() - 1000);
    await new Promise((r) => setTimeout(r, 50));
    expect((await get(client, 'timed')).status?.phase).toBe('Injected');
    expect(injector.calls.filter((c) => c.op === 'revert')).toEqual([]);
    clock.step(1000);
    const reverted = await until(clock, inPhase(client, 'timed', 'Reverted'), 'Reverted');
    expect(injector.calls.filter((c) => c.op === 'revert').map((c) => c.target)).toEqual(['node-1:t-node-1']);
    expect(reverted.status?.message).toBe('Reverted: duration 60s ended');
    expect(reverted.status?.revertedAt).toBeTruthy();
    expect(reverted.status?.targets?.[0].revertedAt).toBeTruthy();
    expect(reverted.metadata.finalizers ?? []).toEqual([]);
    // History objects delete at once.
    await client.resource(NODEFAULTS).delete(undefined, 'timed');
    await expect(get(client, 'timed')).rejects.toSatisfy(isNotFound);
  });

  it('holds a deletion with the finalizer until the revert is done', async () => {
    const { clock, client } = await setup();
    const injector = new FakeNodeInjector(client);
    await startController(client, clock, injector);
    await client.resource(NODEFAULTS).create(undefined, nodeFault('held', ['node-2']));
    await until(clock, inPhase(client, 'held', 'Injected'), 'Injected');
    let release!: () => void;
    injector.revertGate = new Promise((r) => (release = r));
    await client.resource(NODEFAULTS).delete(undefined, 'held');
    const reverting = await until(clock, inPhase(client, 'held', 'Reverting'), 'Reverting');
    expect(reverting.metadata.deletionTimestamp).toBeTruthy();
    expect(injector.calls.filter((c) => c.op === 'revert')).toEqual([]);
    release();
    await until(clock, async () => get(client, 'held').then(() => undefined, (e) => (isNotFound(e) ? true : Promise.reject(e))), 'gone');
    expect(injector.calls.filter((c) => c.op === 'revert').map((c) => c.target)).toEqual(['node-2:t-node-2']);
  });

  it('on an injection failure reverts what was done (not what was never touched) and ends Failed with a Warning', async () => {
    const { clock, client } = await setup();
    const injector = new FakeNodeInjector(client);
    injector.failInjectOn = 'node-2';
    await startController(client, clock, injector);
    await client.resource(NODEFAULTS).create(undefined, nodeFault('partial', ['node-1', 'node-2', 'node-3']));
    const failed = await until(clock, inPhase(client, 'partial', 'Failed'), 'Failed');
    expect(injector.calls.map((c) => `${c.op} ${c.target}`)).toEqual(['inject node-1', 'inject node-2', 'revert node-2', 'revert node-1:t-node-1']);
    expect(failed.status?.message).toBe('injecting freeze into node node-2 failed: node-2 refused; what was injected has been reverted');
    expect(failed.status?.targets?.map((t) => Boolean(t.revertedAt))).toEqual([true, true, false]);
    expect(failed.metadata.finalizers ?? []).toEqual([]);
    const warning = await until(clock, async () => (await client.events().list('default')).items.find((e: any) => e.reason === 'Failed'), 'Failed event');
    expect(warning).toMatchObject({ type: 'Warning' });
  });

  it('fails without injecting when target selection is refused', async () => {
    const { clock, client } = await setup();
    const injector = new FakeNodeInjector(client);
    injector.failSelect = ApiError.invalid('chaos.bosun.dev', 'NodeFault', 'nope', [{ type: 'FieldValueNotFound', field: 'spec.selector.nodeNames[0]', value: 'node-9' }]);
    await startController(client, clock, injector);
    await client.resource(NODEFAULTS).create(undefined, nodeFault('nope', ['node-9']));
    const failed = await until(clock, inPhase(client, 'nope', 'Failed'), 'Failed');
    expect(failed.status?.message).toContain('selecting targets failed: NodeFault.chaos.bosun.dev "nope" is invalid');
    expect(injector.calls).toEqual([]);
  });

  it('stop() reverts every fault in force', async () => {
    const { clock, client } = await setup();
    const injector = new FakeNodeInjector(client);
    const { controller } = await startController(client, clock, injector);
    await client.resource(NODEFAULTS).create(undefined, nodeFault('a', ['node-1']));
    await client.resource(NODEFAULTS).create(undefined, nodeFault('b', ['node-2'], '5m'));
    await until(clock, inPhase(client, 'a', 'Injected'), 'a Injected');
    await until(clock, inPhase(client, 'b', 'Injected'), 'b Injected');
    await controller.stop();
    expect(injector.calls.filter((c) => c.op === 'revert').map((c) => c.target).sort()).toEqual(['node-1:t-node-1', 'node-2:t-node-2']);
    for (const name of ['a', 'b']) expect((await get(client, name)).status).toMatchObject({ phase: 'Reverted', message: 'Reverted: the lab stopped' });
  });

  it('after a crash, a new controller reverts what is recorded in force before injecting anything new', async () => {
    const { clock, client } = await setup();
    const first = new FakeNodeInjector(client);
    const { controller } = await startController(client, clock, first);
    await client.resource(NODEFAULTS).create(undefined, nodeFault('left-over', ['node-2'], '10m'));
    const injected = await until(clock, inPhase(client, 'left-over', 'Injected'), 'Injected');
    await controller.stop({ revert: false }); // SIGKILL: nothing reverted
    expect(first.calls.some((c) => c.op === 'revert')).toBe(false);
    // A new fault created while the lab was down must wait until the leftovers are reverted.
    await client.resource(NODEFAULTS).create(undefined, nodeFault('new-one', ['node-3']));

    const second = new FakeNodeInjector(client);
    const { started } = await startController(client, clock, second);
    expect(started.revertedAtStartup).toBe(1);
    expect(second.calls[0]).toMatchObject({ op: 'revert', target: 'node-2:t-node-2' });
    const reverted = await get(client, 'left-over');
    expect(reverted.status?.phase).toBe('Reverted');
    expect(reverted.status?.message).toContain('Reverted at start-up');
    // The deadline stays recorded, and the revert came before it (reverted, not re-injected).
    expect(reverted.status?.expiresAt).toBe(injected.status?.expiresAt);
    expect(Date.parse(reverted.status!.revertedAt!)).toBeLessThan(Date.parse(reverted.status!.expiresAt!));
    await until(clock, inPhase(client, 'new-one', 'Injected'), 'new-one Injected');
    expect(second.calls.map((c) => `${c.op} ${c.target}`)).toEqual(['revert node-2:t-node-2', 'inject node-3']);
  });

  it('stopAll deletes every fault, each reverting first', async () => {
    const { clock, client } = await setup();
    const injector = new FakeNodeInjector(client);
    const { controller } = await startController(client, clock, injector);
    await client.resource(NODEFAULTS).create(undefined, nodeFault('x', ['node-1']));
    await client.resource(NODEFAULTS).create(undefined, nodeFault('y', ['node-2']));
    await until(clock, inPhase(client, 'y', 'Injected'), 'y Injected');
    await until(clock, inPhase(client, 'x', 'Injected'), 'x Injected');
    expect(await controller.stopAll()).toBe(2);
    await until(clock, async () => ((await client.resource(NODEFAULTS).list()).items.length === 0 ? true : undefined), 'all gone');
    expect(injector.calls.filter((c) => c.op === 'revert').map((c) => c.target).sort()).toEqual(['node-1:t-node-1', 'node-2:t-node-2']);
  });
});

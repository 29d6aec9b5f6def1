// Drills end to end on the in-process API with the real fault controller and scripted injectors: steady
// state gate, fault steps through the API (names, labels, owners), detection/recovery report, abort,
// recovery timeout, failed faults, deletion cleanup and the "lab stopped mid-drill" rule.
import { afterEach, describe, expect, it } from 'vitest';
import type { AnyFault, Drill, NodeFault, PodFault } from '../../../shared/api/chaos';
import { isNotFound } from '../../../shared/api/errors';
import { DRILLS, FAULT_GVRS } from '../../../main/chaos/drill-steps';
import { deployment, drillObject, eventually, NS, runDrill, setEndpoints, setReady, startDrillStack, type DrillStack } from './drill-support';

let stack: DrillStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const readyCheck = (min = 3) => ({ name: 'web-ready', deploymentReady: { name: 'web', minReady: min } });
const crashStep = (duration = '2s') => ({ name: 'crash', nodeFault: { action: 'crash' as const, selector: { nodeNames: ['node-2'] } }, duration });

describe('drill runner', () => {
  it('injects a NodeFault through the API, detects the break, measures recovery and reports the hypothesis held', async () => {
    stack = await startDrillStack();
    const s = stack;
    await deployment(s.client, 'web', 3);
    let faultSeen: NodeFault | undefined;
    s.nodeInjector.onInject = async (fault) => {
      faultSeen = fault as NodeFault;
      await setReady(s.client, 'web', 2);
      // Kubernetes heals while the node is still down: the replacement becomes ready a (fake) second later.
      s.clock.setTimeout(() => void setReady(s.client, 'web', 3), 1000);
    };
    const d = await runDrill(s, drillObject('crash-node', { steadyState: [readyCheck()], steps: [crashStep('3s')], recoveryTimeout: '10s' }));
    expect(d.status?.phase).toBe('Succeeded');
    const r = d.status!.report!;
    expect(r).toMatchObject({ hypothesisHeld: true, steadyBefore: true, heldThroughout: false, requestsTotal: 0, requestsFailed: 0 });
    // Detection within a couple of samples; recovery about one (fake) second after the disruption.
    expect(r.timeToDetectSeconds!).toBeGreaterThanOrEqual(0);
    expect(r.timeToDetectSeconds!).toBeLessThan(0.5);
    expect(r.timeToRecoverSeconds!).toBeGreaterThanOrEqual(0.9);
    expect(r.timeToRecoverSeconds!).toBeLessThan(2);
    const check = r.checks!.find((c) => c.name === 'web-ready')!;
    expect(check.minObserved).toBe(2);
    expect(check.failedSamples).toBeGreaterThan(0);
    // The fault object: named <drill>-<step>, labelled with its drill, spec from the template plus the step's duration.
    expect(faultSeen?.metadata.name).toBe('crash-node-crash');
    expect(faultSeen?.metadata.labels).toEqual({ 'chaos.bosun.dev/drill': 'crash-node', 'chaos.bosun.dev/drill-namespace': NS });
    expect(faultSeen?.metadata.ownerReferences).toBeUndefined();
    expect(faultSeen?.spec).toEqual({ action: 'crash', selector: { nodeNames: ['node-2'] }, duration: '3s', mode: 'all' });
    // Reverted and deleted at the end of the step.
    expect(s.nodeInjector.log).toEqual(['inject crash-node-crash', 'revert crash-node-crash']);
    await expect(s.client.resource(FAULT_GVRS.NodeFault).get(undefined, 'crash-node-crash')).rejects.toSatisfy(isNotFound);
    // The timeline tells the story in order.
    const lines = d.status!.timeline!.map((e) => `${e.type}: ${e.message}`);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^Drill: steady state verified/)).toBeGreaterThan(-1);
    expect(at(/^Step: NodeFault crash-node-crash created/)).toBeGreaterThan(at(/^Drill: steady state verified/));
    expect(at(/^Fault: NodeFault crash-node-crash Injected/)).toBeGreaterThan(-1);
    expect(at(/^Check: check web-ready fails: deployment web: 2 ready/)).toBeGreaterThan(at(/^Step: NodeFault crash-node-crash created/));
    expect(lines.filter((l) => /^Check: check web-ready holds/.test(l)).length).toBe(2);
    expect(at(/^Drill: drill Succeeded/)).toBe(lines.length - 1);
    expect(d.status!.timeline!.every((e, i, all) => i === 0 || all[i - 1].time <= e.time)).toBe(true);
  });

  it('owns namespaced faults through ownerReferences', async () => {
    stack = await startDrillStack();
    const s = stack;
    await deployment(s.client, 'web', 3);
    let seen: PodFault | undefined;
    s.podInjector.onInject = (f) => void (seen = f as PodFault);
    const d = await runDrill(s, drillObject('kill', {
      steadyState: [readyCheck()],
      steps: [{ name: 'kill-one', podFault: { action: 'kill', selector: { labelSelector: { matchLabels: { app: 'web' } } }, mode: 'one' }, duration: '500ms' }],
    }));
    expect(d.status?.phase).toBe('Succeeded');
    expect(d.status?.report).toMatchObject({ hypothesisHeld: true, heldThroughout: true });
    expect(seen?.metadata.namespace).toBe(NS);
    expect(seen?.metadata.ownerReferences).toEqual([{ apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'Drill', name: 'kill', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  });

  it('fails before the first step when the steady state is not met, injecting nothing', async () => {
    stack = await startDrillStack();
    await deployment(stack.client, 'web', 1);
    const d = await runDrill(stack, drillObject('early', { steadyState: [readyCheck()], steps: [crashStep()], steadyStateTimeout: '1s' }));
    expect(d.status?.phase).toBe('Failed');
    expect(d.status?.message).toBe('steady state not met before the drill: deployment web: 1 ready (want ≥ 3)');
    expect(d.status?.report).toMatchObject({ hypothesisHeld: false, steadyBefore: false, heldThroughout: false });
    expect(stack.nodeInjector.log).toEqual([]);
  });

  it('waits for a steady state that establishes itself (a drill applied together with its Deployment)', async () => {
    stack = await startDrillStack();
    const s = stack;
    await deployment(s.client, 'web', 0);
    s.clock.setTimeout(() => void setReady(s.client, 'web', 3), 1500);
    const d = await runDrill(s, drillObject('late', { steadyState: [readyCheck()], steps: [{ name: 'pause', duration: '200ms' }] }));
    expect(d.status?.phase).toBe('Succeeded');
    expect(d.status?.report?.heldThroughout).toBe(true);
  });

  it('aborts when an abort check fails for abortAfter, deleting its faults', async () => {
    stack = await startDrillStack();
    const s = stack;
    await deployment(s.client, 'web', 3);
    await setEndpoints(s.client, 'web', 3);
    s.nodeInjector.onInject = () => setEndpoints(s.client, 'web', 0);
    s.nodeInjector.onRevert = () => setEndpoints(s.client, 'web', 3);
    const started = Date.now();
    const d = await runDrill(s, drillObject('abort', {
      steadyState: [readyCheck()],
      abortWhen: [{ name: 'some-endpoints', endpoints: { service: 'web', minReady: 1 } }],
      abortAfter: '1s',
      steps: [crashStep('10m')],
    }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(d.status?.phase).toBe('Aborted');
    expect(d.status?.message).toMatch(/^abort condition some-endpoints failed for 1s: endpoints web: 0 ready \(want ≥ 1\)$/);
    expect(d.status?.report?.hypothesisHeld).toBe(false);
    expect(s.nodeInjector.log).toEqual(['inject abort-crash', 'revert abort-crash']);
    const left = await s.client.resource<AnyFault>(FAULT_GVRS.NodeFault).list();
    expect(left.items).toEqual([]);
  });

  it('fails when the steady state is not back within recoveryTimeout', async () => {
    stack = await startDrillStack();
    const s = stack;
    await deployment(s.client, 'web', 3);
    s.nodeInjector.onInject = () => setReady(s.client, 'web', 1);
    const d = await runDrill(s, drillObject('stuck', { steadyState: [readyCheck()], steps: [crashStep('500ms')], recoveryTimeout: '1s' }));
    expect(d.status?.phase).toBe('Failed');
    expect(d.status?.message).toBe('steady state not back within 1s: deployment web: 1 ready (want ≥ 3)');
    expect(d.status?.report).toMatchObject({ hypothesisHeld: false, steadyBefore: true, heldThroughout: false });
    expect(d.status?.report?.timeToRecoverSeconds).toBeUndefined();
    expect(d.status?.report?.timeToDetectSeconds).toBeDefined();
  });

  it('fails with the fault\'s own message when its injection fails', async () => {
    stack = await startDrillStack();
    await deployment(stack.client, 'web', 3);
    stack.nodeInjector.failWith = 'node-2 is not a lab node';
    const d = await runDrill(stack, drillObject('bad', { steadyState: [readyCheck()], steps: [crashStep()] }));
    expect(d.status?.phase).toBe('Failed');
    expect(d.status?.message).toContain('NodeFault bad-crash failed:');
    expect(d.status?.message).toContain('node-2 is not a lab node');
  });

  it('deleting a running drill deletes its faults (reverting them) before the drill goes', async () => {
    stack = await startDrillStack();
    const s = stack;
    await deployment(s.client, 'web', 3);
    const drills = s.client.resource<Drill>(DRILLS);
    await drills.create(NS, drillObject('gone', { steadyState: [readyCheck()], steps: [crashStep('10m')] }));
    await eventually(async () => (await s.client.resource<NodeFault>(FAULT_GVRS.NodeFault).get(undefined, 'gone-crash').catch(() => undefined))?.status?.phase === 'Injected');
    const d = await drills.get(NS, 'gone');
    expect(d.metadata.finalizers).toContain('chaos.bosun.dev/drill-cleanup');
    await drills.delete(NS, 'gone');
    await eventually(async () => drills.get(NS, 'gone').then(() => false, (e) => isNotFound(e)));
    expect(s.nodeInjector.log).toEqual(['inject gone-crash', 'revert gone-crash']);
    await expect(s.client.resource(FAULT_GVRS.NodeFault).get(undefined, 'gone-crash')).rejects.toSatisfy(isNotFound);
  });

  it('marks a drill the lab stopped in the middle of as Aborted instead of resuming it', async () => {
    stack = await startDrillStack();
    const s = stack;
    await deployment(s.client, 'web', 3);
    const drills = s.client.resource<Drill>(DRILLS);
    await s.drills.stop();
    // What a crashed lab leaves: a drill recorded Running, and its fault.
    await drills.create(NS, drillObject('orphan', { steadyState: [readyCheck()], steps: [crashStep('10m')] }));
    await drills.patchSubresource(NS, 'orphan', 'status', 'application/merge-patch+json', { status: { phase: 'Running', startedAt: new Date().toISOString() } });
    await s.client.resource<NodeFault>(FAULT_GVRS.NodeFault).create(undefined, {
      apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'NodeFault',
      metadata: { name: 'orphan-crash', labels: { 'chaos.bosun.dev/drill': 'orphan', 'chaos.bosun.dev/drill-namespace': NS } },
      spec: { action: 'crash', selector: { nodeNames: ['node-2'] } },
    });
    const { DrillController } = await import('../../../main/chaos/drill-controller');
    const again = new DrillController({ client: s.client, clock: s.clock, logger: { warn: () => undefined } });
    again.start();
    try {
      const d = await eventually(async () => {
        const cur = await drills.get(NS, 'orphan');
        return cur.status?.phase === 'Aborted' ? cur : undefined;
      });
      expect(d.status?.message).toMatch(/^the lab stopped during the drill/);
      await eventually(async () => s.client.resource(FAULT_GVRS.NodeFault).get(undefined, 'orphan-crash').then(() => false, (e) => isNotFound(e)));
    } finally {
      await again.stop();
    }
  });
});

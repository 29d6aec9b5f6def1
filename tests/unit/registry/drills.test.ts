// The chaos.bosun.dev Drill kind through the in-process apiserver: 422 field errors, immutable spec, strict
// field validation from the declared schema, table columns.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { builtinResources } from '../../../main/apiserver/registry';
import { drills } from '../../../main/apiserver/registry/drills';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { MemoryStore } from '../../../main/store/memory-store';
import { cells } from './helpers';

const DRILLS = { group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'drills' };

async function setup() {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'system:test');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return { handler, client };
}

const drill = (spec: Record<string, unknown>, name = 'd') => ({ apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'Drill', metadata: { name, namespace: 'default' }, spec });
const good = {
  steadyState: [{ name: 'ready', deploymentReady: { name: 'web', minReady: 3 } }],
  steps: [{ name: 'crash', nodeFault: { action: 'crash', selector: { nodeNames: ['node-2'] } }, duration: '20s' }],
};

async function causes(p: Promise<unknown>): Promise<string[]> {
  const e = (await p.then(() => undefined, (err: unknown) => err)) as ApiError;
  expect(e).toBeInstanceOf(ApiError);
  expect(e.code).toBe(422);
  return e.causes.map((c) => `${c.field}: ${c.message}`);
}

describe('Drill registry', () => {
  it('accepts a valid drill and serves it in category chaos', async () => {
    const { client } = await setup();
    const created = await client.resource(DRILLS).create('default', drill(good));
    expect(created.metadata.uid).toBeTruthy();
    expect(drills.categories).toContain('chaos');
    expect(drills.subresources).toEqual(['status']);
  });

  it('refuses checks with zero or two kinds, non-loopback URLs, bad durations and empty steps', async () => {
    const { client } = await setup();
    const errs = await causes(
      client.resource(DRILLS).create(
        'default',
        drill({
          steadyState: [
            { name: 'none' },
            { name: 'two', deploymentReady: { name: 'web', minReady: 1 }, endpoints: { service: 'web', minReady: 1 } },
            { name: 'far', http: { url: 'http://10.0.0.1/', timeout: '1x' } },
          ],
          steps: [],
          recoveryTimeout: 'soon',
        }),
      ),
    );
    expect(errs).toContain('spec.steadyState[0]: Required value: must specify one check kind: deploymentReady, endpoints, http');
    expect(errs).toContain('spec.steadyState[1].endpoints: Forbidden: may not specify more than one check kind (deploymentReady, endpoints are set)');
    expect(errs.some((e) => e.startsWith('spec.steadyState[2].http.url: Invalid value: "http://10.0.0.1/": must be an http://127.0.0.1 URL'))).toBe(true);
    expect(errs).toContain('spec.steadyState[2].http.timeout: Invalid value: "1x": must be a Go duration such as "30s" or "1m30s"');
    expect(errs).toContain('spec.steps: Required value: a drill needs at least one step');
    expect(errs).toContain('spec.recoveryTimeout: Invalid value: "soon": must be a Go duration such as "30s" or "1m30s"');
  });

  it('refuses steps with two actions, fault steps without a duration, pauses without one, and duplicate names', async () => {
    const { client } = await setup();
    const errs = await causes(
      client.resource(DRILLS).create(
        'default',
        drill({
          steadyState: good.steadyState,
          steps: [
            { name: 'both', rollout: { deployment: 'web', restart: true }, drain: { node: 'node-2' } },
            { name: 'forever', podFault: { action: 'kill', selector: { labelSelector: { matchLabels: { app: 'web' } } } } },
            { name: 'wait' },
            { name: 'wait', duration: '1s' },
            { name: 'Bad_Name', podFault: { action: 'explode', selector: {} }, duration: '1s' },
          ],
        }),
      ),
    );
    expect(errs).toContain('spec.steps[0].drain: Forbidden: may not specify more than one action (rollout, drain are set)');
    expect(errs).toContain('spec.steps[1].duration: Required value: a fault step needs a duration (how long the fault stays)');
    expect(errs).toContain('spec.steps[2].duration: Required value: a step without an action is a pause and needs a duration');
    expect(errs).toContain('spec.steps[3].name: Duplicate value: "wait"');
    expect(errs.some((e) => e.startsWith('spec.steps[4].name: Invalid value: "Bad_Name"'))).toBe(true);
    expect(errs.some((e) => e.startsWith('spec.steps[4].podFault.action: Unsupported value: "explode"'))).toBe(true);
  });

  it('keeps the spec immutable (a drill runs once) but lets status change', async () => {
    const { client } = await setup();
    const c = client.resource(DRILLS);
    const created = await c.create('default', drill(good));
    const changed = structuredClone(created) as typeof created & { spec: typeof good };
    changed.spec.steps[0].duration = '30s';
    const errs = await causes(c.update('default', changed));
    expect(errs).toEqual(['spec: Forbidden: a drill runs once and its spec is immutable: delete and re-create it to run it again']);
    const withStatus = { ...structuredClone(created), status: { phase: 'Running', currentStep: 0, currentStepName: 'crash' } };
    const updated = await c.updateStatus('default', withStatus);
    expect((updated as { status?: { phase?: string } }).status?.phase).toBe('Running');
  });

  it('strict field validation reports unknown fields from the declared schema', async () => {
    const { handler } = await setup();
    const body = drill({ ...good, steadyState: [{ name: 'ready', deploymentReady: { name: 'web', minReady: 3, minimum: 2 } }] });
    const e = (await handler
      .handle({ verb: 'create', ...DRILLS, namespace: 'default', body, query: { fieldValidation: 'Strict' }, user: 'admin' })
      .then(() => undefined, (err: unknown) => err)) as ApiError;
    expect(e.code).toBe(400);
    expect(e.message).toContain('unknown field "spec.steadyState[0].deploymentReady.minimum"');
  });

  it('shows phase, step, hypothesis and recovery in kubectl get columns', () => {
    const o = {
      ...drill(good),
      metadata: { name: 'd', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
      status: { phase: 'Succeeded', currentStep: 0, currentStepName: 'crash', report: { hypothesisHeld: true, steadyBefore: true, heldThroughout: false, timeToRecoverSeconds: 12.34, timeToDetectSeconds: 1.5, requestsTotal: 100, requestsFailed: 3 } },
    };
    expect(cells(drills, o, new Date('2026-01-01T00:01:00Z'), true)).toMatchObject({
      Phase: 'Succeeded',
      Step: '1/1 crash',
      Hypothesis: 'Held',
      Recovery: '12.3s',
      Detect: '1.5s',
      'Failed-Requests': '3/100',
    });
    expect(cells(drills, drill(good), new Date())).toMatchObject({ Phase: 'Pending', Step: '<none>', Hypothesis: '<none>', Recovery: '<none>' });
  });
});

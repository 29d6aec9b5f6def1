// The chaos.bosun.dev fault kinds through the in-process apiserver: defaults, 422 field errors, immutable
// spec, strict field validation from the declared schema, table columns, discovery category.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { parseGoDuration } from '../../../shared/api/chaos';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import { KubeClient } from '../../../main/client/client';
import { MemoryStore } from '../../../main/store/memory-store';

const NODEFAULTS = { group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'nodefaults' };
const PODFAULTS = { group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'podfaults' };
const SERVICEFAULTS = { group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'servicefaults' };

async function setup() {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'system:test');
  for (const name of ['default', 'kube-system']) await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return { handler, client };
}

async function invalidCauses(p: Promise<unknown>): Promise<Array<{ field?: string; message?: string }>> {
  const e = (await p.then(
    () => undefined,
    (err: unknown) => err,
  )) as ApiError;
  expect(e).toBeInstanceOf(ApiError);
  expect(e.code).toBe(422);
  return e.causes;
}

const nodeFault = (spec: Record<string, unknown>, name = 'nf') => ({ apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'NodeFault', metadata: { name }, spec });

describe('parseGoDuration', () => {
  it('reads Go durations and refuses what Go refuses', () => {
    expect(parseGoDuration('60s')).toBe(60_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('60')).toBeUndefined();
    expect(parseGoDuration('1d')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
  });
});

describe('NodeFault', () => {
  it('is created with mode defaulted to all and an empty status', async () => {
    const { client } = await setup();
    const created = (await client.resource(NODEFAULTS).create(undefined, nodeFault({ action: 'crash', selector: { nodeNames: ['node-2'] }, duration: '60s' }))) as any;
    expect(created.spec.mode).toBe('all');
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.namespace).toBeUndefined();
  });

  it('rejects a bad action, an empty selector, a bad duration and a bad mode value with field causes', async () => {
    const { client } = await setup();
    const causes = await invalidCauses(client.resource(NODEFAULTS).create(undefined, nodeFault({ action: 'explode', selector: {}, duration: '60', mode: 'fixed' })));
    expect(causes.map((c) => c.field)).toEqual(['spec.action', 'spec.selector', 'spec.value', 'spec.duration']);
    expect(causes[0].message).toBe('Unsupported value: "explode": supported values: "crash", "kubeletStop", "freeze", "partition"');
    expect(causes[3].message).toContain('must be a duration');
  });

  it('checks fixed-percent ranges and a label selector', async () => {
    const { client } = await setup();
    const causes = await invalidCauses(
      client.resource(NODEFAULTS).create(undefined, nodeFault({ action: 'freeze', selector: { labelSelector: {} }, mode: 'fixed-percent', value: '150' })),
    );
    expect(causes.map((c) => c.field)).toEqual(['spec.selector.labelSelector', 'spec.value']);
  });

  it('keeps the spec immutable but lets status and metadata change', async () => {
    const { client } = await setup();
    const created = (await client.resource(NODEFAULTS).create(undefined, nodeFault({ action: 'crash', selector: { nodeNames: ['node-2'] } }))) as any;
    const causes = await invalidCauses(client.resource(NODEFAULTS).update(undefined, { ...created, spec: { ...created.spec, action: 'freeze' } }));
    expect(causes[0].field).toBe('spec');
    expect(causes[0].message).toContain('field is immutable');
    const labelled = (await client.resource(NODEFAULTS).update(undefined, { ...created, metadata: { ...created.metadata, labels: { a: 'b' } } })) as any;
    const withStatus = (await client.resource(NODEFAULTS).updateStatus(undefined, { ...labelled, status: { phase: 'Injected' } })) as any;
    expect(withStatus.status.phase).toBe('Injected');
  });

  it('refuses unknown fields under fieldValidation=Strict, from the declared schema', async () => {
    const { handler } = await setup();
    const e = await handler
      .handle({ verb: 'create', ...NODEFAULTS, body: nodeFault({ action: 'crash', selector: { nodeNames: ['node-1'], nodeName: 'x' } }), query: { fieldValidation: 'Strict' } })
      .catch((err: unknown) => err as ApiError);
    expect((e as ApiError).code).toBe(400);
    expect((e as ApiError).message).toBe('NodeFault in version "v1alpha1" cannot be handled as a NodeFault: strict decoding error: unknown field "spec.selector.nodeName"');
  });

  it('prints ACTION TARGETS PHASE EXPIRES AGE in tables', async () => {
    const { handler, client } = await setup();
    const created = (await client.resource(NODEFAULTS).create(undefined, nodeFault({ action: 'partition', selector: { nodeNames: ['node-3'] } }))) as any;
    const expiresAt = new Date(Date.now() + 30_000).toISOString();
    await client.resource(NODEFAULTS).updateStatus(undefined, { ...created, status: { phase: 'Injected', expiresAt, targets: [{ kind: 'Node', name: 'node-3' }] } });
    const table = (await handler.handle({ verb: 'list', ...NODEFAULTS, asTable: true })) as any;
    expect(table.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Action', 'Targets', 'Phase', 'Expires', 'Age', 'Message']);
    const [name, action, targets, phase, expires] = table.rows[0].cells;
    expect([name, action, targets, phase]).toEqual(['nf', 'partition', 'node-3', 'Injected']);
    expect(expires).toMatch(/^(29|30)s$/);
  });
});

describe('PodFault and ServiceFault', () => {
  it('refuse the protected namespaces, naming the field', async () => {
    const { client } = await setup();
    const pf = { apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'PodFault', metadata: { name: 'p', namespace: 'default' }, spec: { action: 'kill', selector: { namespace: 'kube-system', labelSelector: { matchLabels: { a: 'b' } } } } };
    const causes = await invalidCauses(client.resource(PODFAULTS).create('default', pf));
    expect(causes).toEqual([expect.objectContaining({ field: 'spec.selector.namespace', message: expect.stringContaining('namespace "kube-system" is protected') })]);
    const own = await invalidCauses(client.resource(PODFAULTS).create('kube-system', { ...pf, metadata: { name: 'p', namespace: 'kube-system' }, spec: { action: 'delete', selector: { pods: ['web-1'] } } }));
    expect(own.map((c) => c.field)).toEqual(['metadata.namespace', 'spec.selector.pods[0]']);
    const sf = { apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'ServiceFault', metadata: { name: 's', namespace: 'default' }, spec: { service: { namespace: 'kube-system', name: 'kube-dns' }, errorPercent: 50 } };
    expect((await invalidCauses(client.resource(SERVICEFAULTS).create('default', sf))).map((c) => c.field)).toEqual(['spec.service.namespace']);
  });

  it('check memoryStress memory, percent ranges and that a ServiceFault does something', async () => {
    const { client } = await setup();
    const pf = { apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'PodFault', metadata: { name: 'p', namespace: 'default' }, spec: { action: 'memoryStress', selector: { pods: ['web-1'] } } };
    expect((await invalidCauses(client.resource(PODFAULTS).create('default', pf))).map((c) => c.field)).toEqual(['spec.memory']);
    const sf = { apiVersion: 'chaos.bosun.dev/v1alpha1', kind: 'ServiceFault', metadata: { name: 's', namespace: 'default' }, spec: { service: { name: 'web' }, errorPercent: 101 } };
    expect((await invalidCauses(client.resource(SERVICEFAULTS).create('default', sf))).map((c) => c.field)).toEqual(['spec.errorPercent']);
    const none = { ...sf, spec: { service: { name: 'web' } } };
    expect((await invalidCauses(client.resource(SERVICEFAULTS).create('default', none))).map((c) => c.field)).toEqual(['spec']);
    const ok = (await client.resource(SERVICEFAULTS).create('default', { ...sf, spec: { service: { name: 'web' }, latency: '200ms', errorPercent: 10 } })) as any;
    expect(ok.spec.latency).toBe('200ms');
  });
});

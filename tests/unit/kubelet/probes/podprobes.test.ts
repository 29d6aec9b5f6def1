// PodProbes through the real RestHandler (virtual resource hook) and over HTTP: get/list/table,
// selectors, read-only (405 for writes and watches), discovery, and routing to the pod's node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/api/errors';
import type { Pod } from '../../../../shared/api/pod';
import { startApiHttpServer, type ApiHttpServer } from '../../../../main/apiserver/http/server';
import { builtinResources } from '../../../../main/apiserver/registry';
import { RestHandler } from '../../../../main/apiserver/rest/handler';
import { KubeClient } from '../../../../main/client/client';
import { createPodProbesProvider, podProbesResource, type PodProbesSource } from '../../../../main/kubelet/probes/podprobes';
import { MemoryStore } from '../../../../main/store/memory-store';

const TOKEN = 'podprobes-token';
const PODPROBES = { group: 'lab.bosun.dev', version: 'v1alpha1', resource: 'podprobes' };
let handler: RestHandler;
let client: KubeClient;
let server: ApiHttpServer;
const asked: string[] = [];

const pod = (name: string, nodeName: string, probed = true): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: { nodeName, containers: [{ name: 'web', image: 'x', readinessProbe: probed ? { tcpSocket: { port: 80 } } : undefined }] },
});

const sourceOn = (node: string): PodProbesSource => ({
  snapshot: (p) => {
    asked.push(`${node}:${p.metadata.name}`);
    return [
      {
        name: 'web',
        containerID: `cid-${p.metadata.name}`,
        ready: node === 'node-1',
        started: true,
        probes: [
          {
            type: 'readiness',
            handler: 'tcp-socket :80',
            timing: { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, initialDelaySeconds: 0 },
            result: node === 'node-1' ? 'Success' : 'Failure',
            consecutiveSuccesses: 0,
            consecutiveFailures: 1,
            history: [{ time: '2026-01-01T00:00:00Z', ok: false, latencyMs: 2, message: 'dial tcp 10.0.0.1:80: connect: connection refused' }],
          },
        ],
      },
    ];
  },
});

beforeAll(async () => {
  handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  client = new KubeClient(handler, 'admin');
  handler.registerVirtualResource(podProbesResource, createPodProbesProvider({ client, probesOnNode: (n) => (n === 'node-3' ? undefined : sourceOn(n)) }));
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  for (const p of [pod('a', 'node-1'), pod('b', 'node-2'), pod('plain', 'node-1', false), pod('c', 'node-3')]) await client.pods().create('default', p);
  server = await startApiHttpServer({ handler, resources: [...builtinResources, podProbesResource], token: TOKEN, port: 0, tls: false });
});
afterAll(() => server.close());

describe('PodProbes virtual resource', () => {
  it('get asks the kubelet of the pod node', async () => {
    const pp = await client.resource(PODPROBES).get('default', 'b');
    expect(pp).toMatchObject({
      apiVersion: 'lab.bosun.dev/v1alpha1',
      kind: 'PodProbes',
      metadata: { name: 'b', namespace: 'default', labels: { app: 'b' } },
      spec: { nodeName: 'node-2' },
      status: { containers: [{ name: 'web', ready: false, probes: [{ type: 'readiness', result: 'Failure' }] }] },
    });
    expect(asked.at(-1)).toBe('node-2:b');
    expect((await client.resource(PODPROBES).get('default', 'c')).status).toEqual({ containers: [] }); // no local kubelet
    const missing = await client.resource(PODPROBES).get('default', 'zz').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).message).toBe('podprobes.lab.bosun.dev "zz" not found');
  });

  it('list covers probed pods, honours label selectors', async () => {
    const all = await client.resource(PODPROBES).list('default');
    expect(all.kind).toBe('PodProbesList');
    expect(all.items.map((i) => i.metadata.name)).toEqual(['a', 'b', 'c']);
    const sel = await client.resource(PODPROBES).list(undefined, { labelSelector: 'app=a' });
    expect(sel.items.map((i) => i.metadata.name)).toEqual(['a']);
  });

  it('is read-only: writes and watches answer 405', async () => {
    const create = await client.resource(PODPROBES).create('default', { metadata: { name: 'x' } }).catch((e: unknown) => e);
    expect((create as ApiError).code).toBe(405);
    const del = await client.resource(PODPROBES).delete('default', 'a').catch((e: unknown) => e);
    expect((del as ApiError).code).toBe(405);
    const closed = await new Promise<unknown>((resolve) => client.resource(PODPROBES).watch('default', {}, { onEvent: () => undefined, onClose: resolve }));
    expect((closed as ApiError).code).toBe(405);
  });

  it('over HTTP: discovery, raw get and kubectl-style table', async () => {
    const get = (path: string, accept = 'application/json') =>
      fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, accept } }).then(async (r) => ({ code: r.status, body: (await r.json()) as any }));
    const disc = await get('/apis/lab.bosun.dev/v1alpha1');
    expect(disc.body.resources).toContainEqual(expect.objectContaining({ name: 'podprobes', kind: 'PodProbes', namespaced: true }));
    const raw = await get('/apis/lab.bosun.dev/v1alpha1/namespaces/default/podprobes/a');
    expect(raw.code).toBe(200);
    expect(raw.body.status.containers[0].probes[0].history[0].message).toBe('dial tcp 10.0.0.1:80: connect: connection refused');
    const table = await get('/apis/lab.bosun.dev/v1alpha1/namespaces/default/podprobes', 'application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(table.body.kind).toBe('Table');
    expect(table.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Ready', 'Probes', 'Failures', 'Last Probe', 'Node']);
    expect(table.body.rows[0].cells.slice(0, 4)).toEqual(['a', '1/1', 'web:readiness=Success', 1]);
    const post = await fetch(`${server.url}/apis/lab.bosun.dev/v1alpha1/namespaces/default/podprobes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'x' } }),
    });
    expect(post.status).toBe(405);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareKubeVersions } from '../../../../main/apiserver/discovery/group-versions';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { send, StubHandler, testResources, TOKEN } from './helpers';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

describe('discovery, version and OpenAPI documents', () => {
  let server: ApiHttpServer;

  beforeAll(async () => {
    server = await startApiHttpServer({ handler: new StubHandler(), resources: testResources, token: TOKEN, port: 0 });
    server.registerConnect('', 'pods', 'exec', () => {});
  });
  afterAll(() => server.close());

  it('/api lists the core version with the server address', async () => {
    expect((await send(server.port, '/api')).json()).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${server.port}` }],
    });
  });

  it('/apis lists named groups with their preferred version', async () => {
    const doc = (await send(server.port, '/apis')).json();
    expect(doc.kind).toBe('APIGroupList');
    expect(doc.groups).toEqual([
      { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
      {
        name: 'autoscaling',
        versions: [
          { groupVersion: 'autoscaling/v2', version: 'v2' },
          { groupVersion: 'autoscaling/v1', version: 'v1' },
        ],
        preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
      },
    ]);
    expect((await send(server.port, '/apis/apps')).json()).toMatchObject({ kind: 'APIGroup', name: 'apps', preferredVersion: { version: 'v1' } });
  });

  it('APIResourceList carries resources and subresources, including registered streaming ones', async () => {
    const core = (await send(server.port, '/api/v1')).json();
    expect(core).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const byName = Object.fromEntries(core.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.pods).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    });
    expect(byName['pods/status']).toMatchObject({ kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    expect(byName['pods/log']).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    expect(byName['pods/exec']).toMatchObject({ kind: 'PodExecOptions', verbs: ['create', 'get'] });
    expect(byName['pods/eviction']).toMatchObject({ kind: 'Eviction', group: 'policy', version: 'v1' });
    expect(byName.namespaces).toMatchObject({ namespaced: false, shortNames: ['ns'] });
    const apps = (await send(server.port, '/apis/apps/v1')).json();
    expect(apps.resources.find((r: { name: string }) => r.name === 'deployments/scale')).toEqual({
      name: 'deployments/scale',
      singularName: '',
      namespaced: true,
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
      group: 'autoscaling',
      version: 'v1',
    });
  });

  it('answers aggregated discovery (v2, or v2beta1 for older kubectl) when asked', async () => {
    const res = await send(server.port, '/apis', { headers: { accept: AGGREGATED } });
    expect(res.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const doc = res.json();
    expect(doc).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(doc.items.map((g: { metadata: { name: string } }) => g.metadata.name)).toEqual(['apps', 'autoscaling']);
    const deployments = doc.items[0].versions[0].resources[0];
    expect(deployments).toEqual({
      resource: 'deployments',
      responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      scope: 'Namespaced',
      singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: [
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
    expect(doc.items[1].versions.map((v: { version: string }) => v.version)).toEqual(['v2', 'v1']);
    const core = await send(server.port, '/api', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' } });
    expect(core.json()).toMatchObject({ apiVersion: 'apidiscovery.k8s.io/v2beta1', items: [{ metadata: { name: '' }, versions: [{ version: 'v1', freshness: 'Current' }] }] });
    expect(core.json().items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'namespaces').scope).toBe('Cluster');
  });

  it('/version looks like a Kubernetes version.Info', async () => {
    const v = (await send(server.port, '/version')).json();
    expect(v).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0-bosun' });
    expect(v.goVersion).toEqual(expect.any(String));
    expect(v.platform).toMatch(/^[a-z]+\/[a-z0-9]+$/);
  });

  it('/openapi/v3 indexes group-versions; each document declares fieldValidation on PATCH with the GVK', async () => {
    const index = (await send(server.port, '/openapi/v3')).json();
    expect(Object.keys(index.paths).sort()).toEqual(['api/v1', 'apis/apps/v1', 'apis/autoscaling/v1', 'apis/autoscaling/v2']);
    const url: string = index.paths['api/v1'].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    const doc = (await send(server.port, url)).json();
    expect(doc.openapi).toBe('3.0.0');
    const nsPatch = doc.paths['/api/v1/namespaces/{name}'].patch;
    expect(nsPatch['x-kubernetes-group-version-kind']).toEqual({ group: '', version: 'v1', kind: 'Namespace' });
    expect(nsPatch.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager', 'force']));
    expect(nsPatch.operationId).toBe('patchCoreV1Namespace');
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch.operationId).toBe('patchCoreV1NamespacedPod');
    expect(doc.paths['/api/v1/pods'].get.operationId).toBe('listCoreV1PodForAllNamespaces');
    expect(doc.components.schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    const apps = (await send(server.port, index.paths['apis/apps/v1'].serverRelativeURL)).json();
    expect(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
    expect((await send(server.port, '/openapi/v3/apis/nope/v1')).status).toBe(404);
  });

  it('/openapi/v2 as JSON, or protobuf for kubectl, 406 otherwise', async () => {
    const json = await send(server.port, '/openapi/v2', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(200);
    expect(json.json()).toMatchObject({ swagger: '2.0' });
    expect(json.json().definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const pb = await send(server.port, '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(pb.status).toBe(200);
    // Go's mime parser rejects the '@' spelling, so kube-openapi answers it as octet-stream.
    expect(pb.headers['content-type']).toBe('application/octet-stream');
    const pb2 = await send(server.port, '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' } });
    expect(pb2.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect((await send(server.port, '/openapi/v2', { headers: { accept: 'text/html' } })).status).toBe(406);
  });

  it('orders versions as Kubernetes does', () => {
    expect(['v1beta1', 'v1alpha1', 'v2', 'v1', 'v2beta2', 'foo'].sort(compareKubeVersions)).toEqual(['v2', 'v1', 'v2beta2', 'v1beta1', 'v1alpha1', 'foo']);
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../shared/api/meta';
import { ApiClient, type FetchLike } from '../../../../renderer/api/client';
import { kubectl, describeRequest, redactSecretBody } from '../../../../renderer/composables/kubectl-equivalents';
import { controllerRevisions, deploymentRevisions, diffLines, undoRequest } from '../../../../renderer/composables/rollout-history';
import { jobFromCronJob, manualJobName, restartPatch, restartWorkload, undoRollout } from '../../../../renderer/composables/use-resource-actions';
import { recordRequests } from '../../../../renderer/composables/request-recorder';

const deployments = { kind: 'Deployment', group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', uid: 'd-1' }, spec: { replicas: 2 } };
const template = (image: string, hash: string) => ({ metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec: { containers: [{ name: 'c', image }] } });
const rs = (name: string, revision: string, image: string, owner = 'd-1'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'shop', annotations: { 'deployment.kubernetes.io/revision': revision }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner, controller: true }] },
  spec: { template: template(image, name.split('-')[1]) },
});

function recording() {
  const calls: Array<{ url: string; method?: string; contentType?: string; body?: unknown }> = [];
  const fetchImpl: FetchLike = async (url, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ url, method: init?.method, contentType: headers['Content-Type'], body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return new Response(JSON.stringify({ kind: 'Deployment', metadata: { name: 'web' } }), { status: 200 });
  };
  return { calls, client: new ApiClient({ apiUrl: 'http://127.0.0.1:1', token: 't' }, fetchImpl) };
}

describe('rollout history', () => {
  it('lists a Deployment’s revisions from its own ReplicaSets, oldest first, the newest current', () => {
    const revisions = deploymentRevisions(deployment, [rs('web-bbb', '2', 'app:2'), rs('web-aaa', '1', 'app:1'), rs('other-ccc', '9', 'x', 'other-uid')]);
    expect(revisions.map((r) => [r.revision, r.source.metadata.name, r.current])).toEqual([
      [1, 'web-aaa', false],
      [2, 'web-bbb', true],
    ]);
    // pod-template-hash is the controller's, not the user's: left out of the compared template.
    expect(revisions[0].template).toEqual({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'app:1' }] } });
  });

  it('reads ControllerRevisions (data is the strategic patch that restores the template)', () => {
    const set: KubeObject = { metadata: { name: 'db', uid: 's-1' } };
    const cr = (revision: number, image: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: `db-${revision}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 's-1', controller: true }] },
      revision,
      data: { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'c', image }] } } } },
    });
    const revisions = controllerRevisions(set, [cr(2, 'b'), cr(1, 'a')]);
    expect(revisions.map((r) => r.revision)).toEqual([1, 2]);
    expect(revisions[0].template).toEqual({ spec: { containers: [{ name: 'c', image: 'a' }] } });
    expect(undoRequest('StatefulSet', set, revisions[0])).toEqual({ type: 'strategic', body: cr(1, 'a').data });
  });

  it('undoes a Deployment with a JSON patch of spec.template minus pod-template-hash, and refuses a paused one', async () => {
    const [first] = deploymentRevisions(deployment, [rs('web-aaa', '1', 'app:1'), rs('web-bbb', '2', 'app:2')]);
    const { calls, client } = recording();
    await undoRollout(client, deployments, deployment, first);
    expect(calls[0]).toMatchObject({ method: 'PATCH', url: 'http://127.0.0.1:1/apis/apps/v1/namespaces/shop/deployments/web', contentType: 'application/json-patch+json' });
    expect(calls[0].body).toEqual([{ op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'app:1' }] } } }]);
    expect(() => undoRequest('Deployment', { ...deployment, spec: { paused: true } }, first)).toThrow(/cannot rollback a paused deployment/);
  });

  it('diffs two templates line by line', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'B' },
      { op: ' ', text: 'c' },
    ]);
  });
});

describe('workload verbs', () => {
  it('restarts with the restartedAt template annotation as a strategic merge patch', async () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    expect(restartPatch(now)).toEqual({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-02T03:04:05Z' } } } } });
    const { calls, client } = recording();
    await restartWorkload(client, deployments, deployment, now);
    expect(calls[0].contentType).toBe('application/strategic-merge-patch+json');
  });

  it('builds the Job of kubectl create job --from=cronjob/x', () => {
    const cron: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', namespace: 'ops', uid: 'c-1' },
      spec: { schedule: '@daily', jobTemplate: { metadata: { labels: { team: 'ops' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'r', image: 'busybox' }] } } } } },
    };
    const job = jobFromCronJob(cron, 'report-manual-x1');
    expect(job.metadata).toEqual({
      name: 'report-manual-x1',
      namespace: 'ops',
      labels: { team: 'ops' },
      annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'c-1', controller: true, blockOwnerDeletion: true }],
    });
    expect(job.spec).toEqual({ template: { spec: { restartPolicy: 'Never', containers: [{ name: 'r', image: 'busybox' }] } } });
    expect(manualJobName('x'.repeat(80), new Date(0)).length).toBeLessThanOrEqual(63);
  });
});

describe('learning mode', () => {
  it('spells each action as kubectl does', () => {
    expect(kubectl.scale(deployments, deployment, 3)).toBe('kubectl scale deployment/web -n shop --replicas=3');
    expect(kubectl.delete(deployments, deployment, 'Foreground')).toBe('kubectl delete deployment/web -n shop --cascade=foreground');
    expect(kubectl.undo(deployments, deployment, 1)).toBe('kubectl rollout undo deployment/web -n shop --to-revision=1');
    expect(kubectl.suspend({ kind: 'CronJob', group: 'batch', namespaced: true }, { metadata: { name: 'r', namespace: 'ops' } }, true)).toBe(
      `kubectl patch cronjob/r -n ops -p '{"spec":{"suspend":true}}'`,
    );
    expect(kubectl.restart({ kind: 'PodFault', group: 'chaos.bosun.dev', namespaced: true }, { metadata: { name: 'f', namespace: 'a' } })).toBe('kubectl rollout restart podfault.chaos.bosun.dev/f -n a');
    expect(kubectl.createConfig('Secret', 'a', 's', { password: 'hunter2' })).toBe("kubectl create secret generic s '--from-literal=password=…' -n a");
  });

  it('records the requests an action makes (not watches) and never shows Secret values', async () => {
    const { client } = recording();
    const { requests } = await recordRequests(client, async () => {
      await client.patch('/apis/apps/v1/namespaces/shop/deployments/web/scale', { spec: { replicas: 3 } });
      await client.get('/api/v1/pods?watch=1');
    });
    expect(requests).toEqual([
      { method: 'PATCH', path: '/apis/apps/v1/namespaces/shop/deployments/web/scale', contentType: 'application/merge-patch+json', body: '{"spec":{"replicas":3}}', status: 200 },
    ]);
    // Outside recordRequests the observer is gone.
    const after = await recordRequests(client, async () => undefined);
    expect(after.requests).toEqual([]);
    const secretPut = { method: 'PUT', path: '/api/v1/namespaces/a/secrets/s', body: JSON.stringify({ kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' } }) };
    expect(describeRequest(secretPut).body).toBe('{"kind":"Secret","metadata":{"name":"s"},"data":{"password":"<redacted>"}}');
    expect(redactSecretBody('not json')).toBe('not json');
  });
});

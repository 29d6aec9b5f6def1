// kubectl 1.32 against `bosun serve --runtime fake` (3 nodes): StatefulSet ordering and stable claims,
// DaemonSet following a node added at runtime, a Job running to completion (the fake runtime lets `true`
// exit 0), `kubectl create job --from=cronjob/x`, and a deleted pod of each kind being replaced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk, startServe, type ServeHandle } from '../support/serve';

let serve: ServeHandle;
const ns = ['-n', 'workloads'];

beforeAll(async () => {
  // Compressed backoffs (kubelet restarts and Job pod re-creation) so failing Jobs fail within seconds.
  serve = await startServe({ args: ['--nodes', '3'], env: { BOSUN_JOB_BACKOFF_BASE_MS: '200', BOSUN_BACKOFF_BASE_MS: '200' } });
  await kubectlOk(serve, ['create', 'namespace', 'workloads']);
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  serve?.cleanup();
});

const k = (...args: string[]): Promise<string> => kubectlOk(serve, [...ns, ...args]);
const apply = (yaml: string): Promise<string> => kubectlOk(serve, [...ns, 'apply', '-f', '-'], yaml);
const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => JSON.parse(await k('get', ...args, '-o', 'json')) as T;

interface Item {
  metadata: { name: string; uid: string; creationTimestamp: string; ownerReferences?: Array<{ kind: string; name: string }>; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: { nodeName?: string; volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }> };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>; succeeded?: number; active?: number };
}
const items = async (...args: string[]): Promise<Item[]> => (await json<{ items: Item[] }>(...args)).items;
const ready = (p: Item): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('workload controllers through kubectl', () => {
  it('StatefulSet: web-0..2 in order with their claims; a deleted web-1 returns with the same name and claim', async () => {
    await apply(`apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: bosun-test/web:1}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
`);
    expect(await k('rollout', 'status', 'statefulset/web', '--timeout=90s')).toMatch(/(partitioned roll out complete: 3 new pods have been updated|statefulset rolling update complete 3 pods at revision web-)/);
    const pods = (await items('pods', '-l', 'app=web')).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(pods.map((p) => p.metadata.name)).toEqual(['web-0', 'web-1', 'web-2']);
    // OrderedReady: each pod was created no earlier than its predecessor became Ready.
    for (let i = 1; i < 3; i++) {
      const prevReady = pods[i - 1].status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!;
      expect(Date.parse(pods[i].metadata.creationTimestamp)).toBeGreaterThanOrEqual(Date.parse(prevReady));
    }
    const claims = await items('pvc');
    expect(claims.map((c) => c.metadata.name).sort()).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    const claimUid = claims.find((c) => c.metadata.name === 'www-web-1')!.metadata.uid;
    const events = await k('get', 'events', '--field-selector', 'involvedObject.name=web,involvedObject.kind=StatefulSet');
    expect(events).toContain('create Pod web-0 in StatefulSet web successful');
    expect(events).toContain('create Claim www-web-1 Pod web-1 in StatefulSet web success');

    await k('delete', 'pod', 'web-1', '--wait=true');
    const again = await eventually(async () => {
      const p = (await items('pods', '-l', 'app=web')).find((x) => x.metadata.name === 'web-1');
      return p && p.metadata.uid !== pods[1].metadata.uid && ready(p) ? p : undefined;
    }, 60_000, 'web-1 back and Ready');
    expect(again.spec?.volumes).toContainEqual({ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } });
    expect((await json<Item>('pvc', 'www-web-1')).metadata.uid).toBe(claimUid);
    // The set's status follows the pod's readiness a moment later.
    await eventually(async () => (await k('get', 'statefulset', 'web', '-o', 'jsonpath={.status.readyReplicas}/{.status.currentReplicas}/{.status.updatedReplicas}')) === '3/3/3', 30_000, 'status 3/3/3');

    // kubectl rollout restart: a rolling update, highest ordinal first, ending with one revision.
    const revision = await k('get', 'statefulset', 'web', '-o', 'jsonpath={.status.updateRevision}');
    await k('rollout', 'restart', 'statefulset/web');
    await k('rollout', 'status', 'statefulset/web', '--timeout=90s');
    const rolled = await eventually(async () => {
      const s = await json<{ status: { currentRevision: string; updateRevision: string; updatedReplicas: number } }>('statefulset', 'web');
      return s.status.updateRevision !== revision && s.status.currentRevision === s.status.updateRevision && s.status.updatedReplicas === 3 ? s : undefined;
    }, 60_000, 'restart rolled out');
    expect(rolled.status.updateRevision).toMatch(/^web-/);
    // Event names end in a hex timestamp, so sorting by name is chronological.
    const deletes = (await json<{ items: Array<{ metadata: { name: string }; message: string }> }>('events', '--field-selector', 'involvedObject.name=web,reason=SuccessfulDelete')).items
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((e) => e.message).filter((m) => /^delete Pod web-\d in StatefulSet web successful$/.test(m));
    // web-1 was deleted by hand earlier; the rollout's own deletions run 2, 1, 0.
    expect(deletes.slice(-3)).toEqual(['delete Pod web-2 in StatefulSet web successful', 'delete Pod web-1 in StatefulSet web successful', 'delete Pod web-0 in StatefulSet web successful']);
  }, 150_000);

  it('DaemonSet: one pod per node, a node added at runtime gets one, a deleted pod is replaced on its node', async () => {
    await apply(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: bosun-test/agent:1}]
`);
    expect(await k('rollout', 'status', 'daemonset/agent', '--timeout=60s')).toContain('daemon set "agent" successfully rolled out');
    const nodesOf = async (): Promise<string[]> => (await items('pods', '-l', 'app=agent')).filter(ready).map((p) => p.spec?.nodeName ?? '').sort();
    expect(await nodesOf()).toEqual(['node-1', 'node-2', 'node-3']);
    await kubectlOk(serve, ['apply', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-4\n  labels: {lab.bosun.dev/managed: "true"}\n');
    await eventually(async () => (await nodesOf()).join() === 'node-1,node-2,node-3,node-4', 60_000, 'a daemon pod Ready on node-4');
    await eventually(async () => (await k('get', 'daemonset', 'agent', '-o', 'jsonpath={.status.desiredNumberScheduled}/{.status.numberReady}')) === '4/4', 30_000, 'status 4/4');
    expect(await k('describe', 'daemonset', 'agent')).toMatch(/Desired Number of Nodes Scheduled: 4/);

    const victim = (await items('pods', '-l', 'app=agent')).find((p) => p.spec?.nodeName === 'node-2')!;
    await k('delete', 'pod', victim.metadata.name);
    await eventually(async () => (await items('pods', '-l', 'app=agent')).some((p) => p.spec?.nodeName === 'node-2' && p.metadata.uid !== victim.metadata.uid && ready(p)), 60_000, 'replacement on node-2');
  }, 150_000);

  it('Job: completions 5, parallelism 2 of `true` completes, never more than 2 pods at once', async () => {
    await apply(`apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
  completions: 5
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: bosun-test/busybox, command: ["true"]}]
`);
    let maxActive = 0;
    const done = await eventually(async () => {
      const pods = await items('pods', '-l', 'batch.kubernetes.io/job-name=batch');
      maxActive = Math.max(maxActive, pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length);
      const job = await json<Item>('job', 'batch');
      return job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? job : undefined;
    }, 90_000, 'job complete');
    expect(done.status?.succeeded).toBe(5);
    expect(maxActive).toBeLessThanOrEqual(2);
    expect(await k('wait', '--for=condition=complete', 'job/batch', '--timeout=5s')).toContain('job.batch/batch condition met');
    expect((await items('pods', '-l', 'batch.kubernetes.io/job-name=batch')).filter((p) => p.status?.phase === 'Succeeded')).toHaveLength(5);
    const described = await k('describe', 'job', 'batch');
    expect(described).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 5 Succeeded \/ 0 Failed/);
    expect(described).toMatch(/Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
    expect(await k('get', 'job', 'batch')).toMatch(/batch\s+Complete\s+5\/5/);
  }, 120_000);

  it('Job: failing pods (Never: new pods; OnFailure: restarts) end in BackoffLimitExceeded', async () => {
    const failing = (name: string, policy: string): string => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: ${policy}
      containers: [{name: work, image: bosun-test/busybox, command: [sh, -c, "exit 1"]}]
`;
    await apply(failing('fails', 'Never'));
    await apply(failing('crashes', 'OnFailure'));
    for (const name of ['fails', 'crashes']) {
      await k('wait', '--for=condition=failed', `job/${name}`, '--timeout=60s');
      const job = await json<Item>('job', name);
      expect(job.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    }
    // restartPolicy Never: each failure is a new pod (backoffLimit 2 → 3 failed pods).
    expect((await items('pods', '-l', 'batch.kubernetes.io/job-name=fails')).filter((p) => p.status?.phase === 'Failed')).toHaveLength(3);
    expect((await json<Item>('job', 'fails')).status).toMatchObject({ failed: 3 });
  }, 120_000);

  it('Job: a deleted running pod is replaced', async () => {
    await apply(`apiVersion: batch/v1
kind: Job
metadata: {name: long}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: bosun-test/busybox, command: [sleep, "3600"]}]
`);
    const first = await eventually(async () => (await items('pods', '-l', 'batch.kubernetes.io/job-name=long')).find(ready), 60_000, 'job pod running');
    await k('delete', 'pod', first.metadata.name, '--wait=true');
    await eventually(async () => (await items('pods', '-l', 'batch.kubernetes.io/job-name=long')).some((p) => p.metadata.uid !== first.metadata.uid && ready(p)), 60_000, 'replacement job pod');
    await k('delete', 'job', 'long');
  }, 120_000);

  it('CronJob: kubectl create job --from=cronjob/x builds an owned Job that runs to completion', async () => {
    await apply(`apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  timeZone: Europe/Paris
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: work, image: bosun-test/busybox, command: ["true"]}]
`);
    expect(await k('create', 'job', 'nightly-manual', '--from=cronjob/nightly')).toContain('job.batch/nightly-manual created');
    const job = await json<Item>('job', 'nightly-manual');
    expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'nightly' })]);
    expect(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    await k('wait', '--for=condition=complete', 'job/nightly-manual', '--timeout=60s');
    const cron = await json<{ status?: { lastSuccessfulTime?: string; lastScheduleTime?: string } }>('cronjob', 'nightly');
    // Nothing was scheduled (03:00 Paris is not now): only the manual run counted as a success.
    expect(cron.status?.lastScheduleTime).toBeUndefined();
    await eventually(async () => !!(await json<{ status?: { lastSuccessfulTime?: string } }>('cronjob', 'nightly')).status?.lastSuccessfulTime, 20_000, 'lastSuccessfulTime');
  }, 120_000);
});

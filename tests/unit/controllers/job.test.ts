// Job controller on the in-process stack: a test plays the kubelet by writing pod phases through /status.
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/api/batch';
import type { Pod } from '../../../shared/api/pod';
import type { KubeClient } from '../../../main/client/client';
import type { FakeClock } from '../../../main/client/clock';
import { backoffDelay, formatIndexes, parseIndexes } from '../../../main/controllers/job-util';
import { eventsFor, NS, sleep, startStack, stopAll, until } from './deployment-support';

afterEach(stopAll);

function job(name: string, spec: Partial<NonNullable<Job['spec']>> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'bosun-test/busybox', command: ['true'] }] } }, ...spec },
  };
}

async function jobPods(client: KubeClient, name: string): Promise<Pod[]> {
  return (await client.pods<Pod>().list(NS, { labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
}
const running = (pods: Pod[]): Pod[] => pods.filter((p) => !p.status?.phase || p.status.phase === 'Pending' || p.status.phase === 'Running').filter((p) => !p.metadata.deletionTimestamp);

async function finish(client: KubeClient, clock: FakeClock, pod: Pod, phase: 'Succeeded' | 'Failed'): Promise<void> {
  const now = clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
  const fresh = await client.pods<Pod>().get(NS, pod.metadata.name!);
  await client.pods<Pod>().updateStatus(NS, {
    ...fresh,
    status: {
      phase,
      startTime: now,
      containerStatuses: [{ name: 'work', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: now, reason: phase === 'Succeeded' ? 'Completed' : 'Error' } } }],
    },
  });
}

const getJob = (client: KubeClient, name: string): Promise<Job> => client.jobs<Job>().get(NS, name);
const cond = (j: Job, type: string): string | undefined => j.status?.conditions?.find((c) => c.type === type && c.status === 'True')?.reason;

describe('job controller', () => {
  it('runs completions 5 with parallelism 2, never more than 2 at once, then Complete', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.jobs().create(NS, job('batch', { completions: 5, parallelism: 2 }));
    for (let done = 0; done < 5; done++) {
      const active = await until(async () => {
        const r = running(await jobPods(client, 'batch'));
        return r.length === Math.min(2, 5 - done) ? r : undefined;
      }, 8000, `active pods after ${done} completions`);
      expect(active.length).toBeLessThanOrEqual(2);
      await finish(client, clock, active[0], 'Succeeded');
      await until(async () => ((await getJob(client, 'batch')).status?.succeeded ?? 0) >= done + 1);
    }
    const j = await until(async () => { const j = await getJob(client, 'batch'); return cond(j, 'Complete') ? j : undefined; });
    expect(j.status).toMatchObject({ succeeded: 5, failed: 0, active: 0 });
    expect(j.status?.completionTime).toBeTruthy();
    expect(j.status?.startTime).toBeTruthy();
    expect(cond(j, 'SuccessCriteriaMet')).toBe('CompletionsReached');
    expect((await jobPods(client, 'batch')).length).toBe(5);
    // Events are written asynchronously, in order: wait for the last one.
    const reasons = await until(async () => { const r = (await eventsFor(client, 'batch')).map((e) => e.reason); return r.includes('Completed') ? r : undefined; });
    expect(reasons).toContain('SuccessfulCreate');
  });

  it('Indexed: one pod per index with the index annotation, label, hostname and env; completedIndexes', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.jobs().create(NS, job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const pods = await until(async () => { const p = running(await jobPods(client, 'idx')); return p.length === 3 ? p : undefined; });
    const indexes = pods.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    expect(indexes).toEqual(['0', '1', '2']);
    for (const p of pods) {
      const i = p.metadata.labels?.['batch.kubernetes.io/job-completion-index'];
      expect(p.metadata.name).toMatch(new RegExp(`^idx-${i}-`));
      expect(p.spec?.hostname).toBe(`idx-${i}`);
      expect(p.spec?.containers[0].env).toContainEqual({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });
    }
    const byIndex = (i: string): Pod => pods.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === i)!;
    await finish(client, clock, byIndex('2'), 'Succeeded');
    await finish(client, clock, byIndex('0'), 'Succeeded');
    await until(async () => (await getJob(client, 'idx')).status?.completedIndexes === '0,2');
    await finish(client, clock, byIndex('1'), 'Succeeded');
    const j = await until(async () => { const j = await getJob(client, 'idx'); return cond(j, 'Complete') ? j : undefined; });
    expect(j.status?.completedIndexes).toBe('0-2');
  });

  it('backoffLimit: failures recreate pods after an exponential delay, then BackoffLimitExceeded', async () => {
    const { client, clock } = await startStack({ ready: false, pump: true });
    await client.jobs().create(NS, job('flaky', { backoffLimit: 1 }));
    const first = await until(async () => running(await jobPods(client, 'flaky'))[0]);
    await finish(client, clock, first, 'Failed');
    await until(async () => (await getJob(client, 'flaky')).status?.failed === 1);
    // The 10 s backoff holds the replacement back until the (fake) clock passes it.
    await new Promise((r) => setTimeout(r, 300));
    expect(running(await jobPods(client, 'flaky'))).toHaveLength(0);
    clock.step(10_000);
    const second = await until(async () => running(await jobPods(client, 'flaky'))[0]);
    expect(second.metadata.name).not.toBe(first.metadata.name);
    await finish(client, clock, second, 'Failed');
    const j = await until(async () => { const j = await getJob(client, 'flaky'); return cond(j, 'Failed') ? j : undefined; });
    expect(cond(j, 'Failed')).toBe('BackoffLimitExceeded');
    expect(cond(j, 'FailureTarget')).toBe('BackoffLimitExceeded');
    expect(j.status?.failed).toBe(2);
    await until(async () => (await eventsFor(client, 'flaky')).some((e) => e.reason === 'BackoffLimitExceeded' && e.message === 'Job has reached the specified backoff limit'));
  });

  it('activeDeadlineSeconds: running pods are deleted and the Job fails with DeadlineExceeded', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.jobs().create(NS, job('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 4 }));
    await until(async () => running(await jobPods(client, 'slow')).length === 2);
    clock.step(31_000);
    const j = await until(async () => { const j = await getJob(client, 'slow'); return cond(j, 'Failed') ? j : undefined; });
    expect(cond(j, 'Failed')).toBe('DeadlineExceeded');
    await until(async () => running(await jobPods(client, 'slow')).length === 0);
  });

  it('suspend deletes active pods and resume starts them again; deleting a pod brings a replacement', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.jobs().create(NS, job('pause', { parallelism: 2, completions: 2 }));
    const pods = await until(async () => { const p = running(await jobPods(client, 'pause')); return p.length === 2 ? p : undefined; });
    // Deleted by someone else before it succeeded: counted as a failure (job-tracking finalizer), and the
    // replacement waits out the 10 s pod-recreate backoff.
    await client.pods().delete(NS, pods[0].metadata.name!);
    await until(async () => (await getJob(client, 'pause')).status?.failed === 1);
    await until(async () => !(await jobPods(client, 'pause')).some((x) => x.metadata.name === pods[0].metadata.name));
    clock.step(10_000);
    await until(async () => { const p = running(await jobPods(client, 'pause')); return p.length === 2 && !p.some((x) => x.metadata.name === pods[0].metadata.name); });
    await client.jobs().patch(NS, 'pause', 'application/merge-patch+json', { spec: { suspend: true } });
    const suspended = await until(async () => { const j = await getJob(client, 'pause'); return cond(j, 'Suspended') ? j : undefined; });
    expect(cond(suspended, 'Suspended')).toBe('JobSuspended');
    await until(async () => running(await jobPods(client, 'pause')).length === 0);
    await client.jobs().patch(NS, 'pause', 'application/merge-patch+json', { spec: { suspend: false } });
    await until(async () => running(await jobPods(client, 'pause')).length === 2);
    await until(async () => (await getJob(client, 'pause')).status?.conditions?.find((c) => c.type === 'Suspended')?.status === 'False');
  });

  it('ttlSecondsAfterFinished deletes the Job once the clock passes it', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.jobs().create(NS, job('short', { ttlSecondsAfterFinished: 60 }));
    const pod = await until(async () => running(await jobPods(client, 'short'))[0]);
    await finish(client, clock, pod, 'Succeeded');
    await until(async () => cond(await getJob(client, 'short'), 'Complete'));
    clock.step(30_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await getJob(client, 'short')).metadata.name).toBe('short');
    clock.step(31_000);
    await until(async () => !(await client.jobs().list(NS)).items.some((j) => j.metadata.name === 'short'));
  });
});

describe('podFailurePolicy', () => {
  it('Ignore does not count a disrupted pod; FailJob on exit code 42 fails the Job with Kubernetes\' message', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.jobs().create(NS, job('policy', {
      backoffLimit: 6,
      podFailurePolicy: { rules: [
        { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      ] },
    }));
    const fail = async (pod: Pod, exitCode: number, conditions: Array<{ type: string; status: 'True' }> = []): Promise<void> => {
      const fresh = await client.pods<Pod>().get(NS, pod.metadata.name!);
      const now = clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
      await client.pods<Pod>().updateStatus(NS, { ...fresh, status: { phase: 'Failed', conditions, containerStatuses: [{ name: 'work', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, finishedAt: now } } }] } });
    };
    const first = await until(async () => running(await jobPods(client, 'policy'))[0]);
    await fail(first, 137, [{ type: 'DisruptionTarget', status: 'True' }]);
    // Ignored: no failure counted and no backoff before the replacement.
    const second = await until(async () => running(await jobPods(client, 'policy')).find((p) => p.metadata.uid !== first.metadata.uid));
    expect((await getJob(client, 'policy')).status?.failed ?? 0).toBe(0);
    await fail(second, 42);
    const j = await until(async () => { const j = await getJob(client, 'policy'); return cond(j, 'Failed') ? j : undefined; });
    expect(j.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      reason: 'PodFailurePolicy',
      message: `Container work for pod ${NS}/${second.metadata.name} failed with exit code 42 matching FailJob rule at index 0`,
    });
    expect(j.status?.failed).toBe(1);
  });
});

describe('backoffLimitPerIndex', () => {
  it('a failing index is given up while the others finish (FailedIndexes); maxFailedIndexes stops the Job early', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.jobs().create(NS, job('perindex', { completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimitPerIndex: 1 }));
    const byIndex = async (i: number): Promise<Pod | undefined> =>
      running(await jobPods(client, 'perindex')).find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === String(i));
    const first1 = await until(() => byIndex(1));
    expect(first1.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).toBe('0');
    await finish(client, clock, first1, 'Failed');
    clock.step(10_000);
    // One retry allowed: the replacement carries the failure count.
    const second1 = await until(async () => { const p = await byIndex(1); return p && p.metadata.uid !== first1.metadata.uid ? p : undefined; });
    expect(second1.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).toBe('1');
    await finish(client, clock, second1, 'Failed');
    await until(async () => (await getJob(client, 'perindex')).status?.failedIndexes === '1');
    clock.step(20_000);
    await sleep(200);
    expect(await byIndex(1)).toBeUndefined();
    await finish(client, clock, (await byIndex(0))!, 'Succeeded');
    await finish(client, clock, (await byIndex(2))!, 'Succeeded');
    const j = await until(async () => { const j = await getJob(client, 'perindex'); return cond(j, 'Failed') ? j : undefined; });
    expect(j.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'FailedIndexes', message: 'Job has failed indexes' });
    expect(j.status?.completedIndexes).toBe('0,2');

    // podFailurePolicy FailIndex: exit code 3 gives the index up at once, despite backoffLimitPerIndex 5.
    await client.jobs().create(NS, job('failindex', {
      completions: 2, parallelism: 2, completionMode: 'Indexed', backoffLimitPerIndex: 5,
      podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [3] } }] },
    }));
    const idx0 = await until(async () => running(await jobPods(client, 'failindex')).find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '0'));
    const fresh = await client.pods<Pod>().get(NS, idx0.metadata.name!);
    await client.pods<Pod>().updateStatus(NS, { ...fresh, status: { phase: 'Failed', containerStatuses: [{ name: 'work', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }] } });
    await until(async () => (await getJob(client, 'failindex')).status?.failedIndexes === '0');

    await client.jobs().create(NS, job('maxfail', { completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimitPerIndex: 0, maxFailedIndexes: 0 }));
    const pod = await until(async () => running(await jobPods(client, 'maxfail'))[0]);
    await finish(client, clock, pod, 'Failed');
    const m = await until(async () => { const j = await getJob(client, 'maxfail'); return cond(j, 'Failed') ? j : undefined; });
    expect(cond(m, 'Failed')).toBe('MaxFailedIndexesExceeded');
  });
});

describe('podReplacementPolicy', () => {
  it('Failed: no replacement while the deleted pod is still terminating; status.terminating counts it', async () => {
    const { client, clock } = await startStack({ ready: false });
    const spec = job('strict', { podReplacementPolicy: 'Failed' });
    // A second finalizer keeps the deleted pod terminating after the Job controller released its own.
    spec.spec!.template.metadata = { finalizers: ['example.com/hold'] };
    await client.jobs().create(NS, spec);
    const first = await until(async () => running(await jobPods(client, 'strict'))[0]);
    await client.pods().delete(NS, first.metadata.name!);
    await until(async () => { const j = await getJob(client, 'strict'); return j.status?.failed === 1 && j.status.terminating === 1; });
    clock.step(11_000);
    await sleep(300);
    expect(running(await jobPods(client, 'strict'))).toHaveLength(0);
    await client.pods().patch(NS, first.metadata.name!, 'application/json-patch+json', [{ op: 'remove', path: '/metadata/finalizers' }]);
    await until(async () => running(await jobPods(client, 'strict')).length === 1);
  });
});

describe('job tracking finalizer', () => {
  it('pods carry batch.kubernetes.io/job-tracking until counted; a counted pod deleted later is not re-run; deleting the Job frees its pods', async () => {
    const { client, clock } = await startStack({ ready: false });
    await client.jobs().create(NS, job('track', { completions: 2, parallelism: 1 }));
    const first = await until(async () => running(await jobPods(client, 'track'))[0]);
    expect(first.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    await finish(client, clock, first, 'Succeeded');
    // Counted (status.succeeded, uncountedTerminatedPods empty again) and released.
    await until(async () => {
      const j = await getJob(client, 'track');
      return j.status?.succeeded === 1 && !j.status.uncountedTerminatedPods?.succeeded?.length;
    });
    await until(async () => !(await client.pods<Pod>().get(NS, first.metadata.name!)).metadata.finalizers);
    await client.pods().delete(NS, first.metadata.name!);
    const second = await until(async () => running(await jobPods(client, 'track'))[0]);
    await new Promise((r) => setTimeout(r, 200));
    expect(running(await jobPods(client, 'track'))).toHaveLength(1);
    expect((await getJob(client, 'track')).status?.succeeded).toBe(1);

    // Background deletion: the garbage collector deletes the pod, and the finalizer does not keep it.
    await client.jobs().delete(NS, 'track', { propagationPolicy: 'Background' });
    await until(async () => !(await client.pods<Pod>().list(NS)).items.some((p) => p.metadata.name === second.metadata.name), 8000, 'job pod removed');
  });
});

describe('job helpers', () => {
  it('compresses and parses completed indexes, and doubles the backoff up to its cap', () => {
    expect(formatIndexes([5, 1, 3, 4, 7, 0])).toBe('0-1,3-5,7'); // Kubernetes merges any run of consecutive indexes
    expect([...parseIndexes('0,1,3-5,7')]).toEqual([0, 1, 3, 4, 5, 7]);
    expect([1, 2, 3, 7, 20].map((n) => backoffDelay(n, 10_000, 360_000))).toEqual([10_000, 20_000, 40_000, 360_000, 360_000]);
  });
});

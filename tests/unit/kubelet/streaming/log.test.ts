// GET pods/NAME/log over HTTP against the real apiserver, containers on a FakeRuntime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../../../shared/api/pod';
import { parsePodLogOptions, runtimeLogOptions } from '../../../../main/kubelet/streaming/log';
import { api, createPod, running, startHarness, startInstance, waiting, type Harness } from './harness';

describe('pods/log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const logs = async (pod: string, query = ''): Promise<{ code: number; text: string; status?: { message: string; reason: string } }> => {
    const res = await api(h, `/api/v1/namespaces/default/pods/${pod}/log${query}`);
    const text = await res.text();
    return { code: res.status, text, status: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };

  it('streams the only container, with tailLines and limitBytes', async () => {
    const pod = await createPod(h, 'one', ['app'], { statuses: [running('app')] });
    const id = await startInstance(h, pod, 'app', 0);
    h.runtime.writeLog(id, 'stdout', 'line 1\nline 2\n');
    h.runtime.writeLog(id, 'stderr', 'line 3\n');
    expect(await logs('one')).toMatchObject({ code: 200, text: 'line 1\nline 2\nline 3\n' });
    expect((await logs('one', '?tailLines=2')).text).toBe('line 2\nline 3\n');
    expect((await logs('one', '?limitBytes=9')).text).toBe('line 1\nli');
    const stamped = (await logs('one', '?timestamps=true')).text.split('\n')[0];
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 1$/);
  });

  it('requires a container name when the pod has several, with Kubernetes message', async () => {
    await createPod(h, 'two', ['a', 'b'], { statuses: [running('a'), running('b')] });
    const r = await logs('two');
    expect(r.code).toBe(400);
    expect(r.status).toMatchObject({ reason: 'BadRequest', message: 'a container name must be specified for pod two, choose one of: [a b]' });
    expect((await logs('two', '?container=c')).status?.message).toBe('container c is not valid for pod two');
  });

  it('answers 400 with the waiting reason before the container runs', async () => {
    await createPod(h, 'pending', ['c'], { statuses: [waiting('c', 'ContainerCreating')] });
    expect(await logs('pending')).toMatchObject({ code: 400, status: { message: 'container "c" in pod "pending" is waiting to start: ContainerCreating' } });
    await createPod(h, 'pulling', ['c'], { statuses: [waiting('c', 'ImagePullBackOff')] });
    expect((await logs('pulling')).status?.message).toBe('container "c" in pod "pulling" is waiting to start: trying and failing to pull image');
  });

  it('answers 404 for a missing pod and an empty body for an unscheduled one', async () => {
    expect(await logs('nope')).toMatchObject({ code: 404, status: { message: 'pods "nope" not found' } });
    await createPod(h, 'unscheduled', ['c'], { nodeName: '' });
    expect(await logs('unscheduled')).toMatchObject({ code: 200, text: '' });
  });

  it('previous: the instance before the running one, or the one that just ended while a restart is pending', async () => {
    const pod = await createPod(h, 'crashy', ['c'], { statuses: [running('c')] });
    expect(await logs('crashy', '?previous=true')).toMatchObject({ code: 400, status: { message: 'previous terminated container "c" in pod "crashy" not found' } });
    const first = await startInstance(h, pod, 'c', 0);
    h.runtime.writeLog(first, 'stdout', 'first run\n');
    await h.runtime.stopContainer(first, 0);
    const second = await startInstance(h, pod, 'c', 1);
    h.runtime.writeLog(second, 'stdout', 'second run\n');
    expect((await logs('crashy')).text).toBe('second run\n');
    expect((await logs('crashy', '?previous=true')).text).toBe('first run\n');
    // The second instance crashes and the kubelet waits in CrashLoopBackOff: both views show it.
    await h.runtime.stopContainer(second, 0);
    const current = await h.client.pods<Pod>().get('default', 'crashy');
    await h.client.pods<Pod>().updateStatus('default', { ...current, status: { phase: 'Running', containerStatuses: [waiting('c', 'CrashLoopBackOff')] } });
    expect((await logs('crashy')).text).toBe('second run\n');
    expect((await logs('crashy', '?previous=true')).text).toBe('second run\n');
  });

  it('follow streams new output and ends when the container exits', async () => {
    const pod = await createPod(h, 'follow', ['c'], { statuses: [running('c')] });
    const id = await startInstance(h, pod, 'c', 0);
    h.runtime.writeLog(id, 'stdout', 'before\n');
    const res = await api(h, '/api/v1/namespaces/default/pods/follow/log?follow=true');
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('before\n');
    h.runtime.writeLog(id, 'stdout', 'after\n');
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('after\n');
    await h.runtime.stopContainer(id, 0);
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    expect(rest).toBe('');
  });

  it('validates PodLogOptions as the apiserver does', async () => {
    await createPod(h, 'opts', ['c'], { statuses: [running('c')] });
    expect(await logs('opts', '?tailLines=-1')).toMatchObject({ code: 422, status: { reason: 'Invalid' } });
    expect((await logs('opts', '?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z')).status?.message).toContain('at most one of `sinceTime` or `sinceSeconds` may be specified');
    expect((await logs('opts', '?tailLines=x')).code).toBe(400);
    const now = Date.parse('2025-01-01T00:01:00Z');
    expect(runtimeLogOptions(parsePodLogOptions({ sinceSeconds: '60', follow: 'true' }), now)).toEqual({ follow: true, timestamps: false, since: now / 1000 - 60 });
    expect(runtimeLogOptions(parsePodLogOptions({ sinceTime: '2025-01-01T00:00:00.5Z', tailLines: '3' }), now)).toMatchObject({ since: Date.parse('2025-01-01T00:00:00.5Z') / 1000, tail: 3 });
  });
});

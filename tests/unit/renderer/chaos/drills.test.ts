import { describe, expect, it } from 'vitest';
import type { Drill } from '../../../../shared/api/chaos';
import { ApiClient, type FetchLike } from '../../../../renderer/api/client';
import { kubectlRunDrill, parseDrillSample, runDrillText } from '../../../../renderer/composables/drill-library';
import { LANES, layoutTimeline, reportFigures } from '../../../../renderer/composables/drill-timeline';
import { readSample, sampleNames } from '../../../support/drill-samples';

describe('the drill library', () => {
  it('reads every sample: description without the kubectl lines, the Drill, its steps and objects', () => {
    const samples = sampleNames().map((n) => parseDrillSample(n, readSample(n)));
    expect(samples.length).toBeGreaterThanOrEqual(6);
    for (const s of samples) {
      expect(s.drillName, s.file).toBeTruthy();
      expect(s.description, s.file).not.toMatch(/kubectl apply/);
      expect(s.steps.length, s.file).toBeGreaterThan(0);
    }
    const crash = samples.find((s) => s.file === 'node-crash')!;
    expect(crash.description).toMatch(/^Drill: a node loses power\./);
    expect(crash).toMatchObject({ drillName: 'node-crash', steps: ['crash-node-2'], objects: ['Deployment/crash-web', 'Service/crash-web', 'Drill/node-crash'] });
    expect(crash.hypothesis).toMatch(/node-2 crashes/);
  });

  it('runs a drill: deletes the previous Drill and waits for it, then server-side applies each document in the namespace', async () => {
    const calls: Array<{ method: string; path: string; type?: string; body?: { metadata?: { namespace?: string } } }> = [];
    let drillGets = 0;
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
    const fetchImpl: FetchLike = async (url, init) => {
      const path = url.replace('http://127.0.0.1:1', '');
      const method = init?.method ?? 'GET';
      calls.push({ method, path, type: (init?.headers as Record<string, string>)['Content-Type'], body: init?.body ? JSON.parse(String(init.body)) : undefined });
      if (path === '/apis/apps/v1') return json({ resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }] });
      if (path === '/api/v1') return json({ resources: [{ name: 'services', kind: 'Service', namespaced: true }] });
      if (path === '/apis/chaos.bosun.dev/v1alpha1') return json({ resources: [{ name: 'drills', kind: 'Drill', namespaced: true }] });
      if (path === '/apis/chaos.bosun.dev/v1alpha1/namespaces/lab/drills/node-crash' && method === 'GET') {
        // Still there once (its finalizer reverts the faults), then gone.
        return ++drillGets < 2 ? json({ metadata: { name: 'node-crash' } }) : json({ kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' }, 404);
      }
      return json({ metadata: { name: 'x' } });
    };
    const client = new ApiClient({ apiUrl: 'http://127.0.0.1:1', token: 't' }, fetchImpl, null);
    const sleeps: number[] = [];
    const applied = await runDrillText(client, readSample('node-crash'), 'lab', { sleep: async (ms) => void sleeps.push(ms) });
    expect(applied).toHaveLength(3);
    expect(calls[0]).toMatchObject({ method: 'DELETE', path: '/apis/chaos.bosun.dev/v1alpha1/namespaces/lab/drills/node-crash' });
    expect(sleeps).toEqual([1000]);
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((p) => p.path)).toEqual([
      '/apis/apps/v1/namespaces/lab/deployments/crash-web?fieldManager=bosun-dashboard&fieldValidation=Strict&force=true',
      '/api/v1/namespaces/lab/services/crash-web?fieldManager=bosun-dashboard&fieldValidation=Strict&force=true',
      '/apis/chaos.bosun.dev/v1alpha1/namespaces/lab/drills/node-crash?fieldManager=bosun-dashboard&fieldValidation=Strict&force=true',
    ]);
    expect(patches.every((p) => p.type === 'application/apply-patch+yaml' && p.body?.metadata?.namespace === 'lab')).toBe(true);
    expect(kubectlRunDrill('node-crash', 'lab', 'node-crash')).toEqual([
      'kubectl delete drill node-crash -n lab --ignore-not-found --wait',
      'kubectl apply --server-side --field-manager=bosun-dashboard -n lab -f samples/drills/node-crash.yaml',
    ]);
  });

  it('refuses text without a Drill before touching the API', async () => {
    let called = false;
    const client = new ApiClient({ apiUrl: 'http://127.0.0.1:1', token: 't' }, async () => ((called = true), new Response('{}')), null);
    await expect(runDrillText(client, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n', 'default')).rejects.toThrow(/no Drill/);
    expect(called).toBe(false);
  });
});

describe('the drill timeline', () => {
  const drill: Drill = {
    metadata: { name: 'node-crash', namespace: 'lab', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { steadyState: [], steps: [] },
    status: {
      phase: 'Succeeded',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:40.000Z',
      timeline: [
        { time: '2026-01-01T00:00:00.000Z', type: 'Drill', message: 'started' },
        { time: '2026-01-01T00:00:02.000Z', type: 'Fault', message: 'Injected node-2' },
        { time: '2026-01-01T00:00:07.000Z', type: 'Check', message: 'three-ready failing: 2 ready', ok: false },
        { time: '2026-01-01T00:00:22.000Z', type: 'Check', message: 'three-ready holds', ok: true },
      ],
      report: {
        hypothesisHeld: true,
        steadyBefore: true,
        heldThroughout: false,
        disruptedAt: '2026-01-01T00:00:02.000Z',
        detectedAt: '2026-01-01T00:00:07.000Z',
        recoveredAt: '2026-01-01T00:00:22.000Z',
        timeToDetectSeconds: 5,
        timeToRecoverSeconds: 20,
        requestsTotal: 0,
        requestsFailed: 0,
      },
    },
  };

  it('places entries in lanes by type and markers at the report’s moments, on a 0–40 s axis', () => {
    const layout = layoutTimeline(drill, 400);
    expect(layout.dots.map((d) => [LANES[d.lane], d.x])).toEqual([
      ['Drill', 0],
      ['Fault', 20],
      ['Check', 70],
      ['Check', 220],
    ]);
    expect(layout.markers).toEqual([
      { kind: 'disrupted', x: 20, t: 2 },
      { kind: 'detected', x: 70, t: 7 },
      { kind: 'recovered', x: 220, t: 22 },
    ]);
    expect(layout.ticks.map((t) => t.label)).toEqual(['0s', '5s', '10s', '15s', '20s', '25s', '30s', '35s', '40s']);
  });

  it('a running drill extends to now', () => {
    const running = { ...drill, status: { ...drill.status, phase: 'Running' as const, finishedAt: undefined } };
    expect(layoutTimeline(running, 100, new Date('2026-01-01T00:01:20.000Z')).end).toBe(Date.parse('2026-01-01T00:01:20.000Z'));
  });

  it('report figures', () => {
    expect(reportFigures(drill)).toEqual([
      { key: 'hypothesisHeld', value: 'true', tone: 'success' },
      { key: 'steadyBefore', value: 'true' },
      { key: 'heldThroughout', value: 'false' },
      { key: 'timeToDetect', value: '5.0 s' },
      { key: 'timeToRecover', value: '20.0 s' },
      { key: 'requests', value: '0 / 0', tone: undefined },
    ]);
    expect(reportFigures({ ...drill, status: {} })).toEqual([]);
  });
});

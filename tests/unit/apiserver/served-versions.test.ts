import { describe, expect, it } from 'vitest';
import type { KubeObject, WatchEvent } from '../../../shared/api/meta';
import { builtinResources } from '../../../main/apiserver/registry';
import { hpaToV1, hpaToV2, hpaV1 } from '../../../main/apiserver/registry/hpas-v1';
import { RestHandler } from '../../../main/apiserver/rest/handler';
import { ServedVersionsHandler } from '../../../main/apiserver/rest/served-versions';
import { RealClock } from '../../../main/client/clock';
import { MemoryStore } from '../../../main/store/memory-store';

const v2: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 5 } },
  },
  status: {
    currentReplicas: 2,
    desiredReplicas: 3,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '90m' } } }],
    conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale' }],
  },
};

describe('autoscaling/v1 HorizontalPodAutoscaler conversion', () => {
  it('keeps CPU utilisation in v1 fields and everything else in Kubernetes\' annotations, losing nothing', () => {
    const v1 = hpaToV1(v2) as any;
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
    expect(v1.status).toEqual({ currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 90 });
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])).toHaveLength(1);
    const back = hpaToV2(v1) as any;
    expect(back.spec).toEqual(v2.spec);
    expect(back.status.conditions).toEqual((v2 as any).status.conditions);
    expect(back.metadata.annotations).toBeUndefined();
  });
});

describe('ServedVersionsHandler', () => {
  const setup = async () => {
    const inner = new RestHandler({ store: new MemoryStore(), resources: builtinResources, clock: new RealClock() });
    await inner.handle({ verb: 'create', group: '', version: 'v1', resource: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } });
    return { inner, outer: new ServedVersionsHandler(inner, [hpaV1]) };
  };
  const v1Req = { group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', namespace: 'default' } as const;

  it('creates through v1, stores v2, and reads, lists and patches in either version', async () => {
    const { inner, outer } = await setup();
    const created = (await outer.handle({
      ...v1Req,
      verb: 'create',
      body: { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 4, targetCPUUtilizationPercentage: 50 } },
    })) as any;
    expect(created.apiVersion).toBe('autoscaling/v1');
    expect(created.spec.targetCPUUtilizationPercentage).toBe(50);
    const stored = (await inner.handle({ ...v1Req, version: 'v2', verb: 'get', name: 'web' })) as any;
    expect(stored.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
    const list = (await outer.handle({ ...v1Req, verb: 'list' })) as any;
    expect(list.apiVersion).toBe('autoscaling/v1');
    expect(list.items[0].spec.targetCPUUtilizationPercentage).toBe(50);
    const patched = (await outer.handle({ ...v1Req, verb: 'patch', name: 'web', patchType: 'application/merge-patch+json', body: { spec: { targetCPUUtilizationPercentage: 70 } } })) as any;
    expect(patched.spec.targetCPUUtilizationPercentage).toBe(70);
    expect(((await inner.handle({ ...v1Req, version: 'v2', verb: 'get', name: 'web' })) as any).spec.metrics[0].resource.target.averageUtilization).toBe(70);
    await expect(outer.handle({ ...v1Req, verb: 'create', body: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } } })).rejects.toThrow(/does not match the expected API version/);
  });

  it('converts watch events to the requested version', async () => {
    const { inner, outer } = await setup();
    const events: WatchEvent[] = [];
    const w = outer.watch({ ...v1Req, verb: 'watch' }, (e) => events.push(e), () => undefined);
    await inner.handle({ ...v1Req, version: 'v2', verb: 'create', body: { ...v2, status: undefined } });
    await expect.poll(() => events.length).toBeGreaterThan(0);
    w.stop();
    expect((events[0].object as any).apiVersion).toBe('autoscaling/v1');
    expect((events[0].object as any).spec.targetCPUUtilizationPercentage).toBe(60);
  });
});

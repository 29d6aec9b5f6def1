import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../shared/api/config';
import { builtinResources } from '../../main/apiserver/registry';
import { RestHandler } from '../../main/apiserver/rest';
import { KubeClient } from '../../main/client/client';
import { FakeClock } from '../../main/client/clock';
import { CONFIGMAPS, NAMESPACES } from '../../main/client/gvr';
import { LabStatsPublisher, MEMORY_RSS_ANNOTATION, MEMORY_SAMPLED_AT_ANNOTATION, READY_MS_ANNOTATION } from '../../main/lab-stats';
import { MemoryStore } from '../../main/store/memory-store';

describe('lab stats on kube-system/bosun-lab-timing', () => {
  it('publishes ready-ms once and re-samples the RSS on a slow timer, leaving the timing data alone', async () => {
    const client = new KubeClient(new RestHandler({ store: new MemoryStore(), resources: builtinResources }), 'system:apiserver');
    await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    const configMaps = client.resource<ConfigMap>(CONFIGMAPS);
    await configMaps.create('kube-system', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bosun-lab-timing' }, data: { timeScale: '20 (Kubernetes: 1)' } });
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    let rss = 150 * 1048576;
    const stats = new LabStatsPublisher({ client, clock, readyMs: 812.4, rss: () => rss, sampleMs: 30_000 });
    stats.start();
    await stats.settled();
    let cm = await configMaps.get('kube-system', 'bosun-lab-timing');
    expect(cm.metadata.annotations).toEqual({
      [READY_MS_ANNOTATION]: '812',
      [MEMORY_RSS_ANNOTATION]: String(150 * 1048576),
      [MEMORY_SAMPLED_AT_ANNOTATION]: '2026-01-01T00:00:00.000Z',
    });
    const rv = cm.metadata.resourceVersion;

    rss = 160 * 1048576;
    clock.step(29_000);
    await stats.settled();
    expect((await configMaps.get('kube-system', 'bosun-lab-timing')).metadata.resourceVersion).toBe(rv);
    clock.step(1_000);
    await stats.settled();
    cm = await configMaps.get('kube-system', 'bosun-lab-timing');
    expect(cm.metadata.annotations?.[MEMORY_RSS_ANNOTATION]).toBe(String(160 * 1048576));
    expect(cm.metadata.annotations?.[MEMORY_SAMPLED_AT_ANNOTATION]).toBe('2026-01-01T00:00:30.000Z');
    expect(cm.data).toEqual({ timeScale: '20 (Kubernetes: 1)' });

    await stats.stop();
    expect(clock.pending).toBe(0);
  });

  it('logs instead of failing when the ConfigMap is missing', async () => {
    const client = new KubeClient(new RestHandler({ store: new MemoryStore(), resources: builtinResources }), 'system:apiserver');
    const warnings: string[] = [];
    const stats = new LabStatsPublisher({ client, clock: new FakeClock(), readyMs: 5, rss: () => 1, logger: { warn: (m) => warnings.push(m) } });
    stats.start();
    await stats.settled();
    await stats.stop();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('bosun-lab-timing');
  });
});

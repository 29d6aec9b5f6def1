import { describe, expect, it } from 'vitest';
import { parseLabStats } from '../../../../renderer/composables/lab-stats';
import { labTimingConfigMap, labTimingFor } from '../../../../main/lab-timing';
import { MEMORY_RSS_ANNOTATION, MEMORY_SAMPLED_AT_ANNOTATION, READY_MS_ANNOTATION } from '../../../../main/lab-stats';

describe('overview lab numbers', () => {
  it('reads what the lab publishes on kube-system/bosun-lab-timing (same annotation names, same timer table)', () => {
    const cm = labTimingConfigMap(labTimingFor(20, {}));
    cm.metadata.annotations = { ...cm.metadata.annotations, [READY_MS_ANNOTATION]: '812', [MEMORY_RSS_ANNOTATION]: String(157 * 1048576 + 1000), [MEMORY_SAMPLED_AT_ANNOTATION]: '2026-01-01T00:00:30Z' };
    const stats = parseLabStats(cm);
    expect(stats).toMatchObject({ readyMs: 812, rssMb: 157, sampledAt: '2026-01-01T00:00:30Z', timeScale: 20 });
    expect(stats.timers.find((x) => x.key === 'nodeMonitorGracePeriod')).toEqual({ key: 'nodeMonitorGracePeriod', lab: '4s', kubernetes: '50s' });
    expect(stats.timers.find((x) => x.key === 'defaultTolerationSeconds')).toEqual({ key: 'defaultTolerationSeconds', lab: '15', kubernetes: '300' });
    expect(stats.timers.some((x) => x.key === 'timeScale')).toBe(false);
  });

  it('shows nothing it does not know (lab without the annotations, or no ConfigMap)', () => {
    expect(parseLabStats(undefined)).toEqual({ readyMs: undefined, rssMb: undefined, sampledAt: undefined, timeScale: undefined, timers: [] });
    expect(parseLabStats({ metadata: { name: 'bosun-lab-timing', annotations: { [READY_MS_ANNOTATION]: 'soon' } } }).readyMs).toBeUndefined();
  });
});

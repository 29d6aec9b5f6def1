import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../main/client/clock';
import { PULL_PROGRESS_FIRST_MS, PULL_PROGRESS_INTERVAL_MS, PullProgressReporter } from '../../../main/kubelet/pull-progress';

describe('image pull progress events', () => {
  it('stays quiet for a fast pull, then reports layers and bytes at most once per interval', () => {
    const clock = new FakeClock();
    const events: string[] = [];
    const r = new PullProgressReporter(clock, (m) => events.push(m));
    r.onProgress({ id: '1.27', status: 'Pulling from library/nginx' });
    r.onProgress({ id: 'aaa', status: 'Downloading', current: 1_000_000, total: 4_000_000 });
    r.onProgress({ id: 'bbb', status: 'Downloading', current: 0, total: 6_000_000 });
    expect(events).toEqual([]);
    clock.step(PULL_PROGRESS_FIRST_MS);
    r.onProgress({ id: 'aaa', status: 'Downloading', current: 2_000_000, total: 4_000_000 });
    expect(events).toEqual(['0/2 layers, 2.0 MB of 10.0 MB']);
    clock.step(1000);
    r.onProgress({ id: 'aaa', status: 'Pull complete' });
    expect(events).toHaveLength(1);
    clock.step(PULL_PROGRESS_INTERVAL_MS);
    r.onProgress({ id: 'bbb', status: 'Downloading', current: 3_000_000, total: 6_000_000 });
    expect(events[1]).toBe('1/2 layers, 7.0 MB of 10.0 MB');
    r.onProgress({ id: 'bbb', status: 'Pull complete' });
    expect(r.summary()).toBe('2/2 layers, 10.0 MB of 10.0 MB');
  });

  it('counts layers already present as done', () => {
    const clock = new FakeClock();
    const r = new PullProgressReporter(clock, () => undefined);
    r.onProgress({ id: 'aaa', status: 'Already exists' });
    r.onProgress({ id: 'bbb', status: 'Pulling fs layer' });
    expect(r.summary()).toBe('1/2 layers');
  });
});

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../main/client/clock';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter } from '../../../main/client/rate-limiter';
import { ApiError } from '../../../shared/api/errors';
import { CONFLICT_RETRY_MS, WorkQueue, runWorkers } from '../../../main/client/workqueue';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function queue(clock = new FakeClock()) {
  return { clock, q: new WorkQueue<string>({ name: 'test', clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000_000) }) };
}

describe('WorkQueue', () => {
  it('dedups pending keys and hands them out in FIFO order', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands out a key being processed; re-adds meanwhile come back once after done', async () => {
    const { q } = queue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0); // dirty, not queued: no second worker may take it
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await tick();
    expect(second).toBeUndefined();
    q.done(key!);
    await tick();
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('done without a re-add does not requeue', async () => {
    const { q } = queue();
    q.add('a');
    q.done((await q.get())!);
    expect(q.len()).toBe(0);
  });

  it('get() waits for a key and waiters are served in order', async () => {
    const { q } = queue();
    const got: string[] = [];
    void q.get().then((k) => got.push(`w1:${k}`));
    void q.get().then((k) => got.push(`w2:${k}`));
    await tick();
    expect(got).toEqual([]);
    q.add('x');
    q.add('y');
    await tick();
    expect(got).toEqual(['w1:x', 'w2:y']);
  });

  it('addAfter waits on the clock; an earlier pending delay wins', async () => {
    const { q, clock } = queue();
    q.addAfter('a', 100);
    q.addAfter('a', 500); // later: ignored
    q.addAfter('b', 300);
    q.addAfter('b', 50); // earlier: replaces
    q.addAfter('now', 0);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('now');
    clock.step(49);
    expect(q.len()).toBe(0);
    clock.step(1);
    expect(await q.get()).toBe('b');
    clock.step(50);
    expect(await q.get()).toBe('a');
    clock.step(1000);
    expect(q.len()).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('rate-limits per key with exponential backoff 5, 10, 20 … ms, capped, until forget', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000_000) });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = clock.pending;
      q.addRateLimited('k');
      expect(clock.pending).toBe(before + 1);
      // Measure the delay by stepping until the key appears.
      let waited = 0;
      while (q.len() === 0 && waited < 10_000) {
        clock.step(1);
        waited++;
      }
      delays.push(waited);
      q.done((await q.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40, 80, 160]);
    expect(q.numRequeues('k')).toBe(6);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);

    const limiter = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
    const seq = Array.from({ length: 30 }, () => limiter.when('x'));
    expect(seq.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(Math.max(...seq)).toBe(1_000_000);
    expect(seq.at(-1)).toBe(1_000_000);
    expect(limiter.when('other')).toBe(5); // per key
  });

  it('the default limiter also applies an overall token bucket (10 qps, burst 100)', () => {
    const clock = new FakeClock();
    const bucket = new BucketRateLimiter<string>(clock, 10, 100);
    const combined = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter(5, 1_000_000), bucket);
    for (let i = 0; i < 100; i++) expect(combined.when(`k${i}`)).toBe(5);
    expect(combined.when('k100')).toBe(100); // bucket exhausted: 1 token per 100 ms
    expect(combined.when('k101')).toBe(200);
    clock.step(1000);
    expect(combined.when('k102')).toBe(5);
  });

  it('shutDown stops accepting keys, lets queued ones drain, then get() yields undefined', async () => {
    const { q, clock } = queue();
    q.add('a');
    q.addAfter('later', 10);
    const waiter = new WorkQueue<string>({ clock });
    const pending = waiter.get();
    waiter.shutDown();
    expect(await pending).toBeUndefined();

    q.shutDown();
    q.add('b');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(await q.get()).toBeUndefined();
    clock.step(100);
    expect(q.len()).toBe(0);
  });

  it('shutDownWithDrain resolves only after in-flight keys are done', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    const a = (await q.get())!;
    const b = (await q.get())!;
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    q.done(a);
    await tick();
    expect(drained).toBe(false);
    q.done(b);
    await drain;
    expect(drained).toBe(true);
    expect(await new WorkQueue().shutDownWithDrain()).toBeUndefined();
  });
});

describe('runWorkers', () => {
  it('looks again soon after a Conflict, without a warning or backoff (the cache was only behind)', async () => {
    const { q, clock } = queue();
    const attempts: number[] = [];
    const logs: string[] = [];
    let conflicts = 2;
    runWorkers(q, 1, async () => {
      attempts.push(clock.nowMs());
      if (conflicts-- > 0) throw ApiError.conflict({ group: 'apps', resource: 'deployments' }, 'web', 'the object has been modified');
    }, { warn: (m) => logs.push(m) });
    const t0 = clock.nowMs();
    q.add('web');
    await tick();
    for (let i = 0; i < 2; i++) {
      clock.step(CONFLICT_RETRY_MS);
      await tick();
    }
    expect(attempts.map((t) => t - t0)).toEqual([0, CONFLICT_RETRY_MS, 2 * CONFLICT_RETRY_MS]);
    expect(logs).toEqual([]);
    expect(q.numRequeues('web')).toBe(0);
    q.shutDown();
  });

  it('retries a failing sync with backoff and forgets the key on success', async () => {
    const { q, clock } = queue();
    const attempts: string[] = [];
    const logs: string[] = [];
    let failuresLeft = 3;
    const workers = runWorkers(q, 2, async (key) => {
      attempts.push(key);
      if (key === 'bad' && failuresLeft-- > 0) throw new Error('apiserver said no');
    }, { warn: (m) => logs.push(m) });
    q.add('bad');
    q.add('good');
    await tick();
    expect(attempts).toEqual(['bad', 'good']);
    expect(q.numRequeues('bad')).toBe(1);
    expect(q.numRequeues('good')).toBe(0);
    clock.step(5);
    await tick();
    clock.step(10);
    await tick();
    clock.step(20);
    await tick();
    expect(attempts.filter((k) => k === 'bad')).toHaveLength(4);
    expect(q.numRequeues('bad')).toBe(0);
    expect(logs).toHaveLength(3);
    expect(logs[0]).toContain('error syncing bad');
    await q.shutDownWithDrain();
    await workers.finished;
  });

  it('never syncs one key concurrently and never loses an add that arrives mid-sync', async () => {
    const { q } = queue();
    let active = 0;
    let maxActive = 0;
    const synced: number[] = [];
    let version = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const workers = runWorkers(q, 4, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      const seen = version;
      if (synced.length === 0) await gate;
      synced.push(seen);
      active--;
    });
    q.add('k');
    await tick();
    version = 1;
    q.add('k'); // arrives while the first sync is still running
    q.add('k');
    await tick();
    release();
    for (let i = 0; i < 5; i++) await tick();
    expect(maxActive).toBe(1);
    expect(synced).toEqual([0, 1]); // the second sync saw the newer state; the duplicate add was merged
    q.shutDown();
    await workers.finished;
  });

  it('workers exit once the queue is shut down and drained', async () => {
    const { q } = queue();
    const done: string[] = [];
    const workers = runWorkers(q, 3, async (k) => void done.push(k));
    q.add('a');
    q.add('b');
    q.shutDown();
    await workers.finished;
    expect(done.sort()).toEqual(['a', 'b']);
  });
});

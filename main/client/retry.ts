// retry.RetryOnConflict from client-go: re-run a read-modify-write when another writer won the race.
import { isConflict } from '../../shared/api/errors';
import { RealClock, type Clock } from './clock';

export interface Backoff {
  /** Attempts in total (client-go DefaultRetry: 5). */
  steps?: number;
  /** First pause between attempts (DefaultRetry: 10 ms). */
  durationMs?: number;
  /** Multiplier applied to the pause after each attempt (DefaultRetry: 1.0). */
  factor?: number;
  /** Random extra fraction of the pause (DefaultRetry: 0.1). */
  jitter?: number;
  /** Upper bound of one pause. */
  capMs?: number;
  clock?: Clock;
}

export const DEFAULT_RETRY: Readonly<Required<Omit<Backoff, 'clock' | 'capMs'>>> = Object.freeze({
  steps: 5,
  durationMs: 10,
  factor: 1,
  jitter: 0.1,
});

const sleep = (clock: Clock, ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));

/** Runs fn until it succeeds, fails with something other than `retriable`, or steps run out (last error thrown). */
export async function retryOnError<R>(backoff: Backoff, retriable: (error: unknown) => boolean, fn: () => Promise<R>): Promise<R> {
  const steps = Math.max(1, backoff.steps ?? DEFAULT_RETRY.steps);
  const clock = backoff.clock ?? new RealClock();
  let pause = backoff.durationMs ?? DEFAULT_RETRY.durationMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= steps || !retriable(error)) throw error;
    }
    const jitter = backoff.jitter ?? DEFAULT_RETRY.jitter;
    let wait = pause + (jitter > 0 ? Math.random() * jitter * pause : 0);
    if (backoff.capMs !== undefined) wait = Math.min(wait, backoff.capMs);
    await sleep(clock, wait);
    pause *= backoff.factor ?? DEFAULT_RETRY.factor;
  }
}

/** Re-runs fn (which must re-read the object each time) while it fails with 409 Conflict. */
export function retryOnConflict<R>(fn: () => Promise<R>, backoff: Backoff = {}): Promise<R> {
  return retryOnError(backoff, isConflict, fn);
}

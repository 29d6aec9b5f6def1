// Vitest glue kept apart from serve.ts, which benchmarks import outside of vitest.
import { afterAll, beforeAll } from 'vitest';
import { startServe, type ServeHandle, type ServeOptions } from './serve';

/**
 * One `bosun serve` for a whole test file: started before the first test, stopped and its data dir removed
 * after the last. Returns a getter, because the handle exists only once beforeAll ran (and a test may
 * replace it, e.g. after a restart, through `set`).
 */
export function useServe(options: ServeOptions = {}): { (): ServeHandle; set(next: ServeHandle): void } {
  let current: ServeHandle | undefined;
  beforeAll(async () => {
    current = await startServe(options);
  });
  afterAll(async () => {
    await current?.stop();
    current?.cleanup();
  });
  const get = (): ServeHandle => {
    if (!current) throw new Error('bosun serve is not running (useServe() must be called at the top of the file)');
    return current;
  };
  get.set = (next: ServeHandle): void => {
    current = next;
  };
  return get;
}

// Trimming the C heap after full collections: its switch, and that on this Linux/glibc machine a full
// collection really leads to a malloc_trim call. What it saves is measured by the scale benchmark
// (docs/PERFORMANCE.md), not asserted here.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mallocTrimEnabled, startMallocTrim, type MallocTrimmer } from '../../../main/malloc-trim';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('malloc trim after full collections', () => {
  let trimmer: MallocTrimmer | undefined;
  afterEach(() => {
    trimmer?.stop();
    trimmer = undefined;
  });

  it('is on unless BOSUN_MALLOC_TRIM=0, and names the variable and the choices for anything else', () => {
    expect(mallocTrimEnabled({})).toBe(true);
    expect(mallocTrimEnabled({ BOSUN_MALLOC_TRIM: '' })).toBe(true);
    expect(mallocTrimEnabled({ BOSUN_MALLOC_TRIM: '1' })).toBe(true);
    expect(mallocTrimEnabled({ BOSUN_MALLOC_TRIM: '0' })).toBe(false);
    for (const bad of ['yes', 'off', '2']) {
      expect(() => mallocTrimEnabled({ BOSUN_MALLOC_TRIM: bad })).toThrow(
        `BOSUN_MALLOC_TRIM must be 1 (trim the C heap after full collections, the default) or 0 (never), got "${bad}"`,
      );
    }
  });

  it('does not start when turned off', async () => {
    expect(await startMallocTrim({ env: { BOSUN_MALLOC_TRIM: '0' } })).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('trims after a full collection, once per interval however many collections', async () => {
    trimmer = await startMallocTrim({ env: {}, delayMs: 0, minIntervalMs: 60_000 });
    expect(trimmer, 'glibc malloc_trim through koffi should load on Linux').toBeDefined();
    expect(trimmer!.stats.trims).toBe(0);
    gc();
    await vi.waitFor(() => expect(trimmer!.stats.trims).toBe(1), { timeout: 10_000 });
    for (let i = 0; i < 3; i++) gc();
    // The next one may come only after the interval: give the observer time to see the collections.
    await new Promise((r) => setTimeout(r, 300));
    expect(trimmer!.stats.trims).toBe(1);
  });

  it.runIf(process.platform === 'linux')('stops observing collections when stopped', async () => {
    trimmer = await startMallocTrim({ env: {}, delayMs: 0, minIntervalMs: 0 });
    trimmer!.stop();
    gc();
    await new Promise((r) => setTimeout(r, 300));
    expect(trimmer!.stats.trims).toBe(0);
  });
});

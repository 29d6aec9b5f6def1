// How far V8 lets the heap grow between full garbage collections, for a process hosting a lab.
//
// V8 lets the old generation grow to up to 4× its live size before the next full GC when the program
// allocates fast. A lab allocates fast all the time (every node renews its Lease each second at the
// default time scale and resyncs its pods every few seconds), so a lab holding 10,000 simulated pods
// with about 250 MB of live objects sat at 1.3 GB of RSS, mostly garbage waiting for a collection.
// Capping the growth at 1.3× the live size keeps that lab near 435 MB (docs/PERFORMANCE.md, scale) for
// more frequent, mostly concurrent, full collections: side by side, 1.5× held 500 MB and 1.2× 425 MB,
// for the same CPU at 1.5× and 1.3× and 11% more at 1.2×. The flag is read by V8 each time it sets the
// next limit, so setting it at start-up is enough. BOSUN_HEAP_GROWING_PERCENT overrides it (0: V8's own
// policy), for measuring one against the other.
import { setFlagsFromString } from 'node:v8';

/** The heap may grow to 1 + this/100 times its live size between full collections. */
export const LAB_HEAP_GROWING_PERCENT = 30;

export function heapGrowingPercent(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BOSUN_HEAP_GROWING_PERCENT;
  if (raw === undefined || raw === '') return LAB_HEAP_GROWING_PERCENT;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 1000) {
    throw new Error(`BOSUN_HEAP_GROWING_PERCENT must be a whole number from 0 (V8's own policy) to 1000, got "${raw}"`);
  }
  return value;
}

/** Applies the lab's heap growth policy to this process; returns the percent applied. */
export function tuneHeapForLab(env: NodeJS.ProcessEnv = process.env): number {
  const percent = heapGrowingPercent(env);
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}

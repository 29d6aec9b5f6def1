// Gives the C allocator's free pages back to the system after V8's full collections (Linux, glibc).
//
// A full collection of a large heap allocates and frees V8's own bookkeeping (remembered sets, marking
// worklists) through malloc, small blocks interleaved with everything else the process mallocs. glibc
// gives memory back only from the top of its heap, so the holes stay resident: a lab holding 10,000
// simulated pods kept 90 MB of free malloc memory in its RSS (docs/PERFORMANCE.md, scale), and
// malloc_trim(0) returned all but 7 MB of it in a few milliseconds. So, a second after each full
// collection (at most once every 10 s), malloc_trim runs on a worker thread, called through the
// koffi FFI library; Node itself never calls it. Elsewhere (macOS, Windows, musl) there is no such
// function and this does nothing. BOSUN_MALLOC_TRIM=0 turns it off, for measuring one against the other.
import { constants, PerformanceObserver } from 'node:perf_hooks';

export interface MallocTrimOptions {
  /** Wait after a full collection before trimming, so the collector's own frees have happened. */
  delayMs?: number;
  /** Least time between two trims. */
  minIntervalMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface MallocTrimmer {
  /** Trims done so far. */
  readonly stats: { trims: number };
  stop(): void;
}

/** koffi's handle on malloc_trim, called only on its worker thread (`.async`). */
type TrimFn = { async: (pad: number, done: (err: unknown) => void) => void };

/** glibc's malloc_trim, or undefined where there is none (not Linux, musl, FFI not loadable). */
async function loadMallocTrim(): Promise<TrimFn | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const koffi = (await import('koffi')).default;
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as unknown as TrimFn;
  } catch {
    return undefined;
  }
}

export function mallocTrimEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.BOSUN_MALLOC_TRIM;
  if (raw === undefined || raw === '' || raw === '1') return true;
  if (raw === '0') return false;
  throw new Error(`BOSUN_MALLOC_TRIM must be 1 (trim the C heap after full collections, the default) or 0 (never), got "${raw}"`);
}

/**
 * Starts trimming after full collections for this process. Resolves to undefined where it cannot (or
 * must not) run; the lab works the same either way, only its resident memory differs.
 */
export async function startMallocTrim(options: MallocTrimOptions = {}): Promise<MallocTrimmer | undefined> {
  if (!mallocTrimEnabled(options.env)) return undefined;
  const trim = await loadMallocTrim();
  if (!trim) return undefined;
  const delayMs = options.delayMs ?? 1000;
  const minIntervalMs = options.minIntervalMs ?? 10_000;
  const stats = { trims: 0 };
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let last = -Infinity;
  let stopped = false;

  const run = (): void => {
    timer = undefined;
    running = true;
    last = performance.now();
    // On koffi's worker thread: the event loop goes on while glibc walks its free lists.
    trim.async(0, (err) => {
      running = false;
      if (!err) stats.trims++;
    });
  };
  const observer = new PerformanceObserver((list) => {
    if (stopped || timer || running) return;
    const major = list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major) return;
    timer = setTimeout(run, Math.max(delayMs, last + minIntervalMs - performance.now()));
    timer.unref();
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stats,
    stop() {
      stopped = true;
      observer.disconnect();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

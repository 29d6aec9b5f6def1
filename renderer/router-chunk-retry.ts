// Recovery from code chunks that fail to load. Docker changes network interfaces for every container
// it starts, and Chromium then fails in-flight requests (net::ERR_NETWORK_CHANGED), so a lazily
// loaded view can fail to load while the lab itself is perfectly reachable. Without this the router
// rejects the navigation and the page stays blank.
//
// Two layers:
// 1. Each lazy view retries its own import with a short backoff. Engines that implement
//    whatwg/html#10327 (Chromium 156 does; checked with a failing-once server) refetch a module whose
//    fetch failed, so a retry usually succeeds and the navigation simply completes a little later.
// 2. Engines that still cache the failure in the module map (older Chromium, so possibly the
//    Electron shell) fail every retry of the same URL at once; the only cure there is a fresh
//    document, so the router reloads the page at the route that was being opened — at most once
//    per RELOAD_GUARD_MS, remembered in sessionStorage, so a chunk that is really gone (say a
//    rebuilt app under a stale page) cannot make the page reload forever.
import type { RouteLocationNormalized, Router } from 'vue-router';

/** Waits before the 2nd, 3rd and 4th attempt. */
export const RETRY_DELAYS_MS: readonly number[] = [300, 1000, 2000];
/** A second reload for a failed chunk within this window is not attempted: it would be a loop. */
export const RELOAD_GUARD_MS = 60_000;
export const RELOAD_STORAGE_KEY = 'bosun.chunkReloadAt';

// Chromium, Safari and Firefox wordings of a failed `import()`, and the error Vite's preload helper
// throws when a stylesheet of the chunk fails. Deliberately not every TypeError: one thrown while a
// module evaluates is a bug that neither a retry nor a reload fixes.
const CHUNK_LOAD_FAILURE =
  /Failed to fetch dynamically imported module|Importing a module script failed|error loading dynamically imported module|Unable to preload CSS for/i;

export function isChunkLoadError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'ChunkLoadError' || CHUNK_LOAD_FAILURE.test(error.message);
}

export interface LazyViewOptions {
  delaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Loads currently retrying or in their first attempt; a Vite preload failure seen while one runs
// belongs to it (the router handles it), any other is an async component's.
let routeLoadsInFlight = 0;

/** A route component loader that retries chunk load failures; other errors pass through at once. */
export function lazyView<T>(load: () => Promise<T>, options: LazyViewOptions = {}): () => Promise<T> {
  const delays = options.delaysMs ?? RETRY_DELAYS_MS;
  const sleep = options.sleep ?? defaultSleep;
  return async () => {
    routeLoadsInFlight++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await load();
        } catch (error) {
          if (!isChunkLoadError(error) || attempt >= delays.length) throw error;
          await sleep(delays[attempt]!);
        }
      }
    } finally {
      routeLoadsInFlight--;
    }
  };
}

/** What the recovery needs from the page; `window` satisfies it, tests pass fakes. */
export interface ChunkRecoveryEnvironment {
  location: { hash: string; reload(): void };
  history: { state: unknown; replaceState(state: unknown, unused: string, url?: string | null): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  addEventListener?(type: 'vite:preloadError', listener: (event: Event) => void): void;
  document?: { querySelectorAll(selector: string): ArrayLike<{ href: string; remove(): void }> };
  now?: () => number;
  console?: Pick<Console, 'error'>;
}

/**
 * Reloads the page at `href` (a fragment for the hash router) unless a chunk reload happened within
 * RELOAD_GUARD_MS. Returns whether it reloaded.
 */
export function reloadAt(env: ChunkRecoveryEnvironment, href: string, cause: unknown): boolean {
  const now = (env.now ?? Date.now)();
  const last = Number(env.sessionStorage.getItem(RELOAD_STORAGE_KEY) ?? NaN);
  if (Number.isFinite(last) && now - last >= 0 && now - last < RELOAD_GUARD_MS) {
    (env.console ?? console).error('bosun: a code chunk still fails to load after a reload; not reloading again', cause);
    return false;
  }
  env.sessionStorage.setItem(RELOAD_STORAGE_KEY, String(now));
  env.history.replaceState(env.history.state, '', href);
  env.location.reload();
  return true;
}

/**
 * When a navigation still fails for a chunk after lazyView's retries, reload at its target; and
 * treat Vite's `vite:preloadError` the same way for lazy components outside the router.
 */
export function installChunkRecovery(router: Router, env: ChunkRecoveryEnvironment): void {
  // A failure of a navigation that a newer one has superseded must not pull the user back to it.
  let latestTarget: string | undefined;
  router.beforeEach((to) => {
    latestTarget = to.fullPath;
  });
  router.onError((error: unknown, to: RouteLocationNormalized) => {
    if (!isChunkLoadError(error)) return;
    if (latestTarget !== undefined && to.fullPath !== latestTarget) return;
    reloadAt(env, router.resolve(to).href, error);
  });

  env.addEventListener?.('vite:preloadError', (event) => {
    const error = (event as Event & { payload?: unknown }).payload;
    // Vite treats a <link> already in the document as loaded, even one whose load failed, so a
    // retry would go on without that stylesheet: remove it so the retry fetches it again.
    const css = error instanceof Error ? /Unable to preload CSS for (\S+)/.exec(error.message)?.[1] : undefined;
    if (css && env.document) {
      for (const link of Array.from(env.document.querySelectorAll('link[rel="stylesheet"]'))) if (link.href === css) link.remove();
    }
    // Not prevented: the error reaches whoever imported (lazyView retries, the router reloads).
    // A lazy component outside the router (a detail section, a dialog) has no retry of its own:
    // the same guarded reload, at the current route, is what gives the person a working page.
    if (routeLoadsInFlight === 0 && isChunkLoadError(error)) reloadAt(env, env.location.hash || '#/', error);
  });
}

/** For tests: the in-flight count is module state shared by all routers. */
export function routeLoadsInFlightForTest(): number {
  return routeLoadsInFlight;
}

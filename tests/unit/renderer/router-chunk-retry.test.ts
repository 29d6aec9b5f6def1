import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter, type RouteRecordRaw } from 'vue-router';
import {
  RELOAD_GUARD_MS,
  RELOAD_STORAGE_KEY,
  installChunkRecovery,
  isChunkLoadError,
  lazyView,
  routeLoadsInFlightForTest,
  type ChunkRecoveryEnvironment,
} from '../../../renderer/router-chunk-retry';

// What Chromium rejects `import()` with when the chunk's fetch fails (e.g. net::ERR_NETWORK_CHANGED).
const fetchFailure = (chunk: string) => new TypeError(`Failed to fetch dynamically imported module: http://127.0.0.1:6443/assets/${chunk}`);
const view = (name: string) => ({ default: { name, render: () => null } });

/** A page: sessionStorage survives reloads (pass the same map), the rest is per document. */
function page(storage = new Map<string, string>(), startAt = 1_000_000) {
  let now = startAt;
  const reloads: string[] = [];
  const errors: unknown[] = [];
  const listeners: ((event: Event) => void)[] = [];
  const links = [] as { href: string; remove(): void }[];
  const env: ChunkRecoveryEnvironment & { hash: string } = {
    hash: '#/',
    location: {
      get hash() {
        return env.hash;
      },
      reload: () => void reloads.push(env.hash),
    },
    history: { state: null, replaceState: (_s, _u, url) => void (env.hash = String(url)) },
    sessionStorage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
    addEventListener: (_type, listener) => void listeners.push(listener),
    document: { querySelectorAll: () => links.slice() },
    now: () => now,
    console: { error: (...args: unknown[]) => void errors.push(args) },
  };
  const preloadError = (payload: unknown) => {
    const event = Object.assign(new Event('vite:preloadError', { cancelable: true }), { payload });
    for (const l of listeners) l(event);
    return event;
  };
  const addStylesheet = (href: string) => {
    const link = { href, remove: () => void links.splice(links.indexOf(link), 1) };
    links.push(link);
  };
  return { env, storage, reloads, errors, links, preloadError, addStylesheet, advance: (ms: number) => void (now += ms) };
}

function routerOn(env: ChunkRecoveryEnvironment, routes: RouteRecordRaw[]) {
  // '#' base: hrefs are fragments as with the dashboard's hash history.
  const router = createRouter({ history: createMemoryHistory('#'), routes: [{ path: '/', name: 'overview', component: view('Overview').default }, ...routes] });
  installChunkRecovery(router, env);
  return router;
}

const sleeps: number[] = [];
const sleep = async (ms: number) => void sleeps.push(ms);

afterEach(() => {
  sleeps.length = 0;
});

describe('lazy views whose chunk fails to load', () => {
  it('retry the import after a short wait, and the navigation ends on the route', async () => {
    const p = page();
    let calls = 0;
    const load = async () => {
      calls++;
      if (calls === 1) throw fetchFailure('TypesView-abc.js');
      return view('Types');
    };
    const router = routerOn(p.env, [{ path: '/r/:resource', name: 'list', component: lazyView(load, { sleep }) }]);
    await router.push('/');
    await router.push('/r/pods');
    expect(router.currentRoute.value.name).toBe('list');
    expect(router.currentRoute.value.params).toEqual({ resource: 'pods' });
    expect(calls).toBe(2);
    expect(sleeps).toEqual([300]);
    expect(p.reloads).toEqual([]);
    expect(routeLoadsInFlightForTest()).toBe(0);
  });

  it('back off 0.3 s, 1 s, 2 s, then reload once at the target route, and not again after that reload', async () => {
    const p = page();
    let calls = 0;
    const failing = async () => {
      calls++;
      throw fetchFailure('ChaosView-x.js');
    };
    const router = routerOn(p.env, [{ path: '/chaos', name: 'chaos', component: lazyView(failing, { sleep }) }]);
    await router.push('/');
    await expect(router.push('/chaos')).rejects.toThrow(/Failed to fetch dynamically imported module/);
    expect(calls).toBe(4);
    expect(sleeps).toEqual([300, 1000, 2000]);
    // The page is reloaded at the route being opened (the hash router reads it from the fragment).
    expect(p.reloads).toEqual(['#/chaos']);
    expect(p.storage.get(RELOAD_STORAGE_KEY)).toBe('1000000');

    // The reloaded document: same sessionStorage, the chunk is still missing → no second reload.
    const after = page(p.storage, 1_000_000 + 5_000);
    after.env.hash = '#/chaos';
    const reloaded = routerOn(after.env, [{ path: '/chaos', name: 'chaos', component: lazyView(failing, { sleep }) }]);
    await expect(reloaded.push('/chaos')).rejects.toThrow(/Failed to fetch/);
    expect(after.reloads).toEqual([]);
    expect(after.errors).toHaveLength(1);
    // Nor on a second failing navigation in that document.
    await expect(reloaded.push('/chaos?again=1')).rejects.toThrow(/Failed to fetch/);
    expect(after.reloads).toEqual([]);

    // Much later (a new network blip), a reload is allowed again.
    const later = page(p.storage, 1_000_000 + RELOAD_GUARD_MS + 1);
    const third = routerOn(later.env, [{ path: '/chaos', name: 'chaos', component: lazyView(failing, { sleep }) }]);
    await expect(third.push('/chaos')).rejects.toThrow(/Failed to fetch/);
    expect(later.reloads).toEqual(['#/chaos']);
  });

  it('do not retry or reload for errors that are not chunk load failures', async () => {
    const p = page();
    let calls = 0;
    const broken = async (): Promise<never> => {
      calls++;
      throw new TypeError("Cannot read properties of undefined (reading 'spec')");
    };
    const router = routerOn(p.env, [{ path: '/drills', component: lazyView(broken, { sleep }) }]);
    await expect(router.push('/drills')).rejects.toThrow(/Cannot read properties/);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
    expect(p.reloads).toEqual([]);
  });

  it('do not reload for a navigation the person has already left for another route', async () => {
    const p = page();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowFailing = async () => {
      await gate;
      throw fetchFailure('EventsView-1.js');
    };
    const router = routerOn(p.env, [
      { path: '/events', component: lazyView(slowFailing, { delaysMs: [] }) },
      { path: '/settings', name: 'settings', component: lazyView(async () => view('Settings'), { delaysMs: [] }) },
    ]);
    await router.push('/');
    const abandoned = router.push('/events');
    await router.push('/settings');
    release();
    await abandoned.catch(() => undefined);
    expect(router.currentRoute.value.name).toBe('settings');
    expect(p.reloads).toEqual([]);
  });
});

describe("Vite's vite:preloadError", () => {
  it('removes the stylesheet link whose load failed, so a retry fetches it again, and leaves the error to the router', async () => {
    const p = page();
    p.addStylesheet('http://127.0.0.1:6443/assets/ChaosView-a.css');
    p.addStylesheet('http://127.0.0.1:6443/assets/index-b.css');
    let calls = 0;
    const router = routerOn(p.env, [
      {
        path: '/chaos',
        name: 'chaos',
        component: lazyView(
          async () => {
            calls++;
            // Vite's preload helper dispatches the event, then (not prevented) rejects the import.
            const error = new Error('Unable to preload CSS for http://127.0.0.1:6443/assets/ChaosView-a.css');
            if (calls === 1 && !p.preloadError(error).defaultPrevented) throw error;
            return view('Chaos');
          },
          { sleep },
        ),
      },
    ]);
    await router.push('/chaos');
    expect(router.currentRoute.value.name).toBe('chaos');
    expect(p.links.map((l) => l.href)).toEqual(['http://127.0.0.1:6443/assets/index-b.css']);
    // Raised during a route load: the router's retry handled it, no reload.
    expect(p.reloads).toEqual([]);
  });

  it('reloads (guarded) at the current route for a lazy component outside the router', () => {
    const p = page();
    routerOn(p.env, []);
    p.env.hash = '#/r/pods/shop/web-1';
    p.preloadError(fetchFailure('PodsSection-9.js'));
    expect(p.reloads).toEqual(['#/r/pods/shop/web-1']);
    p.preloadError(fetchFailure('PodsSection-9.js'));
    expect(p.reloads).toHaveLength(1);
    // A module that threw while evaluating is a bug, not a network blip.
    const q = page();
    routerOn(q.env, []);
    q.preloadError(new TypeError('x is not a function'));
    expect(q.reloads).toEqual([]);
  });
});

describe('isChunkLoadError', () => {
  it('knows the wordings of Chromium, Safari, Firefox and Vite', () => {
    expect(isChunkLoadError(fetchFailure('a.js'))).toBe(true);
    expect(isChunkLoadError(new TypeError('Importing a module script failed.'))).toBe(true);
    expect(isChunkLoadError(new TypeError('error loading dynamically imported module: http://x/a.js'))).toBe(true);
    expect(isChunkLoadError(new Error('Unable to preload CSS for http://x/a.css'))).toBe(true);
    expect(isChunkLoadError(new TypeError('Failed to fetch'))).toBe(false);
    expect(isChunkLoadError(new TypeError('undefined is not an object'))).toBe(false);
    expect(isChunkLoadError('Failed to fetch dynamically imported module')).toBe(false);
  });
});

// The first connect survives a transient failure (Chromium's net::ERR_NETWORK_CHANGED surfaces as
// "Failed to fetch"; a lab still starting answers 503) by trying again for a bounded time, while a
// refused token is an answer, not a blip.
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_STORAGE_KEY, type ConnectionEnvironment } from '../../../../renderer/api/connection';
import { CONNECT_RETRY_MS, useConnectionStore } from '../../../../renderer/stores/connection-store';

const ORIGIN = 'http://127.0.0.1:6443';

function environment(): ConnectionEnvironment & { stored: Map<string, string> } {
  const stored = new Map<string, string>();
  return {
    stored,
    location: { origin: ORIGIN, pathname: '/', search: '', hash: '#token=tok' },
    history: { state: null, replaceState: () => undefined },
    sessionStorage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v), removeItem: (k) => void stored.delete(k) },
  };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** The lab's answers: /version and the namespaces list. */
const healthy = (url: string): Response =>
  new URL(url).pathname === '/version' ? json({ gitVersion: 'v1.31.0-bosun' }) : json({ kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });

describe('connection store: first connect', () => {
  let requests: string[];
  let respond: (url: string) => Response;

  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
    requests = [];
    vi.stubGlobal('fetch', async (url: string) => {
      requests.push(new URL(url).pathname);
      return respond(url);
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const failToFetch = (): Response => {
    throw new TypeError('Failed to fetch');
  };

  it('retries "Failed to fetch" while saying connecting, then connects', async () => {
    let failures = 3;
    respond = (url) => (failures-- > 0 ? failToFetch() : healthy(url));
    const store = useConnectionStore();
    const done = store.connect(environment());
    await vi.advanceTimersByTimeAsync(0);
    expect(store.state).toBe('connecting');
    expect(store.retrying).toContain('cannot reach the Bosun API');
    expect(store.error).toBe('');
    await vi.advanceTimersByTimeAsync(5000);
    await done;
    expect(store.state).toBe('connected');
    expect(store.retrying).toBe('');
    expect(store.version).toBe('v1.31.0-bosun');
    expect(store.client).toBeDefined();
    expect(requests).toEqual(['/version', '/version', '/version', '/version', '/api/v1/namespaces']);
  });

  it('retries a 503 from a lab that is still starting', async () => {
    let failures = 1;
    respond = (url) => (failures-- > 0 ? json({ kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: 'starting' }, 503) : healthy(url));
    const store = useConnectionStore();
    const done = store.connect(environment());
    await vi.advanceTimersByTimeAsync(1000);
    await done;
    expect(store.state).toBe('connected');
  });

  it('does not retry a refused token (401): it forgets it and says so at once', async () => {
    respond = (url) => (new URL(url).pathname === '/version' ? healthy(url) : json({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }, 401));
    const env = environment();
    const store = useConnectionStore();
    await store.connect(env);
    expect(store.state).toBe('unauthorized');
    expect(requests).toEqual(['/version', '/api/v1/namespaces']);
    expect(env.stored.has(TOKEN_STORAGE_KEY)).toBe(false);
    await vi.advanceTimersByTimeAsync(CONNECT_RETRY_MS * 2);
    expect(requests).toHaveLength(2);
  });

  it('gives up after the bounded time and shows the error, then stays quiet', async () => {
    respond = failToFetch;
    const store = useConnectionStore();
    const started = Date.now();
    let settledAt = 0;
    void store.connect(environment()).then(() => (settledAt = Date.now()));
    await vi.advanceTimersByTimeAsync(CONNECT_RETRY_MS + 1000);
    expect(store.state).toBe('error');
    expect(store.error).toContain(`cannot reach the Bosun API at ${ORIGIN}: Failed to fetch`);
    expect(store.retrying).toBe('');
    expect(settledAt - started).toBeGreaterThan(CONNECT_RETRY_MS - 2500);
    expect(settledAt - started).toBeLessThanOrEqual(CONNECT_RETRY_MS);
    const attempts = requests.length;
    expect(attempts).toBeGreaterThan(5);
    expect(attempts).toBeLessThan(15);
    await vi.advanceTimersByTimeAsync(CONNECT_RETRY_MS);
    expect(requests).toHaveLength(attempts);
  });

  it('a new connect (the Retry button) replaces a retry loop instead of running next to it', async () => {
    respond = failToFetch;
    const store = useConnectionStore();
    void store.connect(environment());
    await vi.advanceTimersByTimeAsync(300);
    respond = healthy;
    requests = [];
    await store.connect(environment());
    expect(store.state).toBe('connected');
    await vi.advanceTimersByTimeAsync(CONNECT_RETRY_MS);
    expect(requests).toEqual(['/version', '/api/v1/namespaces']);
    expect(store.state).toBe('connected');
  });
});

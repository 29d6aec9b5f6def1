import { describe, expect, it } from 'vitest';
import { adoptTokenFromLocation, forgetToken, resolveConnection, TOKEN_STORAGE_KEY, type ConnectionEnvironment } from '../../../../renderer/api/connection';

function browserEnv(href: string, stored: Record<string, string> = {}) {
  const url = new URL(href);
  const storage = new Map(Object.entries(stored));
  const replaced: string[] = [];
  const env: ConnectionEnvironment = {
    location: { origin: url.origin, pathname: url.pathname, search: url.search, hash: url.hash },
    history: { state: null, replaceState: (_s: unknown, _t: string, u?: string | null) => void replaced.push(String(u)) },
    sessionStorage: {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    },
  };
  return { env, storage, replaced };
}

describe('renderer connection', () => {
  it('moves the token from the fragment to sessionStorage and erases it from the address bar', async () => {
    const { env, storage, replaced } = browserEnv('http://127.0.0.1:6443/?x=1#token=s3cr3t');
    const connection = await resolveConnection(env);
    expect(connection).toEqual({ apiUrl: 'http://127.0.0.1:6443', token: 's3cr3t' });
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe('s3cr3t');
    expect(replaced).toEqual(['/?x=1']);
    expect(replaced.join()).not.toContain('s3cr3t');
  });

  it('keeps other fragment parameters when removing the token', () => {
    const { env, replaced } = browserEnv('http://localhost:1234/#view=pods&token=abc');
    expect(adoptTokenFromLocation(env)).toBe('abc');
    expect(replaced).toEqual(['/#view=pods']);
  });

  it('uses the stored token after the fragment is gone (reload) and touches no history', async () => {
    const { env, replaced } = browserEnv('http://127.0.0.1:6443/', { [TOKEN_STORAGE_KEY]: 'kept' });
    expect(await resolveConnection(env)).toEqual({ apiUrl: 'http://127.0.0.1:6443', token: 'kept' });
    expect(replaced).toEqual([]);
  });

  it('has no connection without a token, and forgets a refused one', async () => {
    expect(await resolveConnection(browserEnv('http://127.0.0.1:6443/').env)).toBeUndefined();
    const { env, storage } = browserEnv('http://127.0.0.1:6443/', { [TOKEN_STORAGE_KEY]: 'old' });
    forgetToken(env);
    expect(storage.has(TOKEN_STORAGE_KEY)).toBe(false);
    expect(await resolveConnection(env)).toBeUndefined();
  });

  it('asks the Electron bridge when present and ignores the fragment', async () => {
    const { env, storage } = browserEnv('http://127.0.0.1:40000/#token=from-url');
    env.bosun = { connection: async () => ({ apiUrl: 'http://127.0.0.1:40000/', token: 'from-shell' }) };
    expect(await resolveConnection(env)).toEqual({ apiUrl: 'http://127.0.0.1:40000', token: 'from-shell' });
    expect(storage.size).toBe(0);
  });
});

// Where the dashboard finds the API and its token.
// - In a browser against `bosun serve`: the token arrives once in the URL fragment (`#token=...`),
//   which browsers never send to servers; it is moved to sessionStorage and erased from the address
//   bar at once so it does not linger in history, bookmarks or screenshots.
// - In Electron: the preload's `window.bosun.connection()` hands over URL and token.

export interface Connection {
  /** Base URL of the Kubernetes API, without a trailing slash. */
  apiUrl: string;
  token: string;
}

export interface BosunBridge {
  connection(): Promise<Connection>;
}

export const TOKEN_STORAGE_KEY = 'bosun.token';

/** Web Storage as this module uses it (structural, so tests and Node typechecks need no DOM lib). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The parts of `window` this module uses, so it can be exercised without a browser. */
export interface ConnectionEnvironment {
  location: { origin: string; pathname: string; search: string; hash: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string | null): void };
  sessionStorage: KeyValueStorage;
  bosun?: BosunBridge;
}

/** Takes `token` out of the fragment (keeping any other fragment parameters) and stores it. */
export function adoptTokenFromLocation(env: ConnectionEnvironment): string | undefined {
  const hash = env.location.hash.replace(/^#/, '');
  if (hash) {
    const params = new URLSearchParams(hash);
    const token = params.get('token');
    if (token !== null) {
      params.delete('token');
      const rest = params.toString();
      env.history.replaceState(env.history.state, '', `${env.location.pathname}${env.location.search}${rest ? `#${rest}` : ''}`);
      if (token) env.sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
    }
  }
  return env.sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
}

/** The connection to use, or undefined when no token is known (the page then explains how to get one). */
export async function resolveConnection(env: ConnectionEnvironment): Promise<Connection | undefined> {
  if (env.bosun) {
    const fromShell = await env.bosun.connection();
    return { apiUrl: fromShell.apiUrl.replace(/\/+$/, ''), token: fromShell.token };
  }
  const token = adoptTokenFromLocation(env);
  return token ? { apiUrl: env.location.origin, token } : undefined;
}

/** Forget a token the server refused, so a reload asks for a fresh Dashboard link. */
export function forgetToken(env: Pick<ConnectionEnvironment, 'sessionStorage'>): void {
  env.sessionStorage.removeItem(TOKEN_STORAGE_KEY);
}

// Pure URL rules of the Electron shell (no electron import, so they are unit-tested without Electron).
// The window only ever shows the lab's own dashboard; anything else a page tries to open goes to the
// user's browser, and only when it is a plain http(s) link.

/** An http(s) URL without embedded credentials, safe to hand to the OS browser; undefined otherwise. */
export function externalLinkTarget(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url.href;
}

/** Whether `raw` is a page of the lab itself (same scheme, host and port as the lab's API URL). */
export function isLabPage(raw: string, labUrl: string): boolean {
  try {
    return new URL(raw).origin === new URL(labUrl).origin;
  } catch {
    return false;
  }
}

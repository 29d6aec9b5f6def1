// The requests one dashboard action makes, taken from the API client's observer hook (learning mode).
import type { ApiClient, RequestRecord } from '../api/client';

/**
 * Runs `action` while recording the requests it makes on `client` (watches left out: they are the
 * dashboard's own background traffic, not part of the action).
 */
export async function recordRequests<T>(client: ApiClient, action: () => Promise<T>): Promise<{ result?: T; error?: unknown; requests: RequestRecord[] }> {
  const requests: RequestRecord[] = [];
  const stop = client.observe((r) => {
    if (!/[?&]watch=(1|true)/.test(r.path)) requests.push(r);
  });
  try {
    return { result: await action(), requests };
  } catch (error) {
    return { error, requests };
  } finally {
    stop();
  }
}

// Watch over HTTP as the apiserver streams it: 200 with chunked `application/json`, one
// `{"type":...,"object":...}` frame per line, flushed per event; an abnormal end is an ERROR event
// carrying a Status, then the stream closes. The watch stops when the client goes away, when
// timeoutSeconds elapse, or when a client reads so slowly that its backlog would grow without bound.
import type { ServerResponse } from 'node:http';
import type { WatchEvent } from '../../../shared/api/meta';
import type { ApiHandler, ApiRequest, ApiWatch } from '../types';
import { statusOf, writeError } from './respond';

/** Kubernetes' --min-request-timeout; watches without timeoutSeconds last between 1x and 2x of it. */
const MIN_REQUEST_TIMEOUT_SECONDS = 1800;
/** Unsent bytes a slow watcher may accumulate before it is cut off (it re-lists and re-watches). */
export const MAX_BACKLOG_BYTES = 16 * 1024 * 1024;

export function watchTimeoutMs(timeoutSeconds: string | undefined, random = Math.random): number {
  const requested = Number(timeoutSeconds);
  if (timeoutSeconds !== undefined && Number.isFinite(requested) && requested > 0) return requested * 1000;
  return Math.round(MIN_REQUEST_TIMEOUT_SECONDS * (1 + random()) * 1000);
}

export function serveWatch(handler: ApiHandler, request: ApiRequest, res: ServerResponse, onInternalError: (err: unknown) => void = () => {}): void {
  let ended = false;
  let watch: ApiWatch | undefined;
  let stopRequested = false;

  const startStream = (): void => {
    if (res.headersSent) return;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.socket?.setNoDelay(true);
  };
  const finish = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    if (watch) watch.stop();
    else stopRequested = true;
    if (!res.writableEnded) res.end();
  };
  const write = (event: WatchEvent | { type: 'ERROR'; object: unknown }): void => {
    if (ended) return;
    startStream();
    res.write(`${JSON.stringify(event)}\n`);
    if (res.writableLength > MAX_BACKLOG_BYTES) finish();
  };

  res.on('close', finish);
  const timer = setTimeout(finish, watchTimeoutMs(request.query?.timeoutSeconds));

  try {
    watch = handler.watch(
      request,
      (event) => write(event),
      (error) => {
        if (ended) return;
        if (error !== undefined) {
          if (statusOf(error).code >= 500) onInternalError(error);
          write({ type: 'ERROR', object: statusOf(error) });
        }
        finish();
      },
    );
  } catch (err) {
    if (statusOf(err).code >= 500) onInternalError(err);
    // Failing before the first event (unknown resource, bad selector...) is a plain error answer.
    if (!res.headersSent) {
      ended = true;
      clearTimeout(timer);
      writeError(res, err);
      return;
    }
    write({ type: 'ERROR', object: statusOf(err) });
    finish();
    return;
  }
  if (stopRequested) watch.stop();
  if (!ended) {
    startStream();
    // Send headers now: clients wait for them before treating the watch as established.
    res.flushHeaders();
  }
}

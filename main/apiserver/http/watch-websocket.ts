// Watch over WebSocket, as kube-apiserver serves it (handlers/watch.go HandleWS): a GET with `watch=1`
// and `Upgrade: websocket` gets one text message per watch event (the JSON event plus a newline, exactly
// the line the HTTP stream would carry). Browsers need this: each HTTP/1.1 watch holds one of the six
// connections a page may open to an origin, so a dashboard watching more kinds than that stalls.
//
// Sub-protocols: browsers cannot set an Authorization header on a WebSocket, so they offer the token as
// `base64url.bearer.authorization.k8s.io.<token>` (read by security.ts). The apiserver strips that entry
// before the handshake and echoes one remaining protocol (browsers fail a connection whose offered
// protocols get no echo), which is why browser clients add e.g. `base64.binary.k8s.io`. Watch messages
// are JSON text whatever that protocol is named. The token protocol itself is never echoed.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WatchEvent } from '../../../shared/api/meta';
import type { ApiHandler, ApiRequest, ApiWatch } from '../types';
import { statusOf } from './respond';
import { MAX_BACKLOG_BYTES, watchTimeoutMs } from './watch-stream';

const TOKEN_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** The protocol to echo: the first one offered that is not the bearer token; undefined when none is left. */
export function watchSubprotocol(header: string | string[] | undefined): string | undefined {
  const offered = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return offered[0];
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

type Frame = WatchEvent | { type: 'ERROR'; object: unknown };

/**
 * Starts the watch first, so a request the API refuses outright (unknown resource, bad selector) is
 * answered with a plain Status before any upgrade, as over HTTP; only then completes the handshake.
 * Throws (ApiError) in that case; the caller turns it into the HTTP answer.
 */
export function serveWatchWebSocket(
  handler: ApiHandler,
  request: ApiRequest,
  req: IncomingMessage,
  upgrade: { socket: Duplex; head: Buffer },
  onInternalError: (err: unknown) => void = () => {},
): void {
  let socket: WebSocket | undefined;
  let ended = false;
  let closeError: unknown;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Replaced once the watch exists; finish() may run before that.
  let stopWatch: () => void = () => {};
  // Events that arrive while the handshake is still being written.
  const pending: string[] = [];

  const finish = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    stopWatch();
    if (socket && socket.readyState === socket.OPEN) socket.close(1000);
  };
  const send = (frame: Frame): void => {
    if (ended) return;
    const text = `${JSON.stringify(frame)}\n`;
    if (!socket) return void pending.push(text);
    socket.send(text);
    // A client that reads too slowly is cut off; it re-lists and watches again.
    if (socket.bufferedAmount > MAX_BACKLOG_BYTES) finish();
  };
  const onClose = (error?: unknown): void => {
    if (ended) return;
    if (error !== undefined) {
      if (statusOf(error).code >= 500) onInternalError(error);
      send({ type: 'ERROR', object: statusOf(error) });
    }
    if (socket) finish();
    else closeError = error ?? null;
  };

  // A synchronous throw here propagates to the caller before anything was written.
  const watch: ApiWatch = handler.watch(request, (event) => send(event), onClose);
  stopWatch = () => watch.stop();
  // A handshake that fails (ws answers 400 itself and drops the socket) must not leave the watch running.
  upgrade.socket.once('close', () => {
    if (!socket) finish();
  });

  const protocol = watchSubprotocol(req.headers['sec-websocket-protocol']);
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => protocol ?? false });
  server.handleUpgrade(req, upgrade.socket, upgrade.head, (ws) => {
    socket = ws;
    // The client has nothing to say on a watch (the apiserver ignores what it sends); closing ends it.
    ws.on('message', () => {});
    ws.on('close', finish);
    ws.on('error', finish);
    for (const text of pending.splice(0)) ws.send(text);
    if (closeError !== undefined) return finish();
    timer = setTimeout(finish, watchTimeoutMs(request.query?.timeoutSeconds));
  });
}

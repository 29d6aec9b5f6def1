// Watch over WebSocket, as the apiserver serves it to browsers: each message is one JSON watch event.
// Every streaming HTTP/1.1 watch holds one of the six connections a browser allows per origin, so a
// dashboard with more than five live kinds would stall its own API calls; WebSockets are not counted
// against that limit. Browsers cannot set an Authorization header on a WebSocket, so the token travels
// as the `base64url.bearer.authorization.k8s.io.<token>` sub-protocol; the server strips it and echoes
// the other protocol offered (a browser fails a connection whose offered protocols get no echo).
import { ApiError } from '../../shared/api/errors';
import type { Status, WatchEvent } from '../../shared/api/meta';

/** The part of the browser's WebSocket this module uses (structural: no DOM lib needed, `ws` fits). */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';
/** Offered next to the token so that the server has a protocol to echo. */
export const WATCH_PROTOCOL = 'base64.binary.k8s.io';

/** Unpadded base64url of a UTF-8 string (sub-protocol tokens forbid `/`, `+` and `=`). */
export function base64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function bearerProtocol(token: string): string {
  return `${BEARER_PROTOCOL_PREFIX}${base64Url(token)}`;
}

/** `http(s)://host/path` → `ws(s)://host/path`. */
export function webSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):/i, 'ws$1:');
}

export interface SocketWatchCallbacks {
  onEvent(event: WatchEvent): void;
  /** The watch ended after it was established: cleanly (no error) or with an ERROR event's Status. */
  onClose(error?: ApiError): void;
  /** The connection never opened (the upgrade was refused or is not supported): try plain HTTP. */
  onUnavailable(): void;
  /** The upgrade was accepted: the server does serve watches over WebSocket. */
  onOpen?(): void;
}

function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data as Uint8Array);
  return String(data);
}

/** Opens one watch over WebSocket; the returned function stops it (no callback follows a stop). */
export function watchOverWebSocket(Socket: WebSocketConstructor, url: string, token: string, callbacks: SocketWatchCallbacks): () => void {
  let opened = false;
  let done = false;
  const socket = new Socket(webSocketUrl(url), [bearerProtocol(token), WATCH_PROTOCOL]);
  socket.binaryType = 'arraybuffer';
  const end = (error?: ApiError): void => {
    if (done) return;
    done = true;
    callbacks.onClose(error);
  };
  socket.onopen = () => {
    opened = true;
    if (!done) callbacks.onOpen?.();
  };
  socket.onmessage = (message) => {
    if (done) return;
    // One event per message; the server ends each with a newline, which JSON.parse ignores.
    for (const line of textOf(message.data).split('\n')) {
      if (!line.trim()) continue;
      let event: WatchEvent;
      try {
        event = JSON.parse(line) as WatchEvent;
      } catch (e) {
        end(new ApiError(500, 'InternalError', `watch failed: unreadable event: ${(e as Error).message}`));
        socket.close();
        return;
      }
      if (event.type === 'ERROR') {
        end(ApiError.fromStatus(event.object as unknown as Status));
        socket.close();
        return;
      }
      callbacks.onEvent(event);
      if (done) return;
    }
  };
  socket.onerror = () => {
    // A close event always follows; the decision is made there.
  };
  socket.onclose = () => {
    if (done) return;
    if (!opened) {
      done = true;
      callbacks.onUnavailable();
      return;
    }
    end();
  };
  return () => {
    done = true;
    socket.onmessage = null;
    if (socket.readyState <= 1) socket.close(1000);
  };
}

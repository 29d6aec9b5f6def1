// Streaming subresources (pods/log with follow, pods/exec|attach over WebSocket, portforward) are owned
// by the kubelet side; they plug in here so the HTTP layer keeps one place for auth and routing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../../../shared/api/errors';
import type { ApiRequest } from '../types';

export interface ConnectInfo {
  /** The parsed request (verb, namespace, name, subresource, query), already authenticated. */
  request: ApiRequest;
  /** Present when the client asked to upgrade the connection (WebSocket or SPDY). */
  upgrade?: { socket: Duplex; head: Buffer };
}

/**
 * Handles one streaming request. Without `info.upgrade`, write to `res`; with it, `res` is undefined and
 * the handler owns the socket (see acceptWebSocket). Throwing an ApiError before writing anything turns
 * into a Status answer.
 */
export type ConnectHandler = (req: IncomingMessage, res: ServerResponse | undefined, info: ConnectInfo) => void | Promise<void>;

export class ConnectRegistry {
  private handlers = new Map<string, ConnectHandler>();

  private static key(group: string, resource: string, subresource: string): string {
    return `${group}/${resource}/${subresource}`;
  }

  register(group: string, resource: string, subresource: string, handler: ConnectHandler): void {
    this.handlers.set(ConnectRegistry.key(group, resource, subresource), handler);
  }

  lookup(group: string, resource: string, subresource: string | undefined): ConnectHandler | undefined {
    return subresource === undefined ? undefined : this.handlers.get(ConnectRegistry.key(group, resource, subresource));
  }

  /** Subresources registered for a resource, for discovery. */
  subresources(group: string, resource: string): string[] {
    const prefix = `${group}/${resource}/`;
    return [...this.handlers.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }
}

/** Stream protocols of `kubectl exec/attach` over WebSocket, newest first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/**
 * Completes a WebSocket handshake for a connect handler, choosing the first of `protocols` the client
 * offers (the token subprotocol is never echoed back). Rejects with 400 when none is offered.
 */
export function acceptWebSocket(req: IncomingMessage, upgrade: { socket: Duplex; head: Buffer }, protocols: string[] = EXEC_PROTOCOLS): Promise<{ socket: WebSocket; protocol: string }> {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const protocol = protocols.find((p) => offered.includes(p));
  if (!protocol || String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    return Promise.reject(ApiError.badRequest(`unable to upgrade connection: expected a WebSocket with one of the protocols ${protocols.join(', ')}`));
  }
  return new Promise((resolve) => {
    const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => protocol });
    server.handleUpgrade(req, upgrade.socket, upgrade.head, (socket) => resolve({ socket, protocol }));
  });
}

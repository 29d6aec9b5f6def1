// The apiserver's HTTP face: binds to 127.0.0.1 only, authenticates every API request with the lab's
// bearer token, refuses foreign Hosts and Origins, and translates HTTP into ApiRequests for the
// ApiHandler (the same handler the in-process client uses, so both paths share all semantics).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../../shared/api/errors';
import { defaultVersionInfo, type VersionInfo } from '../discovery/version';
import type { ApiHandler, ApiRequest, ResourceDef } from '../types';
import { ConnectRegistry, type ConnectHandler } from './connect';
import { type DocumentContext, isHealthPath, serveDiscovery, serveHealth, serveOpenApi, serveVersion } from './documents';
import { findResource, methodNotAllowed, notFound, queryOf, serveResource } from './resource-requests';
import { parseApiPath } from './routing';
import { rawStatusResponse, statusOf, writeError } from './respond';
import { authenticate, checkHost, checkOrigin, ownOrigins } from './security';
import { serveStatic } from './static-files';
import { generateServingCertificate, type ServingCertificate } from './tls-certificate';
import { isWebSocketUpgrade, serveWatchWebSocket } from './watch-websocket';

export type { ConnectHandler, ConnectInfo } from './connect';
export { acceptWebSocket, EXEC_PROTOCOLS } from './connect';

export interface RequestLogEntry {
  method: string;
  /** Path only: query strings may carry selectors but never bodies or tokens, and are left out anyway. */
  path: string;
  code: number;
  ms: number;
}

export interface HttpLogger {
  /** One line per finished request. Bodies and tokens are never passed here. */
  request?(entry: RequestLogEntry): void;
  /** Unexpected failures (answered as 500 Status); carries the stack the client never sees. */
  error?(message: string, error: unknown): void;
}

export interface ApiHttpServerOptions {
  handler: ApiHandler;
  resources: ResourceDef[];
  token: string;
  /** 0 picks any free port. */
  port: number;
  host?: '127.0.0.1';
  /** Built dashboard (index.html + assets/); absent → a page explaining how to build it. */
  staticDir?: string;
  version?: Partial<VersionInfo>;
  logger?: HttpLogger;
  /** Extra browser origins allowed besides this server's own (e.g. a dev server of the dashboard). */
  allowedOrigins?: string[];
  /** User name requests are attributed to (the lab has one admin user). */
  user?: string;
  /** `/readyz` answers 500 until this returns true. */
  isReady?: () => boolean;
  /**
   * TLS on the same port (connections starting with a TLS handshake get HTTPS). kubectl only sends a
   * bearer token over https, so this is on by default with a fresh self-signed certificate; pass a
   * persisted one to keep kubeconfigs valid across restarts, or false for plain HTTP only.
   */
  tls?: ServingCertificate | false;
}

export interface ApiHttpServer {
  port: number;
  /** Plain HTTP base URL (the dashboard in a browser, client-node, tests). */
  url: string;
  /** HTTPS base URL on the same port (kubectl), when TLS is on. */
  httpsUrl?: string;
  /** PEM certificate served for HTTPS; clients trust it as their CA (kubeconfig certificate-authority-data). */
  caCertificate?: string;
  close(): Promise<void>;
  /** Plug in a streaming subresource (pods/log follow, pods/exec|attach WebSocket, pods/portforward). */
  registerConnect(group: string, resource: string, subresource: string, handler: ConnectHandler): void;
}

/** First path segments that are never dashboard routes. */
const RESERVED_ROOTS = new Set(['api', 'apis', 'openapi', 'version', 'healthz', 'livez', 'readyz', 'metrics', 'logs', 'debug', 'swagger.json', '.well-known']);

function rawPath(requestUrl: string): string {
  const end = requestUrl.search(/[?#]/);
  return end < 0 ? requestUrl : requestUrl.slice(0, end);
}

function firstSegment(pathname: string): string {
  return pathname.split('/').filter(Boolean)[0] ?? '';
}

function acceptsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/.test(String(req.headers.accept ?? ''));
}

function portInUse(host: string, port: number): Error {
  return new Error(`port ${port} on ${host} is already in use; pick another with --port or stop the other process`);
}

export function startApiHttpServer(options: ApiHttpServerOptions): Promise<ApiHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const connect = new ConnectRegistry();
  const logger = options.logger ?? {};
  const version = defaultVersionInfo(options.version);
  const user = options.user ?? 'admin';
  let port = options.port;
  let origins = ownOrigins(port, options.allowedOrigins);

  const docs: DocumentContext = {
    resources: options.resources,
    extra: (group, resource) => connect.subresources(group, resource),
    version,
    get serverAddress() {
      return `${host}:${port}`;
    },
    isReady: options.isReady ?? (() => true),
  };
  const internalError = (err: unknown): void => logger.error?.('internal error while serving an API request', err);

  /** Host, Origin and token checks shared by plain requests and upgrades. Throws ApiError. */
  const admit = (req: IncomingMessage, pathname: string): void => {
    checkHost(req.headers.host);
    checkOrigin(req.headers.origin, origins);
    if (isHealthPath(pathname) || pathname === '/version') return;
    authenticate(req, options.token);
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    // The raw path, not url.pathname: WHATWG URL parsing resolves `%2e%2e` into a real `..` and would let
    // `/namespaces/%2e%2e/configmaps` become a cluster-wide list. Go's apiserver sees the raw segments.
    const pathname = rawPath(req.url ?? '/');
    checkHost(req.headers.host);
    checkOrigin(req.headers.origin, origins);
    // No CORS: a preflight never succeeds, so browsers never send cross-origin writes.
    if (method === 'OPTIONS') throw methodNotAllowed();
    const readOnly = method === 'GET' || method === 'HEAD';
    if (isHealthPath(pathname)) {
      if (!readOnly) throw methodNotAllowed();
      return serveHealth(res, url, docs);
    }
    if (pathname === '/version') {
      if (!readOnly) throw methodNotAllowed();
      return serveVersion(req, res, docs);
    }
    const root = firstSegment(pathname);
    if (readOnly && !RESERVED_ROOTS.has(root)) {
      // Dashboard files need no token; client-side routes fall back to index.html for browser navigations.
      if (await serveStatic(req, res, options.staticDir, pathname, acceptsHtml(req))) return;
    }
    authenticate(req, options.token);
    if (root === 'api' || root === 'apis') {
      const parsed = parseApiPath(method, pathname, url.searchParams.get('watch'));
      switch (parsed.type) {
        case 'resource':
          return serveResource(req, res, url, parsed.info, { handler: options.handler, resources: options.resources, connect, user, onInternalError: internalError });
        case 'method-not-allowed':
          throw methodNotAllowed();
        case 'bad-request':
          throw ApiError.badRequest(parsed.message);
        case 'not-found':
          throw notFound();
        default:
          if (!readOnly) throw methodNotAllowed();
          return serveDiscovery(req, res, parsed, docs);
      }
    }
    if (root === 'openapi') {
      if (!readOnly) throw methodNotAllowed();
      return serveOpenApi(req, res, pathname, docs);
    }
    throw notFound();
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.once('close', () => logger.request?.({ method: req.method ?? '', path: url.pathname, code: res.statusCode, ms: Date.now() - started }));
    dispatch(req, res, url).catch((err) => {
      if (statusOf(err).code >= 500) internalError(err);
      if (res.headersSent) return void res.destroy();
      // The body may still be arriving (413, 415, 401 before reading): do not keep the connection.
      if (!req.complete) res.setHeader('Connection', 'close');
      writeError(res, err);
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reject = (err: unknown): void => {
      if (statusOf(err).code >= 500) internalError(err);
      if (socket.writable) socket.end(rawStatusResponse(err));
      else socket.destroy();
      logger.request?.({ method: req.method ?? '', path: url.pathname, code: statusOf(err).code, ms: Date.now() - started });
    };
    try {
      admit(req, rawPath(req.url ?? '/'));
      const parsed = parseApiPath(req.method ?? 'GET', rawPath(req.url ?? '/'), url.searchParams.get('watch'));
      if (parsed.type !== 'resource') throw notFound();
      const info = parsed.info;
      if (info.verb === 'watch') {
        // Watch over WebSocket (browsers: one connection per watch would exhaust the six per origin).
        const def = findResource(options.resources, info);
        if (!def || info.subresource !== undefined || !isWebSocketUpgrade(req)) throw notFound();
        const request: ApiRequest = { ...info, query: queryOf(url, info), user };
        if (!def.namespaced) delete request.namespace;
        serveWatchWebSocket(options.handler, request, req, { socket, head }, internalError);
        logger.request?.({ method: req.method ?? '', path: url.pathname, code: 101, ms: Date.now() - started });
        return;
      }
      const handler = connect.lookup(info.group, info.resource, info.subresource);
      if (!handler) throw notFound();
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const request = { ...info, query, user };
      logger.request?.({ method: req.method ?? '', path: url.pathname, code: 101, ms: Date.now() - started });
      Promise.resolve(handler(req, undefined, { request, upgrade: { socket, head } })).catch(reject);
    } catch (err) {
      reject(err);
    }
  };

  const tls = options.tls === false ? undefined : (options.tls ?? generateServingCertificate());
  // Bytes that do not parse as HTTP (bad framing, oversized headers, a body sent without Content-Length)
  // still get a Status, not Node's bare "400 Bad Request", and the connection closes. When an answer to
  // an earlier request on the socket is still being prepared, that answer goes first and then the
  // connection closes: writing raw bytes now would interleave with it.
  const answerMalformedRequest = (err: Error & { code?: string }, socket: Duplex): void => {
    const pending = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (pending && !pending.writableEnded) {
      pending.shouldKeepAlive = false;
      return;
    }
    if (!socket.writable) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge
      ? new ApiError(431, 'BadRequest', 'request headers too large')
      : ApiError.badRequest(`malformed HTTP request (${err.code ?? 'parse error'}): a body needs Content-Length or chunked Transfer-Encoding`);
    socket.end(rawStatusResponse(status));
  };
  // Our own Host check answers a missing Host with a Status; Node's built-in one sends a bare 400.
  const httpServer = createServer({ requireHostHeader: false }, onRequest);
  const httpsServer = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, requireHostHeader: false }, onRequest) : undefined;
  for (const server of [httpServer, httpsServer]) {
    if (!server) continue;
    server.on('upgrade', onUpgrade);
    server.on('clientError', answerMalformedRequest);
    // Headers must arrive promptly, but watches and streams may stay open for hours.
    server.headersTimeout = 60_000;
    server.requestTimeout = 0;
  }

  // One port, two protocols: a connection whose first byte starts a TLS handshake (0x16) goes to the
  // HTTPS server, anything else to plain HTTP. Every raw socket is tracked so close() ends them all.
  const sockets = new Set<Socket>();
  const dispatchConnection = (socket: Socket): void => {
    const first: Buffer | null = socket.read(1);
    if (first === null) return void socket.once('readable', () => dispatchConnection(socket));
    // From here on the HTTP(S) server owns timeouts; the sniffing deadline no longer applies.
    socket.setTimeout(0);
    socket.off('timeout', destroyIdle);
    socket.unshift(first);
    (first[0] === 0x16 && httpsServer ? httpsServer : httpServer).emit('connection', socket);
  };
  function destroyIdle(this: Socket): void {
    this.destroy();
  }
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // A connection that never sends a byte must not be held forever.
    socket.setTimeout(60_000);
    socket.on('timeout', destroyIdle);
    dispatchConnection(socket);
  });

  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      front.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(portInUse(host, options.port));
      else if (err.code === 'EACCES') reject(new Error(`not allowed to listen on port ${options.port} on ${host}; pick a port above 1023 with --port`));
      else reject(err);
    };
    const onListening = (): void => {
      front.off('error', onError);
      port = (front.address() as { port: number }).port;
      origins = ownOrigins(port, [...(tls ? [`https://127.0.0.1:${port}`, `https://localhost:${port}`] : []), ...(options.allowedOrigins ?? [])]);
      resolve({
        port,
        url: `http://${host}:${port}`,
        httpsUrl: tls ? `https://${host}:${port}` : undefined,
        caCertificate: tls?.cert,
        registerConnect: (group, resource, subresource, handler) => connect.register(group, resource, subresource, handler),
        close: () =>
          new Promise<void>((done) => {
            front.close(() => done());
            httpServer.closeAllConnections();
            httpsServer?.closeAllConnections();
            for (const socket of sockets) socket.destroy();
          }),
      });
    };
    front.once('error', onError);
    front.once('listening', onListening);
    front.listen({ port: options.port, host, exclusive: true });
  });
}

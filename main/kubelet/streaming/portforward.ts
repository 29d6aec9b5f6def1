// pods/portforward (portforward.k8s.io): per forwarded connection the client opens an "error" and a
// "data" stream sharing a requestID and naming the container port; we connect that port through the
// pod sandbox's port published on 127.0.0.1 (the host never assumes it can reach a pod IP), copy bytes
// both ways, and report failures on the error stream in the kubelet's words.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../../shared/api/errors';
import type { Pod } from '../../../shared/api/pod';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConnectHandler } from '../../apiserver/http/connect';
import { RuntimeLabels, type PublishedPort } from '../../runtime/runtime';
import { getPod, runtimeFor, type StreamingBackend } from './pod-containers';
import { acceptSpdy, offeredStreamProtocols, SpdySession, type SpdyStream } from './spdy';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** kubectl 1.31+ tunnels SPDY through a WebSocket under this subprotocol. */
export const PORT_FORWARD_WEBSOCKET_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

/** The sandbox's published ports: containerPort → 127.0.0.1 host port. */
async function publishedPorts(backend: StreamingBackend, pod: Pod): Promise<PublishedPort[]> {
  const runtime = runtimeFor(backend, pod);
  const sandboxes = await runtime.listContainers({ [RuntimeLabels.podUid]: pod.metadata?.uid ?? '', [RuntimeLabels.container]: 'POD' });
  const sandbox = sandboxes.find((s) => s.state === 'running');
  if (!sandbox) throw ApiError.badRequest(`pod ${pod.metadata?.name} has no running sandbox on node "${pod.spec?.nodeName}"`);
  return (await runtime.inspectContainer(sandbox.id))?.ports ?? sandbox.ports ?? [];
}

function forward(pod: Pod, ports: PublishedPort[], errorStream: SpdyStream, dataStream: SpdyStream, buffered: Buffer[]): void {
  const port = Number(dataStream.headers.port);
  const fail = (message: string): void => {
    errorStream.write(Buffer.from(`error forwarding port ${port} to pod ${pod.metadata?.uid}, uid : ${message}`));
    errorStream.end();
    dataStream.end();
  };
  const published = ports.find((p) => p.containerPort === port && p.protocol === 'TCP');
  if (!published) {
    const known = ports.map((p) => p.containerPort).join(', ') || 'none';
    return fail(`port ${port} is not published by the pod's sandbox (published: ${known}); declare it as a containerPort of a container in pod ${pod.metadata?.name}`);
  }
  const socket: Socket = connect(published.hostPort, published.hostIP && published.hostIP !== '0.0.0.0' ? published.hostIP : '127.0.0.1');
  let connected = false;
  socket.on('connect', () => {
    connected = true;
    for (const chunk of buffered.splice(0)) socket.write(chunk);
    if (dataStream.remoteClosed) socket.end();
  });
  socket.on('data', (d: Buffer) => dataStream.write(d));
  socket.on('end', () => dataStream.end());
  socket.on('error', (e) => (connected ? dataStream.reset() : fail(`dial tcp 127.0.0.1:${published.hostPort}: ${e.message}`)));
  socket.on('close', () => errorStream.end());
  dataStream.removeAllListeners('data');
  dataStream.on('data', (d: Buffer) => (connected ? socket.write(d) : buffered.push(d)));
  dataStream.on('end', () => connected && socket.end());
  dataStream.on('reset', () => socket.destroy());
}

function serveSession(session: SpdySession, pod: Pod, ports: PublishedPort[]): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream; buffered: Buffer[] }>();
  // A broken frame ends the session (GOAWAY); kubectl then reports "lost connection to pod".
  session.on('error', () => undefined);
  session.on('stream', (stream: SpdyStream) => {
    const requestId = stream.headers.requestid ?? '';
    const type = stream.headers.streamtype;
    if ((type !== 'error' && type !== 'data') || !/^\d+$/.test(stream.headers.port ?? '')) return stream.reset();
    const pair = pairs.get(requestId) ?? { buffered: [] };
    pairs.set(requestId, pair);
    pair[type] = stream;
    // Bytes may arrive before the pair is complete; keep them for the connection.
    if (type === 'data') stream.on('data', (d: Buffer) => pair.buffered.push(d));
    if (pair.error && pair.data) {
      pairs.delete(requestId);
      forward(pod, ports, pair.error, pair.data, pair.buffered);
    }
  });
}

/**
 * The WebSocket handshake for the SPDY tunnel. `SPDY/3.1+portforward.k8s.io` is not a valid RFC 7230
 * token (the `/`), which the ws library rejects, so the offer is checked here and the header is
 * swapped for a placeholder during the handshake; the answer still names the real protocol.
 */
function acceptTunnel(req: IncomingMessage, upgrade: { socket: Duplex; head: Buffer }): Promise<WebSocket> {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(PORT_FORWARD_WEBSOCKET_PROTOCOL)) {
    return Promise.reject(ApiError.badRequest(`unable to upgrade connection: expected a WebSocket with the protocol ${PORT_FORWARD_WEBSOCKET_PROTOCOL}`));
  }
  req.headers['sec-websocket-protocol'] = 'portforward';
  return new Promise((resolve) => {
    const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => PORT_FORWARD_WEBSOCKET_PROTOCOL });
    server.handleUpgrade(req, upgrade.socket, upgrade.head, (socket) => resolve(socket));
  });
}

export function podPortForwardHandler(backend: StreamingBackend): ConnectHandler {
  return async (req, _res, info) => {
    if (!info.upgrade) throw ApiError.badRequest('Upgrade request required');
    const pod = await getPod(backend.client, info.request.namespace, info.request.name);
    if (pod.status?.phase !== 'Running') throw ApiError.badRequest(`unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Pending'}`);
    const ports = await publishedPorts(backend, pod);
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      const socket = await acceptTunnel(req, info.upgrade);
      const session = new SpdySession({ write: (frame) => socket.send(frame, { binary: true }), close: () => socket.close(1000) });
      socket.on('message', (data: Buffer) => session.receive(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)));
      socket.on('close', () => session.transportClosed());
      socket.on('error', () => undefined);
      return serveSession(session, pod, ports);
    }
    if (upgrade.startsWith('spdy/3.1') && offeredStreamProtocols(req.headers['x-stream-protocol-version']).includes(PORT_FORWARD_PROTOCOL)) {
      return serveSession(acceptSpdy(info.upgrade.socket, info.upgrade.head, PORT_FORWARD_PROTOCOL), pod, ports);
    }
    throw ApiError.badRequest(`unable to upgrade connection: pods/portforward speaks ${PORT_FORWARD_PROTOCOL} over SPDY/3.1 or WebSocket (${PORT_FORWARD_WEBSOCKET_PROTOCOL})`);
  };
}

// pods/exec and pods/attach over WebSocket (kubectl 1.30+ offers v5.channel.k8s.io) or SPDY/3.1
// (older kubectl: v4…v1). Everything that can fail is checked before the upgrade, so kubectl prints a
// Status, not a broken stream.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../../shared/api/errors';
import { acceptWebSocket, type ConnectHandler, type ConnectInfo } from '../../apiserver/http/connect';
import type { ExecSession } from '../../runtime/runtime';
import { bridgeSession, type StreamOptions, type StreamOutcome } from './channel-protocol';
import { bridgeSpdySession, SPDY_REMOTE_COMMAND_PROTOCOLS } from './exec-spdy';
import { getPod, runningInstance, runtimeFor, selectContainer, type StreamingBackend } from './pod-containers';
import { acceptSpdy, offeredStreamProtocols } from './spdy';

/** WebSocket stream protocols served, newest first (the client's order does not matter). */
export const REMOTE_COMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

const flag = (params: URLSearchParams, name: string): boolean => ['true', '1'].includes(params.get(name) ?? '');

/** Query of an exec/attach request; `command` repeats, which the parsed query map cannot hold. */
export function parseStreamRequest(req: IncomingMessage): StreamOptions & { container?: string; command: string[] } {
  const params = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
  const tty = flag(params, 'tty');
  return {
    container: params.get('container') || undefined,
    command: params.getAll('command'),
    stdin: flag(params, 'stdin'),
    stdout: flag(params, 'stdout'),
    // With a TTY the terminal merges stderr into stdout (the kubelet drops stderr the same way).
    stderr: flag(params, 'stderr') && !tty,
    tty,
  };
}

/** Checks everything that can be checked before the upgrade; `open` then starts the runtime session. */
type Prepare = (backend: StreamingBackend, info: ConnectInfo, request: ReturnType<typeof parseStreamRequest>) => Promise<() => Promise<ExecSession>>;

function streamingHandler(backend: StreamingBackend, kind: 'exec' | 'attach', prepare: Prepare): ConnectHandler {
  return async (req, _res, info) => {
    const request = parseStreamRequest(req);
    if (!request.stdin && !request.stdout && !request.stderr) throw ApiError.badRequest('you must specify at least 1 of stdin, stdout, stderr');
    if (!info.upgrade) throw ApiError.badRequest('Upgrade request required');
    const open = await prepare(backend, info, request);
    const finish = (exitCode: number): StreamOutcome => (kind === 'exec' ? { exitCode, command: request.command } : { exitCode: 0 });
    const upgradeTo = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgradeTo.startsWith('spdy/3.1')) {
      const offered = offeredStreamProtocols(req.headers['x-stream-protocol-version']);
      const protocol = SPDY_REMOTE_COMMAND_PROTOCOLS.find((p) => offered.includes(p));
      if (!protocol) throw ApiError.badRequest(`unable to upgrade connection: pods/${kind} over SPDY speaks ${SPDY_REMOTE_COMMAND_PROTOCOLS.join(', ')}`);
      return bridgeSpdySession(acceptSpdy(info.upgrade.socket, info.upgrade.head, protocol), protocol, request, open, finish);
    }
    if (upgradeTo !== 'websocket') throw ApiError.badRequest(`unable to upgrade connection: pods/${kind} needs a WebSocket or SPDY/3.1 upgrade`);
    const session = await open();
    let upgraded;
    try {
      upgraded = await acceptWebSocket(req, info.upgrade, REMOTE_COMMAND_PROTOCOLS);
    } catch (e) {
      session.kill();
      throw e;
    }
    await bridgeSession(upgraded.socket, upgraded.protocol, request, session, finish);
  };
}

const prepareExec: Prepare = async (backend, info, request) => {
  if (request.command.length === 0) throw ApiError.badRequest('you must specify at least one command for the container');
  const pod = await getPod(backend.client, info.request.namespace, info.request.name);
  const container = selectContainer(pod, request.container);
  const runtime = runtimeFor(backend, pod);
  const instance = await runningInstance(runtime, pod, container);
  return () => runtime.execInteractive(instance.id, request.command, { tty: request.tty, stdin: request.stdin });
};

const prepareAttach: Prepare = async (backend, info, request) => {
  const pod = await getPod(backend.client, info.request.namespace, info.request.name);
  const container = selectContainer(pod, request.container);
  const runtime = runtimeFor(backend, pod);
  const instance = await runningInstance(runtime, pod, container);
  const attach = runtime.attachContainer?.bind(runtime);
  if (!attach) throw ApiError.badRequest(`attach is not supported by the ${runtime.kind} runtime of node "${pod.spec?.nodeName}"`);
  return () => attach(instance.id, { tty: request.tty, stdin: request.stdin });
};

export const podExecHandler = (backend: StreamingBackend): ConnectHandler => streamingHandler(backend, 'exec', prepareExec);
export const podAttachHandler = (backend: StreamingBackend): ConnectHandler => streamingHandler(backend, 'attach', prepareAttach);

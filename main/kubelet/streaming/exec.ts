// pods/exec and pods/attach over WebSocket (kubectl 1.30+ offers v5.channel.k8s.io, older clients
// v4…v1). Everything that can fail is checked before the upgrade, so kubectl prints a Status, not a
// broken stream.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../../shared/api/errors';
import { acceptWebSocket, type ConnectHandler, type ConnectInfo } from '../../apiserver/http/connect';
import type { ExecSession } from '../../runtime/runtime';
import { bridgeSession, type StreamOptions } from './channel-protocol';
import { getPod, runningInstance, runtimeFor, selectContainer, type StreamingBackend } from './pod-containers';

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

type SessionFactory = (backend: StreamingBackend, info: ConnectInfo, request: ReturnType<typeof parseStreamRequest>) => Promise<{ session: ExecSession; command?: string[] }>;

function streamingHandler(backend: StreamingBackend, kind: 'exec' | 'attach', open: SessionFactory): ConnectHandler {
  return async (req, _res, info) => {
    const request = parseStreamRequest(req);
    if (!request.stdin && !request.stdout && !request.stderr) throw ApiError.badRequest('you must specify at least 1 of stdin, stdout, stderr');
    if (!info.upgrade) throw ApiError.badRequest('Upgrade request required');
    const upgradeTo = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgradeTo !== 'websocket') {
      throw ApiError.badRequest(`unable to upgrade connection: pods/${kind} speaks WebSocket (${REMOTE_COMMAND_PROTOCOLS.join(', ')}); SPDY is not supported, use kubectl 1.30 or newer`);
    }
    const { session, command } = await open(backend, info, request);
    let upgraded;
    try {
      upgraded = await acceptWebSocket(req, info.upgrade, REMOTE_COMMAND_PROTOCOLS);
    } catch (e) {
      session.kill();
      throw e;
    }
    await bridgeSession(upgraded.socket, upgraded.protocol, request, session, (exitCode) => (kind === 'exec' ? { exitCode, command } : { exitCode: 0 }));
  };
}

const openExec: SessionFactory = async (backend, info, request) => {
  if (request.command.length === 0) throw ApiError.badRequest('you must specify at least one command for the container');
  const pod = await getPod(backend.client, info.request.namespace, info.request.name);
  const container = selectContainer(pod, request.container);
  const runtime = runtimeFor(backend, pod);
  const instance = await runningInstance(runtime, pod, container);
  const session = await runtime.execInteractive(instance.id, request.command, { tty: request.tty, stdin: request.stdin });
  return { session, command: request.command };
};

const openAttach: SessionFactory = async (backend, info, request) => {
  const pod = await getPod(backend.client, info.request.namespace, info.request.name);
  const container = selectContainer(pod, request.container);
  const runtime = runtimeFor(backend, pod);
  const instance = await runningInstance(runtime, pod, container);
  if (!runtime.attachContainer) throw ApiError.badRequest(`attach is not supported by the ${runtime.kind} runtime of node "${pod.spec?.nodeName}"`);
  return { session: await runtime.attachContainer(instance.id, { tty: request.tty, stdin: request.stdin }) };
};

export const podExecHandler = (backend: StreamingBackend): ConnectHandler => streamingHandler(backend, 'exec', openExec);
export const podAttachHandler = (backend: StreamingBackend): ConnectHandler => streamingHandler(backend, 'attach', openAttach);

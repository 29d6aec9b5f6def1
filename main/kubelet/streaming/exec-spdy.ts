// exec/attach over SPDY (kubectl before 1.30, and newer ones when the WebSocket upgrade fails): the
// client opens one SPDY stream per channel, named by the `streamtype` header (error, stdin, stdout,
// stderr, resize). As the kubelet does, we wait for every stream the request implies, then run; stdout
// and stderr end with FIN, then the error stream carries the outcome (v4: a Status JSON).
import type { Readable } from 'node:stream';
import type { ExecSession } from '../../runtime/runtime';
import { errorChannelPayload, protocolVersion, type StreamOptions, type StreamOutcome } from './channel-protocol';
import type { SpdySession, SpdyStream } from './spdy';

/** Remote command protocols served over SPDY, newest first (v5 exists only for WebSockets). */
export const SPDY_REMOTE_COMMAND_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/** Kubernetes' streamCreationTimeout. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

function expectedStreams(protocol: string, streams: StreamOptions): string[] {
  const expected = ['error'];
  if (streams.stdin) expected.push('stdin');
  if (streams.stdout) expected.push('stdout');
  if (streams.stderr) expected.push('stderr');
  if (streams.tty && protocolVersion(protocol) >= 3) expected.push('resize');
  return expected;
}

function waitForStreams(spdy: SpdySession, expected: string[]): Promise<Map<string, SpdyStream>> {
  return new Promise((resolve, reject) => {
    const got = new Map<string, SpdyStream>();
    const timer = setTimeout(() => {
      spdy.off('stream', onStream);
      reject(new Error(`timed out waiting for client streams (got ${[...got.keys()].join(', ') || 'none'})`));
    }, STREAM_CREATION_TIMEOUT_MS);
    const onStream = (stream: SpdyStream): void => {
      const type = stream.headers.streamtype;
      if (!expected.includes(type) || got.has(type)) return stream.reset();
      got.set(type, stream);
      if (got.size === expected.length) {
        clearTimeout(timer);
        spdy.off('stream', onStream);
        resolve(got);
      }
    };
    spdy.on('stream', onStream);
    spdy.once('close', () => reject(new Error('connection closed before the streams were set up')));
  });
}

const ended = (stream: Readable | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (!stream || stream.readableEnded || stream.destroyed) return resolve();
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });

/**
 * Runs one exec/attach over an accepted SPDY session. `open` starts the runtime session once the
 * client's streams are in place, so no output is produced before there is somewhere to put it.
 */
export async function bridgeSpdySession(
  spdy: SpdySession,
  protocol: string,
  streams: StreamOptions,
  open: () => Promise<ExecSession>,
  finish: (exitCode: number) => StreamOutcome,
): Promise<void> {
  let channels: Map<string, SpdyStream>;
  try {
    channels = await waitForStreams(spdy, expectedStreams(protocol, streams));
  } catch {
    return spdy.close();
  }
  const errorStream = channels.get('error')!;
  // The client may send all of stdin (and its FIN) while the runtime session is still being created.
  const stdin = channels.get('stdin');
  const early: { data: Buffer[]; ended: boolean } = { data: [], ended: false };
  const keepEarly = (d: Buffer): void => void early.data.push(d);
  const keepEnd = (): void => void (early.ended = true);
  stdin?.on('data', keepEarly);
  stdin?.on('end', keepEnd);
  let session: ExecSession;
  try {
    session = await open();
  } catch (e) {
    errorStream.write(errorChannelPayload(protocol, { error: e instanceof Error ? e.message : String(e) }) ?? Buffer.alloc(0));
    errorStream.end();
    return spdy.close();
  }
  let exited = false;
  spdy.once('close', () => {
    if (!exited) session.kill();
  });
  const pipe = (source: Readable | undefined, target: SpdyStream | undefined): void => {
    source?.on('data', (d: Buffer | string) => target?.write(Buffer.isBuffer(d) ? d : Buffer.from(d)));
    source?.on('error', () => undefined);
  };
  pipe(session.stdout, channels.get('stdout'));
  pipe(session.stderr, channels.get('stderr'));
  if (stdin && session.stdin) {
    const target = session.stdin;
    target.on('error', () => undefined);
    stdin.off('data', keepEarly);
    stdin.off('end', keepEnd);
    for (const d of early.data) target.write(d);
    if (early.ended || stdin.remoteClosed) target.end();
    else {
      stdin.on('data', (d: Buffer) => target.write(d));
      stdin.on('end', () => target.end());
    }
  }
  // Resize events are JSON objects back to back on one stream.
  let pendingResize = '';
  channels.get('resize')?.on('data', (d: Buffer) => {
    pendingResize += d.toString('utf8');
    for (let newline = pendingResize.indexOf('}'); newline >= 0; newline = pendingResize.indexOf('}')) {
      const text = pendingResize.slice(0, newline + 1);
      pendingResize = pendingResize.slice(newline + 1);
      try {
        const size = JSON.parse(text) as { Width?: number; Height?: number };
        if (size.Width && size.Height) void session.resize(size.Width, size.Height).catch(() => undefined);
      } catch {
        // Ignored, as the kubelet does.
      }
    }
  });

  let outcome: StreamOutcome;
  try {
    const exitCode = await session.wait();
    exited = true;
    await Promise.all([ended(session.stdout), ended(session.stderr)]);
    outcome = finish(exitCode);
  } catch (e) {
    exited = true;
    outcome = { error: e instanceof Error ? e.message : String(e) };
  }
  channels.get('stdout')?.end();
  channels.get('stderr')?.end();
  const payload = errorChannelPayload(protocol, outcome);
  if (payload) errorStream.write(payload);
  errorStream.end();
  // The kubelet closes the connection once the status is written; the client has what it needs.
  setTimeout(() => spdy.close(), 100);
}

// The remotecommand stream protocols over WebSocket (k8s.io/apimachinery/pkg/util/remotecommand):
// every binary message starts with a channel byte. channel.k8s.io (v1) … v5.channel.k8s.io differ in
// what the error channel carries (v4+: a Status JSON with the exit code) and how stdin ends (v5: a
// CLOSE message `[255, channel]`, since WebSockets have no half-close).
import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ExecSession } from '../../runtime/runtime';

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Streams the client asked for (query stdin/stdout/stderr/tty). */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export const protocolVersion = (protocol: string): number => {
  const m = /^v(\d+)\.channel\.k8s\.io$/.exec(protocol);
  return m ? Number(m[1]) : 1;
};

/** What ends an exec: the Status the kubelet writes on the error channel. */
export type StreamOutcome = { exitCode: number; command?: string[] } | { error: string };

/** The error-channel payload for an outcome; undefined when nothing is to be sent (v1–v3 success). */
export function errorChannelPayload(protocol: string, outcome: StreamOutcome): Buffer | undefined {
  const structured = protocolVersion(protocol) >= 4;
  if ('error' in outcome) {
    if (!structured) return Buffer.from(outcome.error);
    return Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: outcome.error, reason: 'InternalError', code: 500 }));
  }
  if (outcome.exitCode === 0) return structured ? Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' })) : undefined;
  const cause = outcome.command
    ? `error executing command [${outcome.command.join(' ')}], exit code ${outcome.exitCode}`
    : `exit code ${outcome.exitCode}`;
  const message = `command terminated with non-zero exit code: ${cause}`;
  if (!structured) return Buffer.from(message);
  return Buffer.from(
    JSON.stringify({
      metadata: {},
      status: 'Failure',
      message,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(outcome.exitCode) }] },
    }),
  );
}

/**
 * client-go creates its stream readers right after the handshake, concurrently with reading, and drops
 * frames for streams it has not created yet; holding output this long after the handshake is enough.
 */
export const OUTPUT_SETTLE_MS = 100;

const ended = (stream: Readable | undefined, timeoutMs: number): Promise<void> =>
  new Promise((resolve) => {
    if (!stream || stream.readableEnded || stream.destroyed) return resolve();
    const timer = setTimeout(resolve, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });

/**
 * Bridges one WebSocket to a runtime session until the process ends or the client goes away. `finish`
 * turns the exit code into the outcome written on the error channel (exec: the exit code; attach:
 * success, as the kubelet does).
 */
export async function bridgeSession(
  ws: WebSocket,
  protocol: string,
  streams: StreamOptions,
  session: ExecSession,
  finish: (exitCode: number) => StreamOutcome,
): Promise<void> {
  const version = protocolVersion(protocol);
  const settled = new Promise<void>((r) => setTimeout(r, OUTPUT_SETTLE_MS));
  let clientGone = false;
  let exited = false;
  // One send chain keeps the order of frames across stdout and stderr.
  let sending: Promise<void> = settled;
  const send = (channel: number, data: Buffer): void => {
    sending = sending.then(
      () =>
        new Promise<void>((resolve) => {
          if (clientGone || ws.readyState !== ws.OPEN) return resolve();
          ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true }, () => resolve());
        }),
    );
  };
  const pipe = (stream: Readable | undefined, channel: number, wanted: boolean): void => {
    if (!stream) return;
    stream.on('data', (d: Buffer | string) => {
      if (wanted) send(channel, Buffer.isBuffer(d) ? d : Buffer.from(d));
    });
    stream.on('error', () => undefined);
  };
  pipe(session.stdout, Channel.stdout, streams.stdout);
  pipe(session.stderr, Channel.stderr, streams.stderr);

  const endStdin = (): void => {
    if (session.stdin && !session.stdin.writableEnded) session.stdin.end();
  };
  session.stdin?.on('error', () => undefined);
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer);
    if (!isBinary || data.length === 0) return;
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === Channel.stdin) {
      if (streams.stdin && payload.length && session.stdin && !session.stdin.writableEnded) session.stdin.write(payload);
    } else if (channel === Channel.resize && version >= 3) {
      try {
        const size = JSON.parse(payload.toString('utf8')) as { Width?: number; Height?: number };
        if (size.Width && size.Height) void session.resize(size.Width, size.Height).catch(() => undefined);
      } catch {
        // A malformed resize is ignored, as the kubelet does.
      }
    } else if (channel === Channel.close && version >= 5 && payload[0] === Channel.stdin) {
      endStdin();
    }
  });
  ws.on('close', () => {
    // Nobody reads the output any more: end the process rather than leave it running in the container.
    clientGone = true;
    endStdin();
    if (!exited) session.kill();
  });
  ws.on('error', () => undefined);

  let outcome: StreamOutcome;
  try {
    const exitCode = await session.wait();
    exited = true;
    // Output written just before the exit may still be in flight from the engine.
    await Promise.all([ended(session.stdout, 2000), ended(session.stderr, 2000)]);
    outcome = finish(exitCode);
  } catch (e) {
    exited = true;
    outcome = { error: e instanceof Error ? e.message : String(e) };
  }
  if (clientGone) return;
  const payload = errorChannelPayload(protocol, outcome);
  if (payload) send(Channel.error, payload);
  await sending;
  if (ws.readyState === ws.OPEN) ws.close(1000);
}

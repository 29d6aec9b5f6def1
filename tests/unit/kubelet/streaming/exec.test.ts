// pods/exec and pods/attach over WebSocket (the remotecommand channel protocols), FakeRuntime sessions.
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { errorChannelPayload } from '../../../../main/kubelet/streaming/channel-protocol';
import type { ContainerRuntime } from '../../../../main/runtime/runtime';
import { createPod, running, startHarness, startInstance, TOKEN, type Harness } from './harness';

interface Session {
  frames: Array<{ channel: number; data: string }>;
  closeCode?: number;
  ws: WebSocket;
  closed: Promise<void>;
  /** Text received on a channel so far. */
  text(channel: number): string;
}

function open(h: Harness, path: string, protocol: string): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${h.url.replace('http', 'ws')}${path}`, [protocol], { headers: { authorization: `Bearer ${TOKEN}` } });
    const session: Session = {
      frames: [],
      ws,
      closed: new Promise((r) => ws.once('close', (code) => ((session.closeCode = code), r()))),
      text: (channel) => session.frames.filter((f) => f.channel === channel).map((f) => f.data).join(''),
    };
    ws.on('message', (data: Buffer) => session.frames.push({ channel: data[0], data: data.subarray(1).toString() }));
    ws.once('open', () => resolve(session));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode, body: JSON.parse(body) })));
    });
    ws.once('error', (e) => reject(e));
  });
}

const execPath = (pod: string, command: string[], flags: string): string =>
  `/api/v1/namespaces/default/pods/${pod}/exec?${command.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&${flags}`;

describe('pods/exec', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const pod = await createPod(h, 'shell', ['app'], { statuses: [running('app')] });
    await startInstance(h, pod, 'app', 0);
    h.runtime.scriptExec(['sh', '-c', 'echo out; echo err >&2; exit 3'], { stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
  });
  afterAll(() => h.close());

  it('v5: stdout and stderr on their channels, the exit code as a NonZeroExitCode Status on channel 3', async () => {
    const s = await open(h, execPath('shell', ['sh', '-c', 'echo out; echo err >&2; exit 3'], 'stdout=true&stderr=true'), 'v5.channel.k8s.io');
    expect(s.ws.protocol).toBe('v5.channel.k8s.io');
    await s.closed;
    expect(s.text(1)).toBe('out\n');
    expect(s.text(2)).toBe('err\n');
    expect(JSON.parse(s.text(3))).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c echo out; echo err >&2; exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    expect(s.closeCode).toBe(1000);
    expect(h.runtime.callsOf('execInteractive').at(-1)).toEqual([expect.any(String), ['sh', '-c', 'echo out; echo err >&2; exit 3'], { tty: false, stdin: false }]);
  });

  it('v5: stdin flows to the process and the CLOSE frame ends it', async () => {
    const s = await open(h, execPath('shell', ['cat'], 'stdin=true&stdout=true&stderr=true'), 'v5.channel.k8s.io');
    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello\n')]));
    s.ws.send(Buffer.from([255, 0]));
    await s.closed;
    expect(s.text(1)).toBe('hello\n');
    expect(JSON.parse(s.text(3))).toEqual({ metadata: {}, status: 'Success' });
  });

  it('v4: the same Status; closing the socket ends the session', async () => {
    const s = await open(h, execPath('shell', ['sh', '-c', 'echo out; echo err >&2; exit 3'], 'stdout=true&stderr=true'), 'v4.channel.k8s.io');
    expect(s.ws.protocol).toBe('v4.channel.k8s.io');
    await s.closed;
    expect(JSON.parse(s.text(3))).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('tty: stderr is merged and a resize frame is accepted mid-session', async () => {
    const s = await open(h, execPath('shell', ['cat'], 'stdin=true&stdout=true&stderr=true&tty=true'), 'v5.channel.k8s.io');
    s.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 120, Height: 40 }))]));
    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('x')]));
    s.ws.send(Buffer.from([255, 0]));
    await s.closed;
    expect(s.text(1)).toBe('x');
    expect(h.runtime.callsOf('execInteractive').at(-1)?.[2]).toEqual({ tty: true, stdin: true });
  });

  it('v1 (channel.k8s.io): the error channel carries plain text', () => {
    expect(errorChannelPayload('channel.k8s.io', { exitCode: 2, command: ['false'] })?.toString()).toBe('command terminated with non-zero exit code: error executing command [false], exit code 2');
    expect(errorChannelPayload('v3.channel.k8s.io', { exitCode: 0 })).toBeUndefined();
  });

  it('answers a Status before the upgrade when the request cannot be served', async () => {
    await createPod(h, 'multi', ['a', 'b'], { statuses: [running('a'), running('b')] });
    await expect(open(h, execPath('multi', ['ls'], 'stdout=true'), 'v5.channel.k8s.io')).rejects.toMatchObject({
      statusCode: 400,
      body: { message: 'a container name must be specified for pod multi, choose one of: [a b]' },
    });
    await expect(open(h, execPath('multi', ['ls'], 'stdout=true&container=a'), 'v5.channel.k8s.io')).rejects.toMatchObject({
      statusCode: 400,
      body: { message: 'container not found ("a")' },
    });
    await expect(open(h, execPath('shell', ['ls'], 'container=app'), 'v5.channel.k8s.io')).rejects.toMatchObject({
      body: { message: 'you must specify at least 1 of stdin, stdout, stderr' },
    });
    await expect(open(h, execPath('ghost', ['ls'], 'stdout=true'), 'v5.channel.k8s.io')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('attach bridges the main process and reports Success whatever its exit code (as the kubelet does)', async () => {
    const calls: unknown[] = [];
    const runtime = h.runtime as ContainerRuntime;
    runtime.attachContainer = async (id, options) => {
      calls.push([id, options]);
      const stdout = new PassThrough();
      const stdin = new PassThrough();
      let exit!: (code: number) => void;
      const exited = new Promise<number>((r) => (exit = r));
      stdin.on('data', (d: Buffer) => stdout.write(`main process got ${d}`));
      stdin.on('end', () => (stdout.end(), exit(7)));
      return { stdin, stdout, resize: async () => undefined, wait: () => exited, kill: () => exit(137) };
    };
    try {
      const s = await open(h, '/api/v1/namespaces/default/pods/shell/attach?stdin=true&stdout=true&tty=true', 'v5.channel.k8s.io');
      s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('input')]));
      s.ws.send(Buffer.from([255, 0]));
      await s.closed;
      expect(s.text(1)).toBe('main process got input');
      expect(JSON.parse(s.text(3))).toEqual({ metadata: {}, status: 'Success' });
      expect(calls).toEqual([[expect.any(String), { tty: true, stdin: true }]]);
    } finally {
      delete runtime.attachContainer;
    }
  });

  it('attach answers a clear error on a runtime without attach', async () => {
    await expect(open(h, '/api/v1/namespaces/default/pods/shell/attach?stdout=true', 'v5.channel.k8s.io')).rejects.toMatchObject({
      statusCode: 400,
      body: { message: 'attach is not supported by the fake runtime of node "node-1"' },
    });
  });
});

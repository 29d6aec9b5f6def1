import { describe, expect, it } from 'vitest';
import {
  findMatches,
  formatLine,
  highlight,
  lineAtRow,
  LineSplitter,
  LogBuffer,
  logPath,
  parseTimestamped,
  readLogStream,
  rowOffsets,
} from '../../../../renderer/composables/log-lines';
import { execPath, exitCodeOf } from '../../../../renderer/composables/use-terminal';
import { bearerProtocol, webSocketUrl } from '../../../../renderer/api/watch-socket';

describe('log lines', () => {
  it('parses the kubelet timestamp prefix with sub-millisecond order', () => {
    const a = parseTimestamped('2026-01-02T03:04:05.123456789Z hello world', 2);
    expect(a).toMatchObject({ ts: '2026-01-02T03:04:05.123456789Z', text: 'hello world', source: 2 });
    // Microsecond resolution is what a double keeps next to epoch milliseconds; ties keep arrival order.
    const b = parseTimestamped('2026-01-02T03:04:05.123457Z next');
    expect(b.key).toBeGreaterThan(a.key);
    expect(parseTimestamped('no timestamp here')).toMatchObject({ ts: '', text: 'no timestamp here' });
  });

  it('splits a stream into lines across chunk boundaries and CRLF', () => {
    const s = new LineSplitter();
    expect(s.push('one\ntw')).toEqual(['one']);
    expect(s.push('o\r\nthree')).toEqual(['two']);
    expect(s.flush()).toEqual(['three']);
    expect(s.flush()).toEqual([]);
  });

  it('merges two pods in time order and caps memory, counting what it dropped', () => {
    const buffer = new LogBuffer(100);
    const at = (sec: number, text: string, source: number) => parseTimestamped(`2026-01-01T00:00:${String(sec).padStart(2, '0')}.000000000Z ${text}`, source);
    buffer.add(at(1, 'a1', 0));
    buffer.add(at(3, 'a3', 0));
    buffer.add(at(2, 'b2', 1));
    buffer.add(at(4, 'b4', 1));
    expect(buffer.lines.map((l) => l.text)).toEqual(['a1', 'b2', 'a3', 'b4']);
    expect(buffer.lastOf(0)?.text).toBe('a3');
    for (let i = 0; i < 200; i++) buffer.add(parseTimestamped(`line ${i}`));
    buffer.trim();
    expect(buffer.lines).toHaveLength(100);
    expect(buffer.dropped).toBe(104);
    expect(buffer.lines[99].text).toBe('line 199');
  });

  it('formats with optional timestamp and pod prefix', () => {
    const line = parseTimestamped('2026-01-01T00:00:01.5Z msg', 1);
    expect(formatLine(line, { timestamps: false })).toBe('msg');
    expect(formatLine(line, { timestamps: true, prefixes: ['web-a', 'web-b'] })).toBe('2026-01-01T00:00:01.5Z [web-b] msg');
  });

  it('finds matching lines case-insensitively and highlights every occurrence', () => {
    const lines = ['Error: one', 'fine', 'another error and ERROR'].map((t) => parseTimestamped(t));
    expect(findMatches(lines, 'error')).toEqual([0, 2]);
    expect(findMatches(lines, '')).toEqual([]);
    expect(highlight('another error and ERROR', 'error')).toEqual([
      { text: 'another ', match: false },
      { text: 'error', match: true },
      { text: ' and ', match: false },
      { text: 'ERROR', match: true },
    ]);
  });

  it('lays out wrapped rows and finds the line at a row', () => {
    const offsets = rowOffsets([10, 45, 0, 20], 20);
    expect([...offsets]).toEqual([0, 1, 4, 5, 6]);
    expect(lineAtRow(offsets, 0)).toBe(0);
    expect(lineAtRow(offsets, 2.5)).toBe(1);
    expect(lineAtRow(offsets, 4)).toBe(2);
    expect(lineAtRow(offsets, 99)).toBe(3);
    expect([...rowOffsets([500, 1], undefined)]).toEqual([0, 1, 2]);
  });

  it('builds pods/log paths with the Kubernetes query names', () => {
    expect(logPath({ namespace: 'default', pod: 'web', container: 'app', follow: true, timestamps: true, tailLines: 100 })).toBe(
      '/api/v1/namespaces/default/pods/web/log?container=app&follow=true&timestamps=true&tailLines=100',
    );
    expect(logPath({ namespace: 'ns', pod: 'p', previous: true, sinceSeconds: 300 })).toBe('/api/v1/namespaces/ns/pods/p/log?previous=true&sinceSeconds=300');
  });

  it('reads a streamed log line by line and turns a refusal into the API Status message', async () => {
    const chunks = ['2026-01-01T00:00:01Z a\n2026-01-01T00:0', '0:02Z b\nc'];
    const got: string[] = [];
    const ok = async () =>
      new Response(
        new ReadableStream({
          start(c) {
            for (const ch of chunks) c.enqueue(new TextEncoder().encode(ch));
            c.close();
          },
        }),
      );
    await readLogStream({ apiUrl: 'http://x', token: 't', namespace: 'n', pod: 'p' }, (l) => got.push(...l), new AbortController().signal, ok);
    expect(got).toEqual(['2026-01-01T00:00:01Z a', '2026-01-01T00:00:02Z b', 'c']);

    const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 400, reason: 'BadRequest', message: 'container "app" in pod "web" is waiting to start: ContainerCreating' };
    const refused = async () => new Response(JSON.stringify(status), { status: 400 });
    const error = await readLogStream({ apiUrl: 'http://x', token: 't', namespace: 'n', pod: 'web' }, () => {}, new AbortController().signal, refused).catch((e) => e);
    expect(error.code).toBe(400);
    expect(error.message).toBe('container "app" in pod "web" is waiting to start: ContainerCreating');
  });
});

describe('exec terminal protocol helpers', () => {
  it('builds the exec path with repeated command parameters and a TTY', () => {
    expect(execPath({ namespace: 'default', pod: 'web', container: 'app', command: ['sh', '-c', 'echo hi'] })).toBe(
      '/api/v1/namespaces/default/pods/web/exec?container=app&stdin=true&stdout=true&tty=true&command=sh&command=-c&command=echo%20hi',
    );
  });

  it('reads the exit code from the channel-3 Status', () => {
    expect(exitCodeOf({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } as never)).toBe(0);
    expect(
      exitCodeOf({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '42' }] } } as never),
    ).toBe(42);
    expect(exitCodeOf({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'boom' } as never)).toBeUndefined();
  });

  it('carries the token as an unpadded base64url sub-protocol and maps http to ws URLs', () => {
    expect(bearerProtocol('a?b>c')).toBe('base64url.bearer.authorization.k8s.io.YT9iPmM');
    expect(webSocketUrl('http://127.0.0.1:1/api')).toBe('ws://127.0.0.1:1/api');
    expect(webSocketUrl('https://localhost:1/api')).toBe('wss://localhost:1/api');
  });
});

import { describe, expect, it } from 'vitest';
import { FrameDemuxer, JsonLines, demuxBuffer } from '../../../main/runtime/docker-streams';
import type { LogChunk } from '../../../main/runtime/runtime';

const frame = (type: number, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

const texts = (chunks: LogChunk[]) => chunks.map((c) => [c.stream, c.data.toString()]);

describe('FrameDemuxer', () => {
  it('separates stdout and stderr frames', () => {
    expect(texts(demuxBuffer(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more\n')])))).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
      ['stdout', 'more\n'],
    ]);
  });

  it('reassembles frames split anywhere, byte by byte', () => {
    const wire = Buffer.concat([frame(1, 'hello\n'), frame(2, 'w\u00f6rld\n')]);
    const out: LogChunk[] = [];
    const d = new FrameDemuxer((c) => out.push(c));
    for (const byte of wire) d.push(Buffer.from([byte]));
    expect(texts(out)).toEqual([
      ['stdout', 'hello\n'],
      ['stderr', 'w\u00f6rld\n'],
    ]);
    expect(d.leftover).toBe(0);
  });

  it('keeps an incomplete frame pending and reports it', () => {
    const out: LogChunk[] = [];
    const d = new FrameDemuxer((c) => out.push(c));
    d.push(frame(1, 'abcdef').subarray(0, 10));
    expect(out).toEqual([]);
    expect(d.leftover).toBe(10);
  });

  it('passes a stream that is not multiplexed (TTY) through as stdout', () => {
    expect(texts(demuxBuffer(Buffer.from('plain tty output\r\n')))).toEqual([['stdout', 'plain tty output\r\n']]);
  });
});

describe('JsonLines', () => {
  it('joins objects split across chunks and skips blank and broken lines', () => {
    const got: unknown[] = [];
    const bad: string[] = [];
    const lines = new JsonLines((v) => got.push(v), (l) => bad.push(l));
    lines.push('{"status":"Pulling"}\n{"id":"a","sta');
    lines.push('tus":"Downloading"}\n\n{not json}\n');
    lines.push('{"error":"boom"}');
    lines.flush();
    expect(got).toEqual([{ status: 'Pulling' }, { id: 'a', status: 'Downloading' }, { error: 'boom' }]);
    expect(bad).toEqual(['{not json}']);
  });
});

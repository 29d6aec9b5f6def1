// SPDY/3 server framing against a client built from Node's zlib (compressing header blocks with the
// SPDY dictionary, as spdystream does): streams, replies a standard inflater can read, data, FIN, ping.
import { constants, createDeflate, createInflate, type Deflate } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SPDY3_DICTIONARY } from '../../../../main/kubelet/streaming/spdy-dictionary';
import { parseHeaderBlock, SpdySession, type SpdyStream } from '../../../../main/kubelet/streaming/spdy';

function nameValueBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(Object.keys(headers).length));
  for (const [k, v] of Object.entries(headers)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
  return Buffer.concat(parts);
}

/** One zlib stream for the whole connection, sync-flushed per block, as SPDY requires. */
function compress(deflate: Deflate, block: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const onData = (d: Buffer): void => void chunks.push(d);
    deflate.on('data', onData);
    deflate.write(block);
    deflate.flush(constants.Z_SYNC_FLUSH, () => {
      deflate.off('data', onData);
      resolve(Buffer.concat(chunks));
    });
  });
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4);
  head[4] = flags;
  return Buffer.concat([head, payload]);
}

function data(streamId: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId, 0);
  head.writeUInt32BE(body.length, 4);
  head[4] = flags;
  return Buffer.concat([head, body]);
}

async function synStream(deflate: Deflate, id: number, headers: Record<string, string>): Promise<Buffer> {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(id, 0);
  return control(1, 0, Buffer.concat([fixed, await compress(deflate, nameValueBlock(headers))]));
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('SPDY/3 session (server side)', () => {
  it('the dictionary is the 1423 bytes of the SPDY/3 draft', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(SPDY3_DICTIONARY.subarray(0, 11)).toEqual(Buffer.from([0, 0, 0, 7, ...Buffer.from('options')]));
  });

  it('accepts client streams, replies with header blocks a standard inflater reads, moves data with FIN', async () => {
    const written: Buffer[] = [];
    const session = new SpdySession({ write: (f) => written.push(f), close: () => undefined });
    const streams: SpdyStream[] = [];
    const received: string[] = [];
    session.on('stream', (s: SpdyStream) => {
      streams.push(s);
      s.on('data', (d: Buffer) => received.push(`${s.id}:${d.toString()}`));
      s.on('end', () => received.push(`${s.id}:FIN`));
    });
    const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
    // Frames may arrive split anywhere: feed them byte by byte.
    const frames = Buffer.concat([
      await synStream(deflate, 1, { streamtype: 'error', port: '80', requestid: '0' }),
      await synStream(deflate, 3, { streamtype: 'data', port: '80', requestid: '0' }),
      data(3, 0, Buffer.from('GET /')),
      data(3, 1, Buffer.alloc(0)),
    ]);
    for (const byte of frames) session.receive(Buffer.from([byte]));
    await tick();
    expect(streams.map((s) => [s.id, s.headers])).toEqual([
      [1, { streamtype: 'error', port: '80', requestid: '0' }],
      [3, { streamtype: 'data', port: '80', requestid: '0' }],
    ]);
    expect(received).toEqual(['3:GET /', '3:FIN']);

    // Both SYN_REPLY header blocks decode with one continuing inflater (what the client keeps).
    const replies = written.filter((f) => f.readUInt16BE(2) === 2);
    expect(replies.map((f) => f.readUInt32BE(8))).toEqual([1, 3]);
    const inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
    for (const reply of replies) {
      const out = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        const onData = (d: Buffer): void => void chunks.push(d);
        inflate.on('data', onData);
        inflate.write(reply.subarray(12));
        inflate.flush(constants.Z_SYNC_FLUSH, () => (inflate.off('data', onData), resolve(Buffer.concat(chunks))));
      });
      expect(parseHeaderBlock(out)).toEqual({});
    }

    written.length = 0;
    streams[1].write(Buffer.from('200 OK'));
    streams[1].end();
    expect(written.map((f) => [f.readUInt32BE(0), f[4], f.subarray(8).toString()])).toEqual([
      [3, 0, '200 OK'],
      [3, 1, ''],
    ]);
  });

  it('answers pings, resets unknown work and ends every stream when the transport goes', async () => {
    const written: Buffer[] = [];
    let closed = false;
    const session = new SpdySession({ write: (f) => written.push(f), close: () => (closed = true) });
    const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
    let stream: SpdyStream | undefined;
    session.on('stream', (s: SpdyStream) => (stream = s));
    session.receive(await synStream(deflate, 1, { streamtype: 'stdout' }));
    const ping = control(6, 0, Buffer.from([0, 0, 0, 7]));
    session.receive(ping);
    await tick();
    expect(written.at(-1)).toEqual(ping);
    let reset = false;
    stream!.on('reset', () => (reset = true));
    session.transportClosed();
    expect(reset).toBe(true);
    session.close();
    expect(closed).toBe(false); // already gone: no GOAWAY written to a dead transport
  });
});

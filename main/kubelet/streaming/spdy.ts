// The server side of SPDY/3 framing as client-go's spdystream speaks it, just enough for port-forward:
// the client opens streams (SYN_STREAM with name/value headers), we accept them (SYN_REPLY) and move
// bytes in DATA frames with FIN for half-close. It runs over a raw upgraded socket (`Upgrade: SPDY/3.1`)
// or tunnelled in WebSocket binary messages (`SPDY/3.1+portforward.k8s.io`, kubectl 1.31+).
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { constants, createInflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary';

const VERSION = 3;
const FLAG_FIN = 0x01;
const Frame = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;
const MAX_DATA = 32 * 1024;
const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/** Bytes in and out of the connection, whatever carries them. */
export interface SpdyTransport {
  write(frame: Buffer): void;
  close(): void;
}

export class SpdyStream extends EventEmitter {
  private localClosed = false;
  remoteClosed = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    /** Header names lower-case, as SPDY/3 sends them. */
    readonly headers: Record<string, string>,
  ) {
    super();
  }

  write(data: Buffer): void {
    if (this.localClosed) return;
    for (let offset = 0; offset < data.length; offset += MAX_DATA) this.session.sendData(this.id, data.subarray(offset, offset + MAX_DATA), false);
  }

  /** Half-close: no more data from this side. */
  end(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.session.sendData(this.id, Buffer.alloc(0), true);
    this.session.forgetIfDone(this);
  }

  reset(): void {
    this.localClosed = this.remoteClosed = true;
    this.session.sendRst(this.id);
    this.session.forgetIfDone(this);
  }

  get done(): boolean {
    return this.localClosed && this.remoteClosed;
  }
}

function encodeFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4);
  head[4] = flags;
  return Buffer.concat([head, payload]);
}

/** Parses a decompressed SPDY/3 name/value block. */
export function parseHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let offset = 4;
  const count = block.readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const nameLength = block.readUInt32BE(offset);
    const name = block.subarray(offset + 4, offset + 4 + nameLength).toString('latin1').toLowerCase();
    offset += 4 + nameLength;
    const valueLength = block.readUInt32BE(offset);
    headers[name] = block.subarray(offset + 4, offset + 4 + valueLength).toString('latin1').split('\0')[0];
    offset += 4 + valueLength;
  }
  return headers;
}

export class SpdySession extends EventEmitter {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflater: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private pending: Buffer = Buffer.alloc(0);
  /** Frames are handled one at a time: header blocks share one zlib stream and arrive in order. */
  private queue: Promise<void> = Promise.resolve();
  private headerBlocksSent = 0;
  private lastStreamId = 0;
  private closed = false;

  constructor(private readonly transport: SpdyTransport) {
    super();
    this.inflater.on('error', (e) => this.fail(e));
  }

  /** Feed bytes received from the transport. */
  receive(data: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    while (this.pending.length >= 8) {
      const length = this.pending.readUIntBE(5, 3);
      if (this.pending.length < 8 + length) break;
      const frame = this.pending.subarray(0, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      this.queue = this.queue.then(() => this.handleFrame(frame)).catch((e: unknown) => this.fail(e));
    }
  }

  /** The transport ended: every stream ends with it. */
  transportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      s.remoteClosed = true;
      s.emit('reset');
    }
    this.streams.clear();
    this.inflater.close();
    this.emit('close');
  }

  close(): void {
    if (this.closed) return;
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(this.lastStreamId, 0);
    this.write(encodeFrame(Frame.goAway, 0, payload));
    this.transport.close();
    this.transportClosed();
  }

  sendData(streamId: number, data: Buffer, fin: boolean): void {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(streamId & 0x7fffffff, 0);
    head.writeUInt32BE(data.length, 4);
    head[4] = fin ? FLAG_FIN : 0;
    this.write(Buffer.concat([head, data]));
  }

  sendRst(streamId: number, status = 5 /* CANCEL */): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(streamId, 0);
    payload.writeUInt32BE(status, 4);
    this.write(encodeFrame(Frame.rstStream, 0, payload));
  }

  forgetIfDone(stream: SpdyStream): void {
    if (stream.done) this.streams.delete(stream.id);
  }

  private write(frame: Buffer): void {
    if (!this.closed) this.transport.write(frame);
  }

  private fail(error: unknown): void {
    this.emit('error', error);
    this.close();
  }

  private async handleFrame(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4];
    const payload = frame.subarray(8);
    if (!(frame[0] & 0x80)) return this.handleData(frame.readUInt32BE(0) & 0x7fffffff, flags, payload);
    const type = frame.readUInt16BE(2);
    switch (type) {
      case Frame.synStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        const headers = parseHeaderBlock(await this.inflate(payload.subarray(10)));
        this.lastStreamId = Math.max(this.lastStreamId, id);
        const stream = new SpdyStream(this, id, headers);
        this.streams.set(id, stream);
        this.write(encodeFrame(Frame.synReply, 0, Buffer.concat([payload.subarray(0, 4), this.emptyHeaderBlock()])));
        if (flags & FLAG_FIN) stream.remoteClosed = true;
        this.emit('stream', stream);
        return;
      }
      case Frame.headers:
        // Header blocks must still pass through the shared zlib stream to keep it in step.
        await this.inflate(payload.subarray(4));
        return;
      case Frame.rstStream: {
        const stream = this.streams.get(payload.readUInt32BE(0) & 0x7fffffff);
        if (!stream) return;
        this.streams.delete(stream.id);
        stream.remoteClosed = true;
        stream.emit('reset');
        return;
      }
      case Frame.ping:
        this.write(frame);
        return;
      case Frame.goAway:
        this.transport.close();
        this.transportClosed();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE: spdystream does no flow control, so neither side needs them.
        return;
    }
  }

  private handleData(streamId: number, flags: number, data: Buffer): void {
    const stream = this.streams.get(streamId);
    if (!stream || stream.remoteClosed) return;
    // No WINDOW_UPDATE back: spdystream (client-go) implements no flow control and rejects the frame.
    if (data.length) stream.emit('data', data);
    if (flags & FLAG_FIN) {
      stream.remoteClosed = true;
      stream.emit('end');
      this.forgetIfDone(stream);
    }
  }

  private inflate(block: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const onData = (d: Buffer): void => void chunks.push(d);
      this.inflater.on('data', onData);
      this.inflater.write(block);
      this.inflater.flush(constants.Z_SYNC_FLUSH, () => {
        this.inflater.off('data', onData);
        resolve(Buffer.concat(chunks));
      });
    });
  }

  /**
   * An empty name/value block. Our blocks are "stored" (uncompressed) deflate blocks, which every
   * inflater accepts mid-stream, so no deflate state is needed; only the first carries the zlib header.
   */
  private emptyHeaderBlock(): Buffer {
    const raw = Buffer.alloc(4); // count = 0
    const stored = Buffer.from([0x00, raw.length & 0xff, raw.length >> 8, ~raw.length & 0xff, (~raw.length >> 8) & 0xff]);
    const prefix = this.headerBlocksSent++ === 0 ? Buffer.from([0x78, 0x01]) : Buffer.alloc(0);
    // The empty stored block is zlib's sync-flush marker: inflaters (Go's flate) hand out a block's bytes
    // only once the next block starts, and must not read past this frame to find it.
    return Buffer.concat([prefix, stored, raw, SYNC_FLUSH_MARKER]);
  }
}

/** Completes a plain `Upgrade: SPDY/3.1` handshake on an upgraded socket, naming the chosen stream protocol. */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  const session = new SpdySession({ write: (frame) => socket.write(frame), close: () => socket.end() });
  socket.on('data', (d: Buffer) => session.receive(d));
  socket.on('close', () => session.transportClosed());
  socket.on('error', () => undefined);
  if (head.length) session.receive(head);
  return session;
}

/** Protocols a SPDY upgrade request offers (X-Stream-Protocol-Version may repeat or hold a list). */
export function offeredStreamProtocols(header: string | string[] | undefined): string[] {
  return (Array.isArray(header) ? header : [header ?? ''])
    .flatMap((h) => h.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
}

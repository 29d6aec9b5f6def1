// Pure decoders for Docker's streaming wire formats (no dockerode here, so they are unit-tested alone):
// the 8-byte-header multiplexed stream of non-TTY logs/exec/attach, and the newline-delimited JSON of
// /events and image pulls.
import type { LogChunk } from './runtime';

const HEADER = 8;

/**
 * Docker multiplexes stdout and stderr of non-TTY containers into frames:
 * [stream type (0 stdin, 1 stdout, 2 stderr), 0, 0, 0, payload length (uint32 BE)] + payload.
 * Frames may be split or merged arbitrarily by the transport, so bytes are buffered until a frame is whole.
 */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onChunk: (chunk: LogChunk) => void) {}

  push(data: Buffer): void {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    while (this.pending.length >= HEADER) {
      const type = this.pending[0];
      if (type > 2 || this.pending[1] !== 0 || this.pending[2] !== 0 || this.pending[3] !== 0) {
        // Not a multiplexed stream after all (a TTY container): pass everything through as stdout.
        this.onChunk({ stream: 'stdout', data: this.pending });
        this.pending = Buffer.alloc(0);
        return;
      }
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + length) return;
      const payload = this.pending.subarray(HEADER, HEADER + length);
      this.pending = this.pending.subarray(HEADER + length);
      if (length > 0) this.onChunk({ stream: type === 2 ? 'stderr' : 'stdout', data: Buffer.from(payload) });
    }
  }

  /** Bytes of an incomplete frame left when the stream ended (0 when it ended cleanly). */
  get leftover(): number {
    return this.pending.length;
  }
}

/** Demultiplexes a complete buffer (non-follow logs arrive whole). */
export function demuxBuffer(data: Buffer): LogChunk[] {
  const out: LogChunk[] = [];
  const demuxer = new FrameDemuxer((c) => out.push(c));
  demuxer.push(data);
  return out;
}

/** Newline-delimited JSON objects; a line split across chunks is joined; blank lines are skipped. */
export class JsonLines {
  private partial = '';

  constructor(
    private readonly onObject: (value: unknown) => void,
    private readonly onBadLine: (line: string) => void = () => {},
  ) {}

  push(data: Buffer | string): void {
    this.partial += typeof data === 'string' ? data : data.toString('utf8');
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl).trim();
      this.partial = this.partial.slice(nl + 1);
      this.parse(line);
    }
  }

  flush(): void {
    const line = this.partial.trim();
    this.partial = '';
    this.parse(line);
  }

  private parse(line: string): void {
    if (!line) return;
    try {
      this.onObject(JSON.parse(line));
    } catch {
      this.onBadLine(line);
    }
  }
}

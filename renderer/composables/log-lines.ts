// The framework-free half of the Logs viewer: reading `pods/log` streams, the line buffer (time-ordered
// merge of several pods, capped in memory), search, and the row layout that lets the viewer render
// only the lines on screen. Unit-tested without a browser.
import { ApiError } from '../../shared/api/errors';
import { errorFromResponse, type FetchLike } from '../api/client';
import { withQuery } from '../api/paths';

/** Lines kept in memory; older ones are dropped (and counted) beyond this. */
export const MAX_LINES = 100_000;

export interface LogLine {
  /** RFC 3339 timestamp the kubelet stamped (timestamps=true); '' when the line had none. */
  ts: string;
  /** Sort key: epoch milliseconds with the sub-millisecond digits as a fraction. */
  key: number;
  text: string;
  /** Index of the pod the line came from (whole-workload logs). */
  source: number;
}

/** `2024-05-01T10:00:00.123456789Z text` → ts, key and text; lines without a timestamp keep key NaN. */
export function parseTimestamped(raw: string, source = 0): LogLine {
  const space = raw.indexOf(' ');
  const ts = space > 0 ? raw.slice(0, space) : '';
  const ms = ts ? Date.parse(ts) : NaN;
  if (Number.isNaN(ms)) return { ts: '', key: NaN, text: raw, source };
  const fraction = /\.(\d+)/.exec(ts)?.[1] ?? '';
  const subMs = Number(`0.${fraction.padEnd(9, '0').slice(3, 9)}`);
  return { ts, key: ms + subMs, text: raw.slice(space + 1), source };
}

/** Cuts a text stream into lines; a partial last line waits for the next chunk. */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  /** The unterminated last line, if any (at the end of the stream). */
  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last ? [last] : [];
  }
}

/**
 * Lines of one or more pods in time order. Streams deliver each pod's lines in order, so an insert
 * is almost always an append; a line older than the tail is placed by binary search. Beyond
 * MAX_LINES the oldest lines go (in batches, so a follow at full speed does not shift the array on
 * every line) and `dropped` says how many.
 */
export class LogBuffer {
  lines: LogLine[] = [];
  dropped = 0;

  constructor(private readonly max = MAX_LINES) {}

  add(line: LogLine): void {
    const lines = this.lines;
    const last = lines[lines.length - 1];
    if (!last || Number.isNaN(line.key) || Number.isNaN(last.key) || last.key <= line.key) {
      lines.push(line);
    } else {
      let lo = 0;
      let hi = lines.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (lines[mid].key <= line.key) lo = mid + 1;
        else hi = mid;
      }
      lines.splice(lo, 0, line);
    }
    if (lines.length > this.max + Math.max(1, Math.floor(this.max / 20))) this.trim();
  }

  trim(): void {
    const excess = this.lines.length - this.max;
    if (excess <= 0) return;
    this.lines.splice(0, excess);
    this.dropped += excess;
  }

  clear(): void {
    this.lines = [];
    this.dropped = 0;
  }

  /** The newest line of one source (to resume a stream after it). */
  lastOf(source: number): LogLine | undefined {
    for (let i = this.lines.length - 1; i >= 0; i--) if (this.lines[i].source === source) return this.lines[i];
    return undefined;
  }
}

export interface LineFormat {
  timestamps: boolean;
  /** Pod name per source, for whole-workload logs; undefined for a single pod. */
  prefixes?: string[];
}

export function formatLine(line: LogLine, format: LineFormat): string {
  const ts = format.timestamps && line.ts ? `${line.ts} ` : '';
  const prefix = format.prefixes ? `[${format.prefixes[line.source] ?? '?'}] ` : '';
  return `${ts}${prefix}${line.text}`;
}

/** Indices of the lines whose text contains the query (case-insensitive). */
export function findMatches(lines: readonly LogLine[], query: string): number[] {
  if (!query) return [];
  const needle = query.toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].text.toLowerCase().includes(needle)) out.push(i);
  return out;
}

export interface Segment {
  text: string;
  match: boolean;
}

/** Splits a text into plain and matching runs for highlighting. */
export function highlight(text: string, query: string): Segment[] {
  if (!query) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  const out: Segment[] = [];
  let at = 0;
  for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + needle.length)) {
    if (i > at) out.push({ text: text.slice(at, i), match: false });
    out.push({ text: text.slice(i, i + needle.length), match: true });
    at = i + needle.length;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), match: false });
  return out;
}

/**
 * Top offsets (in rows) of each line: one row per line, or with wrapping as many rows as the line
 * needs at `columns` characters per row (the viewer uses a monospace font, so that is exact for
 * ASCII). offsets[i] is where line i starts; offsets[n] is the total.
 */
export function rowOffsets(lengths: ArrayLike<number>, columns: number | undefined): Float64Array {
  const offsets = new Float64Array(lengths.length + 1);
  let y = 0;
  for (let i = 0; i < lengths.length; i++) {
    offsets[i] = y;
    y += columns ? Math.max(1, Math.ceil(lengths[i] / columns)) : 1;
  }
  offsets[lengths.length] = y;
  return offsets;
}

/** The line at a row (binary search over rowOffsets). */
export function lineAtRow(offsets: Float64Array, row: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface LogRequest {
  apiUrl: string;
  token: string;
  namespace: string;
  pod: string;
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
}

export function logPath(r: Omit<LogRequest, 'apiUrl' | 'token'>): string {
  return withQuery(`/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/log`, {
    container: r.container,
    follow: r.follow || undefined,
    previous: r.previous || undefined,
    timestamps: r.timestamps || undefined,
    tailLines: r.tailLines,
    sinceSeconds: r.sinceSeconds,
    sinceTime: r.sinceTime,
  });
}

/**
 * Reads a pods/log stream line by line until it ends or `signal` aborts. A refused request rejects
 * with the API's Status as ApiError (e.g. 400 `container "app" in pod "web" is waiting to start`).
 */
export async function readLogStream(request: LogRequest, onLines: (lines: string[]) => void, signal: AbortSignal, fetchImpl: FetchLike = (u, i) => globalThis.fetch(u, i)): Promise<void> {
  let response: Response;
  try {
    response = await fetchImpl(`${request.apiUrl}${logPath(request)}`, { headers: { Authorization: `Bearer ${request.token}`, Accept: 'text/plain, */*' }, signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') return;
    throw new ApiError(503, 'ServiceUnavailable', `cannot reach the Bosun API at ${request.apiUrl}: ${(e as Error).message}`);
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const splitter = new LineSplitter();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const lines = splitter.push(decoder.decode(value, { stream: true }));
      if (lines.length) onLines(lines);
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError' || signal.aborted) return;
    throw e;
  }
  const last = splitter.flush();
  if (last.length) onLines(last);
}

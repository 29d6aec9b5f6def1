// Writing answers. Every failure leaves as a meta/v1 Status; unexpected exceptions become a 500 Status
// without a stack trace (the stack goes to the logger, never to the client).
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import { ApiError, isApiError } from '../../../shared/api/errors';
import type { Status } from '../../../shared/api/meta';
import { SerializedJson } from '../rest/serialized';

export function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  // An ApiError from another copy of the module (e.g. bundled twice) still carries code/reason.
  if (err && typeof err === 'object' && typeof (err as ApiError).toStatus === 'function' && typeof (err as ApiError).code === 'number') {
    return ApiError.fromStatus((err as ApiError).toStatus());
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApiError.internal(message);
}

export function statusOf(err: unknown): Status {
  return toApiError(err).toStatus();
}

/**
 * An answer that leaves before the request body was read (an early 401/404/405…) must not leave those
 * bytes on a keep-alive connection, where they would be parsed as the next request. Discard them and
 * close the connection after this answer, as Go's net/http does for large unread bodies.
 */
function releaseUnreadBody(res: ServerResponse): void {
  const req = res.req;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.complete) return;
  res.setHeader('Connection', 'close');
  req.resume();
}

export function writeJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  releaseUnreadBody(res);
  const payload = body instanceof SerializedJson ? body.json : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-cache, private',
  });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

export function writeBody(res: ServerResponse, code: number, body: unknown, format: 'json' | 'yaml'): void {
  if (format === 'json') return writeJson(res, code, body);
  if (res.headersSent) return void res.end();
  releaseUnreadBody(res);
  const payload = stringify(body instanceof SerializedJson ? JSON.parse(body.json) : body);
  res.writeHead(code, {
    'Content-Type': 'application/yaml',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-cache, private',
  });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

export function writeError(res: ServerResponse, err: unknown, format: 'json' | 'yaml' = 'json'): void {
  const status = statusOf(err);
  writeBody(res, status.code, status, format);
}

export function writeText(res: ServerResponse, code: number, text: string): void {
  releaseUnreadBody(res);
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** A Status in raw HTTP/1.1 on a socket whose request asked to upgrade (no ServerResponse exists there). */
export function rawStatusResponse(err: unknown): string {
  const status = statusOf(err);
  const payload = JSON.stringify(status);
  return [
    `HTTP/1.1 ${status.code} ${reasonPhrase(status.code)}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(payload)}`,
    'X-Content-Type-Options: nosniff',
    'Connection: close',
    '',
    payload,
  ].join('\r\n');
}

function reasonPhrase(code: number): string {
  return STATUS_CODES[code] ?? 'Error';
}

// k8s.io/apiserver's warning recorder limits: past 4096 characters in all, each warning is cut to 256.
const WARNINGS_TOTAL_LIMIT = 4096;
const WARNING_ITEM_LIMIT = 256;

/**
 * Warnings of one request, sent as RFC 7234 `Warning: 299 - "<text>"` headers (kubectl prints them as
 * `Warning: <text>`). Repeats are dropped, as Kubernetes does.
 */
export class WarningRecorder {
  private readonly texts: string[] = [];

  add(text: string): void {
    if (!this.texts.includes(text)) this.texts.push(text);
  }

  headerValues(): string[] {
    let texts = this.texts;
    if (texts.reduce((n, t) => n + t.length, 0) > WARNINGS_TOTAL_LIMIT) {
      texts = texts.map((t) => (t.length > WARNING_ITEM_LIMIT ? t.slice(0, WARNING_ITEM_LIMIT) : t));
      let total = 0;
      texts = texts.filter((t) => (total += t.length) <= WARNINGS_TOTAL_LIMIT);
    }
    return texts.map((t) => {
      const quoted = t.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/[\\"]/g, (c) => `\\${c}`);
      // Header values are bytes: send the UTF-8 of the text as Go does (Node writes latin1 strings byte for byte).
      return Buffer.from(`299 - "${quoted}"`, 'utf8').toString('latin1');
    });
  }

  writeTo(res: ServerResponse): void {
    if (this.texts.length && !res.headersSent) res.setHeader('Warning', this.headerValues());
  }
}

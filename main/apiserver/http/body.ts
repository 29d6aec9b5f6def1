// Request bodies: bounded reading (the apiserver's 3 MiB limit) and decoding with errors that point at
// the line and column, because people paste hand-written YAML and JSON into this lab.
import type { IncomingMessage } from 'node:http';
import { LineCounter, parseDocument } from 'yaml';
import { ApiError } from '../../../shared/api/errors';
import { decodeKubernetesProtobuf } from '../protobuf/decode';
import { hasDuplicateKeys } from '../schema/json-duplicates';
import { yamlDuplicateKeys } from '../schema/yaml-duplicates';
import type { BodyDecoding } from '../types';
import type { BodyFormat } from './negotiation';

/** k8s.io/apiserver's MaxRequestBodyBytes. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** Reads the whole body, failing with 413 as soon as it is known to exceed `limit` (before buffering it). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: unknown): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering now; the response goes out with Connection: close so the rest is never read.
        req.pause();
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('error', (e) => finish(ApiError.badRequest(`error reading request body: ${e.message}`)));
  });
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: Math.min(offset, text.length) - lineStart + 1 };
}

/**
 * Offset of the first JSON syntax error. V8's JSON.parse messages only sometimes carry a position,
 * so a small validating scanner finds it; it runs only after JSON.parse has already failed.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i];
      if (c === '"') return void i++;
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i] ?? 'x')) i++;
        else fail();
      } else if (c.charCodeAt(0) < 0x20) fail();
      else i++;
    }
    fail();
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (offset) {
    if (typeof offset === 'number') return offset;
    throw offset;
  }
  return text.length;
}

function describeJsonError(text: string, offset: number): string {
  if (offset >= text.length) return 'unexpected end of JSON input';
  return `invalid character ${JSON.stringify(text[offset])}`;
}

/** Parses a body in the given format. Empty bodies decode to undefined. Throws 400 naming line/column. */
export function decodeBody(buffer: Buffer, format: BodyFormat): unknown {
  if (format === 'protobuf') return buffer.length === 0 ? undefined : decodeKubernetesProtobuf(buffer);
  const text = buffer.toString('utf8');
  if (text.trim() === '') return undefined;
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch {
      const offset = jsonErrorOffset(text);
      const { line, column } = lineColumn(text, offset);
      throw ApiError.badRequest(`error decoding JSON: ${describeJsonError(text, offset)} at line ${line}, column ${column}`);
    }
  }
  return decodeYaml(text, true).body;
}

function decodeYaml(text: string, uniqueKeys: boolean): { body: unknown; duplicates?: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys, lineCounter: lines });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw ApiError.badRequest(`error decoding YAML: ${what}${where}`);
  }
  const body: unknown = doc.toJS();
  if (uniqueKeys) return { body };
  const duplicates = yamlDuplicateKeys(doc, lines);
  return duplicates.length ? { body, duplicates } : { body };
}

/**
 * Decodes a resource request body for the REST layer. Unless field validation is off (`Ignore`), repeated
 * keys are not errors here but findings for fieldValidation (Kubernetes keeps the last value and reports
 * them as Strict errors or Warn warnings); JSON text is kept only when a key does repeat, for the
 * ordered rescan, so the common body costs one extra counting pass.
 */
export function decodeRequestBody(buffer: Buffer, format: BodyFormat, fieldValidation?: string): { body: unknown; bodyDecoding?: BodyDecoding } {
  if (format !== 'yaml' && format !== 'json') return { body: decodeBody(buffer, format) };
  const text = buffer.toString('utf8');
  if (text.trim() === '') return { body: undefined };
  const findDuplicates = fieldValidation !== 'Ignore';
  if (format === 'yaml') {
    const { body, duplicates } = decodeYaml(text, false);
    return { body, bodyDecoding: findDuplicates && duplicates ? { yaml: true, yamlDuplicates: duplicates } : { yaml: true } };
  }
  const body = decodeBody(buffer, 'json');
  return findDuplicates && hasDuplicateKeys(text, body) ? { body, bodyDecoding: { duplicateJson: text } } : { body };
}

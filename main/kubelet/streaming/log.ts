// GET pods/NAME/log: PodLogOptions as kube-apiserver validates them, then the container's output as a
// chunked text/plain stream (what the kubelet's /containerLogs endpoint answers and the apiserver proxies).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, type FieldError } from '../../../shared/api/errors';
import type { ConnectHandler } from '../../apiserver/http/connect';
import type { LogOptions } from '../../runtime/runtime';
import { getPod, logInstance, runtimeFor, selectContainer, type StreamingBackend } from './pod-containers';

export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC 3339. */
  sinceTime?: string;
  timestamps: boolean;
  limitBytes?: number;
}

const bool = (v: string | undefined): boolean => v === 'true' || v === '1';

function integer(query: Record<string, string | undefined>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw ApiError.badRequest(`unable to parse "${raw}" as ${name}: strconv.ParseInt: parsing "${raw}": invalid syntax`);
  return Number(raw);
}

/** Parses and validates as ValidatePodLogOptions (422 Invalid with field causes). */
export function parsePodLogOptions(query: Record<string, string | undefined>): PodLogOptions {
  const options: PodLogOptions = {
    container: query.container || undefined,
    follow: bool(query.follow),
    previous: bool(query.previous),
    tailLines: integer(query, 'tailLines'),
    sinceSeconds: integer(query, 'sinceSeconds'),
    sinceTime: query.sinceTime || undefined,
    timestamps: bool(query.timestamps),
    limitBytes: integer(query, 'limitBytes'),
  };
  if (options.sinceTime !== undefined && Number.isNaN(Date.parse(options.sinceTime))) {
    throw ApiError.badRequest(`parsing time "${options.sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
  }
  const errors: FieldError[] = [];
  if (options.tailLines !== undefined && options.tailLines < 0) errors.push({ type: 'FieldValueInvalid', field: 'tailLines', value: options.tailLines, detail: 'must be greater than or equal to 0' });
  if (options.limitBytes !== undefined && options.limitBytes < 1) errors.push({ type: 'FieldValueInvalid', field: 'limitBytes', value: options.limitBytes, detail: 'must be greater than 0' });
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined) errors.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (options.sinceSeconds !== undefined && options.sinceSeconds < 1) errors.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', value: options.sinceSeconds, detail: 'must be greater than 0' });
  if (errors.length) throw ApiError.invalid('', 'PodLogOptions', '', errors);
  return options;
}

/** The runtime's options: `since` in epoch seconds (fractions kept for sinceTime precision). */
export function runtimeLogOptions(options: PodLogOptions, nowMs: number): LogOptions {
  const result: LogOptions = { follow: options.follow, timestamps: options.timestamps };
  if (options.tailLines !== undefined) result.tail = options.tailLines;
  if (options.sinceSeconds !== undefined) result.since = Math.floor(nowMs / 1000) - options.sinceSeconds;
  if (options.sinceTime !== undefined) result.since = Date.parse(options.sinceTime) / 1000;
  return result;
}

function waitForDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

export function podLogHandler(backend: StreamingBackend, now: () => number = Date.now): ConnectHandler {
  return async (req: IncomingMessage, res: ServerResponse | undefined, info) => {
    if (!res) throw ApiError.badRequest('pods/log is a plain GET; it cannot be upgraded');
    if (req.method !== 'GET') throw ApiError.methodNotAllowed('the server does not allow this method on the requested resource');
    const options = parsePodLogOptions(info.request.query ?? {});
    const pod = await getPod(backend.client, info.request.namespace, info.request.name);
    const container = selectContainer(pod, options.container);
    // A pod not yet on a node has no logs: the apiserver answers an empty body, not an error.
    if (!pod.spec?.nodeName) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end();
    }
    const runtime = runtimeFor(backend, pod);
    const instance = await logInstance(runtime, pod, container, options.previous);
    const stream = await runtime.logs(instance.id, runtimeLogOptions(options, now()));
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
    // Headers go out now, so `kubectl logs -f` sees the stream open before the first line.
    res.flushHeaders();
    let closed = false;
    res.once('close', () => {
      closed = true;
      stream.close();
    });
    let remaining = options.limitBytes ?? Infinity;
    try {
      for await (const chunk of stream) {
        if (closed) break;
        const data = chunk.data.length > remaining ? chunk.data.subarray(0, remaining) : chunk.data;
        remaining -= data.length;
        if (!res.write(data)) await waitForDrainOrClose(res);
        if (remaining <= 0) break;
      }
    } catch {
      // The engine dropped the stream (container removed, engine restarted): end what was sent.
    } finally {
      stream.close();
      if (!closed) res.end();
    }
  };
}

// `/api/...` and `/apis/...` requests that address resources: HTTP → ApiRequest → ApiHandler → answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../../shared/api/errors';
import type { ApiHandler, ApiRequest, RequestInfo, ResourceDef } from '../types';
import { decodeBody, decodeRequestBody, readBody } from './body';
import { acceptSerializedJson } from '../rest/serialized';
import type { ConnectRegistry } from './connect';
import { bodyFormatOf, negotiate, patchTypeOf } from './negotiation';
import { toApiError, WarningRecorder, writeBody, writeError } from './respond';
import { serveWatch } from './watch-stream';

export const notFound = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
export const methodNotAllowed = (): ApiError => ApiError.methodNotAllowed('the server does not allow this method on the requested resource');

export interface ResourceContext {
  handler: ApiHandler;
  resources: ResourceDef[];
  connect: ConnectRegistry;
  user: string;
  /** Unexpected (5xx) failures, for the log; the client only gets the Status. */
  onInternalError(err: unknown): void;
}

export function findResource(resources: ResourceDef[], info: Pick<RequestInfo, 'group' | 'version' | 'resource'>): ResourceDef | undefined {
  return resources.find((r) => r.group === info.group && r.version === info.version && r.resource === info.resource);
}

/** Query parameters under their Kubernetes names; `watch` is expressed by the verb instead. */
export function queryOf(url: URL, info: RequestInfo): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (k !== 'watch') query[k] = v;
  // A watch on one name is a watch of the collection narrowed by metadata.name (as the apiserver does).
  if (info.verb === 'watch' && info.name !== undefined) {
    const byName = `metadata.name=${info.name}`;
    query.fieldSelector = query.fieldSelector ? `${query.fieldSelector},${byName}` : byName;
  }
  return query;
}

async function requestBody(req: IncomingMessage, info: RequestInfo, fieldValidation: string | undefined): Promise<Pick<ApiRequest, 'body' | 'patchType' | 'bodyDecoding'>> {
  switch (info.verb) {
    case 'create':
    case 'update': {
      const format = bodyFormatOf(req.headers['content-type']);
      return decodeRequestBody(await readBody(req), format, fieldValidation);
    }
    case 'patch': {
      const patchType = patchTypeOf(req.headers['content-type']);
      const decoded = decodeRequestBody(await readBody(req), patchType === 'application/apply-patch+yaml' ? 'yaml' : 'json', fieldValidation);
      if (decoded.body === undefined) throw ApiError.badRequest('the body of a PATCH request must not be empty');
      return { ...decoded, patchType };
    }
    case 'delete':
    case 'deletecollection': {
      // DeleteOptions are optional; clients send them as JSON.
      const buffer = await readBody(req);
      return { body: decodeBody(buffer, bodyFormatOf(req.headers['content-type'])) };
    }
    default:
      return {};
  }
}

function successCode(request: ApiRequest, result: unknown): number {
  if (request.verb === 'create') return 201;
  if (request.verb === 'delete') {
    // As the apiserver: 202 only when the object is still there and the (deprecated) orphanDependents=false
    // asked for cascading deletion; a graceful or finalizer-blocked deletion otherwise answers 200.
    const body = request.body as { orphanDependents?: boolean } | undefined;
    const pending = !!(result as { metadata?: { deletionTimestamp?: string } } | undefined)?.metadata?.deletionTimestamp;
    if (pending && body?.orphanDependents === false) return 202;
  }
  return 200;
}

export async function serveResource(req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo, ctx: ResourceContext): Promise<void> {
  const def = findResource(ctx.resources, info);
  if (!def) throw notFound();
  if (info.verb === 'create' && info.name !== undefined && info.subresource === undefined) throw methodNotAllowed();
  if (info.subresource !== undefined && (info.verb === 'watch' || info.verb === 'deletecollection')) throw notFound();

  const request: ApiRequest = { ...info, query: queryOf(url, info), user: ctx.user };
  if (!def.namespaced) delete request.namespace;

  const connectHandler = ctx.connect.lookup(info.group, info.resource, info.subresource);
  if (connectHandler) {
    await connectHandler(req, res, { request });
    return;
  }

  const negotiated = negotiate(req.headers.accept, { watch: info.verb === 'watch' });
  if (negotiated.asTable) request.asTable = true;
  if (info.verb === 'watch') {
    serveWatch(ctx.handler, request, res, ctx.onInternalError);
    return;
  }
  Object.assign(request, await requestBody(req, info, request.query?.fieldValidation));
  // A JSON list may come back as the stored JSON of its items, spliced (see rest/serialized.ts).
  if (info.verb === 'list' && negotiated.format === 'json' && !request.asTable) acceptSerializedJson(request);
  const warnings = new WarningRecorder();
  request.onWarning = (text) => warnings.add(text);
  try {
    const result = await ctx.handler.handle(request);
    warnings.writeTo(res);
    writeBody(res, successCode(request, result), result, negotiated.format);
  } catch (err) {
    if (toApiError(err).code >= 500) ctx.onInternalError(err);
    warnings.writeTo(res);
    writeError(res, err, negotiated.format);
  }
}

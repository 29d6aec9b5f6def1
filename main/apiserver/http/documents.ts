// Answers for the non-resource documents: discovery, OpenAPI, /version and health checks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { aggregatedDiscovery, AGGREGATED_CONTENT_TYPE, apiGroup, apiGroupList, apiResourceList, apiVersions } from '../discovery/discovery';
import { type ExtraSubresources, findGroupVersion } from '../discovery/group-versions';
import type { VersionInfo } from '../discovery/version';
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ALT } from '../openapi/openapi-v2-protobuf';
import { openApiDocuments } from '../openapi/served-documents';
import type { ResourceDef } from '../types';
import { negotiate, notAcceptable, parseAccept } from './negotiation';
import { notFound } from './resource-requests';
import type { ParsedPath } from './routing';
import { writeBody, writeJson, writeText } from './respond';

export interface DocumentContext {
  resources: ResourceDef[];
  extra: ExtraSubresources;
  version: VersionInfo;
  serverAddress: string;
  isReady(): boolean;
}

const HEALTH_ROOTS = ['/healthz', '/livez', '/readyz'];

/** `/healthz`, `/livez`, `/readyz` and their per-check paths (`/readyz/ping`), as the apiserver serves them. */
export function isHealthPath(pathname: string): boolean {
  return HEALTH_ROOTS.some((root) => pathname === root || (pathname.startsWith(`${root}/`) && /^\/[a-z]+\/[a-z0-9-]+$/.test(pathname)));
}

export function serveHealth(res: ServerResponse, url: URL, ctx: DocumentContext): void {
  const root = `/${url.pathname.split('/')[1]}`;
  const check = url.pathname.slice(root.length + 1);
  const checks: Record<string, boolean> = { ping: true, 'bosun-lab': root !== '/readyz' || ctx.isReady() };
  if (check) {
    if (!(check in checks)) return writeText(res, 404, `${check} check not found\n`);
    return writeText(res, checks[check] ? 200 : 500, checks[check] ? 'ok' : `[-]${check} failed: not ready yet\n`);
  }
  const healthy = Object.values(checks).every(Boolean);
  const name = root.slice(1);
  if (url.searchParams.has('verbose') || !healthy) {
    const lines = Object.entries(checks).map(([n, ok]) => (ok ? `[+]${n} ok` : `[-]${n} failed: not ready yet`));
    return writeText(res, healthy ? 200 : 500, `${lines.join('\n')}\n${name} check ${healthy ? 'passed' : 'failed'}\n`);
  }
  writeText(res, 200, 'ok');
}

export function serveVersion(req: IncomingMessage, res: ServerResponse, ctx: DocumentContext): void {
  const n = negotiate(req.headers.accept);
  writeBody(res, 200, ctx.version, n.format);
}

type DiscoveryPath = Extract<ParsedPath, { type: 'discovery-root' | 'discovery-group' | 'discovery-version' }>;

export function serveDiscovery(req: IncomingMessage, res: ServerResponse, parsed: DiscoveryPath, ctx: DocumentContext): void {
  if (parsed.type === 'discovery-root') {
    const n = negotiate(req.headers.accept, { aggregatedDiscovery: true });
    if (n.discovery) {
      return writeJson(res, 200, aggregatedDiscovery(ctx.resources, parsed.legacy, n.discovery, ctx.extra), AGGREGATED_CONTENT_TYPE(n.discovery));
    }
    return writeBody(res, 200, parsed.legacy ? apiVersions(ctx.serverAddress) : apiGroupList(ctx.resources), n.format);
  }
  const n = negotiate(req.headers.accept);
  if (parsed.type === 'discovery-group') {
    const doc = apiGroup(ctx.resources, parsed.group);
    if (!doc) throw notFound();
    return writeBody(res, 200, doc, n.format);
  }
  const gv = findGroupVersion(ctx.resources, parsed.group, parsed.version);
  if (!gv) throw notFound();
  writeBody(res, 200, apiResourceList(gv, ctx.extra), n.format);
}

function acceptsJson(accept: string | undefined): boolean {
  return parseAccept(accept).some((r) => (r.type === 'application/json' && !r.params.as) || r.type === '*/*' || r.type === 'application/*');
}

/** `/openapi/v2` as JSON or, for kubectl, as gnostic protobuf; whichever the client lists first. */
function serveOpenApiV2(req: IncomingMessage, res: ServerResponse, ctx: DocumentContext, title: string): void {
  for (const range of parseAccept(req.headers.accept)) {
    if (range.type === OPENAPI_V2_PROTOBUF || range.type === OPENAPI_V2_PROTOBUF_ALT) {
      const body = openApiDocuments(ctx.resources, title, ctx.version.gitVersion, ctx.extra).v2Protobuf();
      // As kube-openapi: the '@' spelling is not a valid Go media type, so it is answered as octet-stream.
      const contentType = range.type === OPENAPI_V2_PROTOBUF ? 'application/octet-stream' : OPENAPI_V2_PROTOBUF_ALT;
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length, 'Cache-Control': 'no-cache, private' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if ((range.type === 'application/json' && !range.params.as) || range.type === '*/*' || range.type === 'application/*') {
      return writeJson(res, 200, openApiDocuments(ctx.resources, title, ctx.version.gitVersion, ctx.extra).v2Json());
    }
  }
  throw notAcceptable();
}

export function serveOpenApi(req: IncomingMessage, res: ServerResponse, pathname: string, ctx: DocumentContext): void {
  const title = 'Kubernetes';
  if (pathname === '/openapi/v2') return serveOpenApiV2(req, res, ctx, title);
  if (!acceptsJson(req.headers.accept)) throw notAcceptable();
  // Generated on first use and kept serialized (see served-documents.ts).
  const docs = openApiDocuments(ctx.resources, title, ctx.version.gitVersion, ctx.extra);
  if (pathname === '/openapi/v3' || pathname === '/openapi/v3/') return writeJson(res, 200, docs.v3Index());
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(pathname);
  if (!m) throw notFound();
  const [group, version] = m[1] ? ['', m[1]] : [m[2], m[3]];
  const doc = docs.v3(group, version);
  if (!doc) throw notFound();
  writeJson(res, 200, doc);
}

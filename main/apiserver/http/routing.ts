// Path → RequestInfo, following k8s.io/apiserver/pkg/endpoints/request.RequestInfoFactory so that every
// URL kubectl or client-go builds lands on the same verb/resource/name a real apiserver would pick.
import type { RequestInfo, Verb } from '../types';

/** Subresources of a namespace object itself: `/api/v1/namespaces/{name}/status|finalize`. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export type ParsedPath =
  | { type: 'resource'; info: RequestInfo; watch: boolean }
  | { type: 'discovery-root'; legacy: boolean } // `/api` or `/apis`
  | { type: 'discovery-group'; group: string } // `/apis/{group}`
  | { type: 'discovery-version'; group: string; version: string } // `/api/v1`, `/apis/{g}/{v}`
  | { type: 'not-found' }
  | { type: 'method-not-allowed' }
  | { type: 'bad-request'; message: string };

/** Splits a raw request path into decoded segments; undefined when a segment is malformed. */
export function pathSegments(pathname: string): string[] | undefined {
  // Like RequestInfoFactory: outer slashes are trimmed, but an empty inner segment (`/api/v1//pods`)
  // names nothing.
  const trimmed = pathname.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  const parts = trimmed.split('/');
  if (parts.includes('')) return undefined;
  const out: string[] = [];
  for (const part of parts) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (decoded.includes('/') || decoded.includes('\0')) return undefined;
    out.push(decoded);
  }
  return out;
}

function isWatchParam(value: string | null): boolean {
  return value === 'true' || value === '1';
}

/**
 * Maps method + path + `watch` query parameter to what the request addresses. Only `/api/...` and
 * `/apis/...` paths are handled here; the caller dispatches every other prefix.
 */
export function parseApiPath(method: string, pathname: string, watchParam: string | null): ParsedPath {
  const segs = pathSegments(pathname);
  if (!segs || segs.length === 0) return { type: 'not-found' };
  let rest: string[];
  let group: string;
  if (segs[0] === 'api') {
    if (segs.length === 1) return { type: 'discovery-root', legacy: true };
    group = '';
    rest = segs.slice(1);
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { type: 'discovery-root', legacy: false };
    if (segs.length === 2) return { type: 'discovery-group', group: segs[1] };
    group = segs[1];
    rest = segs.slice(2);
  } else {
    return { type: 'not-found' };
  }
  const version = rest[0];
  let parts = rest.slice(1);
  if (parts.length === 0) return { type: 'discovery-version', group, version };

  // Legacy `/api/v1/watch/...` is the same as `?watch=true` on the remaining path.
  let watch = isWatchParam(watchParam);
  if (parts[0] === 'watch') {
    watch = true;
    parts = parts.slice(1);
    if (parts.length === 0) return { type: 'not-found' };
  }

  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    // `/namespaces/{name}` and `/namespaces/{name}/status|finalize` address the Namespace object itself.
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  if (parts.length > 3) return { type: 'not-found' };
  const [resource, name, subresource] = parts;
  if (resource === 'namespaces') namespace = undefined;

  for (const [what, value] of [['namespace', namespace], ['resource name', name]] as const) {
    const problem = value === undefined ? undefined : pathSegmentProblem(value);
    if (problem) return { type: 'bad-request', message: `invalid ${what} ${JSON.stringify(value)}: ${problem}` };
  }

  const verb = verbFor(method, name !== undefined, watch);
  if (!verb) return { type: 'method-not-allowed' };
  const info: RequestInfo = { verb, group, version, resource };
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) info.name = name;
  if (subresource !== undefined) info.subresource = subresource;
  return { type: 'resource', info, watch: verb === 'watch' };
}

/** apimachinery's IsValidPathSegmentName: names that could not round-trip through a URL path. */
function pathSegmentProblem(segment: string): string | undefined {
  if (segment === '.' || segment === '..') return `may not be '${segment}'`;
  if (segment.includes('%')) return "may not contain '%'";
  return undefined;
}

function verbFor(method: string, hasName: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      // POST to an item path is only meaningful for subresources (binding, eviction, exec...);
      // the caller rejects POST on a plain item.
      return 'create';
    case 'PUT':
      return hasName ? 'update' : undefined;
    case 'PATCH':
      return hasName ? 'patch' : undefined;
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

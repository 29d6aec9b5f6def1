// Content negotiation as the apiserver does it: JSON by default (also when kubectl lists protobuf first),
// YAML on request, Table for `kubectl get`, aggregated discovery for kubectl >= 1.26; never protobuf out.
// Protobuf request bodies are accepted (kubectl >= 1.32 sends them for typed creates; see ../protobuf).
import { ApiError } from '../../../shared/api/errors';
import type { PatchType } from '../types';

export interface MediaRange {
  type: string; // "application/json", "*/*", ...
  params: Record<string, string>;
}

export type DiscoveryVersion = 'v2' | 'v2beta1';

export interface Negotiated {
  format: 'json' | 'yaml';
  asTable: boolean;
  /** Set when the client asked for an aggregated APIGroupDiscoveryList and this endpoint can give it. */
  discovery?: DiscoveryVersion;
}

export interface NegotiationOptions {
  /** `/api` and `/apis` can answer with aggregated discovery. */
  aggregatedDiscovery?: boolean;
  /** Watch streams are JSON only (the apiserver has no YAML stream framer). */
  watch?: boolean;
}

export function parseMediaType(value: string): MediaRange {
  const [type, ...rawParams] = value.split(';');
  const params: Record<string, string> = {};
  for (const raw of rawParams) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    params[raw.slice(0, eq).trim().toLowerCase()] = raw.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || !header.trim()) return [{ type: '*/*', params: {} }];
  return header
    .split(',')
    .map((part) => parseMediaType(part))
    .filter((r) => r.type !== '' && r.params.q !== '0')
    .map((r, i) => ({ r, i, q: r.params.q === undefined ? 1 : Number(r.params.q) || 0 }))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.r);
}

const ACCEPTED = 'application/json, application/yaml';

export function notAcceptable(): ApiError {
  return new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${ACCEPTED}`);
}

function matchOne(range: MediaRange, options: NegotiationOptions): Negotiated | undefined {
  const { type, params } = range;
  const jsonish = type === 'application/json' || type === 'application/*' || type === '*/*';
  if (type === 'application/yaml') {
    if (options.watch || params.as) return undefined;
    return { format: 'yaml', asTable: false };
  }
  if (!jsonish) return undefined;
  if (params.as === undefined) return { format: 'json', asTable: false };
  if (type !== 'application/json') return undefined;
  if (params.as === 'Table' && params.g === 'meta.k8s.io' && (params.v === 'v1' || params.v === 'v1beta1')) {
    return { format: 'json', asTable: true };
  }
  if (
    options.aggregatedDiscovery &&
    params.as === 'APIGroupDiscoveryList' &&
    params.g === 'apidiscovery.k8s.io' &&
    (params.v === 'v2' || params.v === 'v2beta1')
  ) {
    return { format: 'json', asTable: false, discovery: params.v };
  }
  return undefined;
}

/** Picks the first acceptable range in the client's preference order; throws 406 when none is. */
export function negotiate(acceptHeader: string | undefined, options: NegotiationOptions = {}): Negotiated {
  for (const range of parseAccept(acceptHeader)) {
    const picked = matchOne(range, options);
    if (picked) return picked;
  }
  throw notAcceptable();
}

const PATCH_TYPES: PatchType[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** The patch type a PATCH body's Content-Type names; 415 for anything else. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = parseMediaType(contentType ?? '').type;
  const found = PATCH_TYPES.find((p) => p === type);
  if (!found) throw unsupportedMediaType(PATCH_TYPES);
  return found;
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

/** How to decode a POST/PUT/DELETE body: JSON (also when no Content-Type is sent), YAML or Kubernetes protobuf; 415 otherwise. */
export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  const type = parseMediaType(contentType ?? '').type;
  if (type === '' || type === 'application/json') return 'json';
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return 'yaml';
  if (type === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
}

// What every REST operation needs: the store, time, uid source, admission chain and the resource table,
// plus the small helpers all verbs share (store keys, StoreError → ApiError, dryRun, timestamps).
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { apiVersionOf } from '../../../shared/api/meta';
import type { Clock } from '../../client/clock';
import { isStoreError, type Store } from '../../store/store';
import type { AdmissionPlugin } from '../admission';
import type { ApiRequest, ResourceDef } from '../types';

/** Decides whether an eviction may proceed (PodDisruptionBudgets plug in here); throw ApiError 429 to refuse. */
export type EvictionPolicy = (pod: KubeObject, eviction: KubeObject, request: ApiRequest) => void | Promise<void>;

export interface RestContext {
  store: Store;
  clock: Clock;
  admission: AdmissionPlugin[];
  newUid(): string;
  resourceFor(group: string, resource: string): ResourceDef | undefined;
  evictionPolicy?: EvictionPolicy;
  bookmarkIntervalMs: number;
}

export const CONFLICT_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function storeKey(def: Pick<ResourceDef, 'group' | 'resource' | 'namespaced'>, namespace: string | undefined, name: string): string {
  const g = def.group || 'core';
  return def.namespaced ? `/${g}/${def.resource}/${namespace ?? ''}/${name}` : `/${g}/${def.resource}/${name}`;
}

/** Prefix of a collection, or of one namespace of it (trailing slash so "a" never matches "ab"). */
export function collectionPrefix(def: Pick<ResourceDef, 'group' | 'resource' | 'namespaced'>, namespace?: string): string {
  const g = def.group || 'core';
  return def.namespaced && namespace ? `/${g}/${def.resource}/${namespace}/` : `/${g}/${def.resource}/`;
}

export const keyOf = (def: ResourceDef, obj: KubeObject): string => storeKey(def, obj.metadata.namespace, obj.metadata.name ?? '');

export const gr = (def: ResourceDef): { group: string; resource: string } => ({ group: def.group, resource: def.resource });

export const apiVersionFor = (def: ResourceDef): string => apiVersionOf(def.group, def.version);

/** Maps a StoreError to the ApiError Kubernetes would answer; anything else passes through. */
export function toApiError(e: unknown, def: ResourceDef, name: string): unknown {
  if (!isStoreError(e)) return e;
  switch (e.code) {
    case 'NotFound':
      return ApiError.notFound(gr(def), name);
    case 'AlreadyExists':
      return ApiError.alreadyExists(gr(def), name);
    case 'Conflict':
      return ApiError.conflict(gr(def), name, CONFLICT_MESSAGE);
    case 'Expired':
      return ApiError.expired(e.message.startsWith('too old') ? e.message : `too old resource version: ${e.message}`);
    default:
      return ApiError.internal(e.message);
  }
}

export async function storeCall<T>(def: ResourceDef, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toApiError(e, def, name);
  }
}

export function isDryRun(req: ApiRequest): boolean {
  const v = req.query?.dryRun ?? (isObj(req.body) && Array.isArray(req.body.dryRun) ? (req.body.dryRun as string[]).join(',') : undefined);
  if (v === undefined || v === '') return false;
  if (v !== 'All') throw ApiError.badRequest(`Invalid dryRun value: ${v}. Allowed values: All`);
  return true;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export function unknownResource(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** Body of a create/update: must be an object whose apiVersion/kind (when present) match the endpoint. */
export function requireObjectBody(def: ResourceDef, body: unknown, expect?: { apiVersion: string; kind: string }): KubeObject {
  if (!isObj(body)) throw ApiError.badRequest('the body of the request must be a JSON or YAML object');
  const want = expect ?? { apiVersion: apiVersionFor(def), kind: def.kind };
  if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== want.apiVersion) {
    throw ApiError.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${want.apiVersion})`);
  }
  if (body.kind !== undefined && body.kind !== '' && body.kind !== want.kind) {
    throw ApiError.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${want.kind})`);
  }
  const obj = clone(body) as KubeObject;
  obj.apiVersion = want.apiVersion;
  obj.kind = want.kind;
  if (!isObj(obj.metadata)) obj.metadata = {};
  return obj;
}

export function statusSuccess(code: number, details?: Record<string, unknown>): Record<string, unknown> {
  const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = details;
  return s;
}

/** Who a non-apply write is recorded for in managedFields: ?fieldManager=, else the user. */
export function updateManager(ctx: RestContext, def: ResourceDef, req: ApiRequest, subresource?: string): { manager: string; apiVersion: string; now: string; subresource?: string } {
  const manager = req.query?.fieldManager || req.user || 'unknown';
  if (manager.length > 128) throw ApiError.badRequest(`fieldManager: Too long: may not be longer than 128`);
  return { manager, apiVersion: apiVersionFor(def), now: rfc3339(ctx.clock.nowMs()), subresource };
}

// GET on a collection: selectors, resourceVersion semantics and limit/continue pagination.
//
// Pages after the first are served from a consistent snapshot at the first page's resourceVersion,
// like etcd's MVCC reads: the current state rewound through the store's event window. When the window
// no longer reaches back that far the token has expired (410), exactly like compaction in Kubernetes.
import { ApiError } from '../../../shared/api/errors';
import type { KubeList, KubeObject } from '../../../shared/api/meta';
import { isStoreError, type StoreEvent } from '../../store/store';
import type { ApiRequest, ResourceDef } from '../types';
import { apiVersionFor, collectionPrefix, keyOf, type RestContext } from './context';
import { predicateFor } from './selection';
import { acceptsSerializedJson, SerializedJson } from './serialized';

const TOKEN_VERSION = 'meta.k8s.io/v1';

export const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv, start } satisfies ContinueToken)).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== TOKEN_VERSION || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad token');
    return t;
  } catch {
    throw ApiError.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/** State of a collection at `rv`: the current list rewound through the store's event window. */
export async function snapshotAt(ctx: RestContext, prefix: string, rv: number, expiredMessage: string): Promise<{ key: string; object: KubeObject }[]> {
  const current = await ctx.store.list(prefix);
  const state = new Map<string, KubeObject>();
  for (const o of current.items) state.set(keyFromStored(prefix, o), o);
  if (rv < current.resourceVersion) {
    const events: StoreEvent[] = [];
    try {
      // History is replayed synchronously by Store.watch, so stopping at once loses nothing we need.
      ctx.store.watch(prefix, rv, (e) => events.push(e)).stop();
    } catch (e) {
      if (isStoreError(e, 'Expired')) throw ApiError.expired(expiredMessage);
      throw e;
    }
    for (const e of events.filter((x) => x.resourceVersion <= current.resourceVersion).reverse()) {
      if (e.type === 'ADDED') state.delete(e.key);
      else if (e.prevObject) state.set(e.key, JSON.parse(JSON.stringify(e.prevObject)) as KubeObject);
    }
  }
  return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, object]) => ({ key, object }));
}

// Keys are derived again from objects so snapshots and live lists share one ordering.
function keyFromStored(prefix: string, o: KubeObject): string {
  const parts = prefix.split('/').filter(Boolean);
  const base = `/${parts[0]}/${parts[1]}/`;
  return o.metadata.namespace ? `${base}${o.metadata.namespace}/${o.metadata.name}` : `${base}${o.metadata.name}`;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** A selected item: the shared, frozen stored object with its JSON, or a private copy from a snapshot. */
interface Selected {
  key: string;
  object: KubeObject;
  json?: string;
}

interface Selection extends Omit<ListResult, 'items'> {
  selected: Selected[];
}

export async function listObjects(ctx: RestContext, def: ResourceDef, req: ApiRequest): Promise<ListResult> {
  const { selected, ...rest } = await select(ctx, def, req);
  // One private copy per returned item, made only for the items that passed selection.
  return { ...rest, items: selected.map((e) => (e.json === undefined ? e.object : (JSON.parse(e.json) as KubeObject))) };
}

async function select(ctx: RestContext, def: ResourceDef, req: ApiRequest): Promise<Selection> {
  const q = req.query ?? {};
  const matches = predicateFor(def, req);
  const prefix = collectionPrefix(def, req.namespace);
  const limit = q.limit ? Number(q.limit) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw ApiError.badRequest(`invalid limit: ${q.limit}`);

  let rv: number;
  let startKey = '';
  let entries: Selected[];
  if (q.continue) {
    if (q.resourceVersion && q.resourceVersion !== '0') throw ApiError.badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(q.continue);
    rv = token.rv;
    startKey = token.start;
    entries = await snapshotAt(ctx, prefix, rv, CONTINUE_EXPIRED);
  } else if (q.resourceVersionMatch === 'Exact' && q.resourceVersion) {
    rv = Number(q.resourceVersion);
    if (!Number.isInteger(rv) || rv < 0) throw ApiError.badRequest(`invalid resource version: ${q.resourceVersion}`);
    entries = await snapshotAt(ctx, prefix, rv, `too old resource version: ${rv} (${ctx.store.resourceVersion})`);
  } else {
    if (q.resourceVersion && q.resourceVersion !== '0' && !/^\d+$/.test(q.resourceVersion)) {
      throw ApiError.badRequest(`invalid resource version: ${q.resourceVersion}`);
    }
    // Selection reads the shared stored objects; nothing is copied for items left out.
    const listed = await ctx.store.listShared(prefix);
    rv = listed.resourceVersion;
    entries = listed.items.map(({ object, json }) => ({ key: keyOf(def, object), object, json }));
  }

  const selected = entries.filter((e) => (startKey === '' || e.key > startKey) && matches(e.object));
  const result: Selection = { selected, resourceVersion: String(rv) };
  if (limit > 0 && selected.length > limit) {
    result.selected = selected.slice(0, limit);
    result.continue = encodeContinue(rv, result.selected[result.selected.length - 1].key);
    result.remainingItemCount = selected.length - limit;
  }
  return result;
}

export async function list(ctx: RestContext, def: ResourceDef, req: ApiRequest): Promise<KubeList | SerializedJson> {
  if (!acceptsSerializedJson(req)) {
    const r = await listObjects(ctx, def, req);
    return { apiVersion: apiVersionFor(def), kind: `${def.kind}List`, metadata: listMeta(r), items: r.items };
  }
  // The same bytes JSON.stringify gives for the list above: the head without items, then each item's
  // stored JSON (which is what JSON.stringify of its parse gives back), in the same key order.
  const { selected, ...r } = await select(ctx, def, req);
  const head = JSON.stringify({ apiVersion: apiVersionFor(def), kind: `${def.kind}List`, metadata: listMeta(r) });
  const items = selected.map((e) => e.json ?? JSON.stringify(e.object));
  return new SerializedJson(`${head.slice(0, -1)},"items":[${items.join(',')}]}`);
}

function listMeta(r: Omit<ListResult, 'items'>): KubeList['metadata'] {
  const metadata: KubeList['metadata'] = { resourceVersion: r.resourceVersion };
  if (r.continue) metadata.continue = r.continue;
  if (r.remainingItemCount !== undefined) metadata.remainingItemCount = r.remainingItemCount;
  return metadata;
}

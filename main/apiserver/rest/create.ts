// POST on a collection: k8s.io/apiserver's create handler + registry Store.Create.
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { isStoreError } from '../../store/store';
import type { ApiRequest, ResourceDef } from '../types';
import { recordUpdate } from '../patch';
import { checkObjectFields } from '../schema/field-validation';
import { gr, isDryRun, updateManager, requireObjectBody, rfc3339, storeCall, storeKey, toApiError, type RestContext } from './context';
import { admitAndValidate } from './pipeline';

// The alphabet of k8s.io/apiserver/pkg/storage/names: no vowels (no words), no confusable 0/1/3.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const RANDOM_LENGTH = 5;
const MAX_NAME_LENGTH = 63;
const GENERATE_ATTEMPTS = 16;

export function generateName(base: string): string {
  const prefix = base.length > MAX_NAME_LENGTH - RANDOM_LENGTH ? base.slice(0, MAX_NAME_LENGTH - RANDOM_LENGTH) : base;
  let suffix = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return prefix + suffix;
}

/** Resolves the namespace of a create from URL and body (they must agree). */
export function resolveNamespace(def: ResourceDef, req: ApiRequest, obj: KubeObject): void {
  if (!def.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const fromBody = obj.metadata.namespace;
  if (req.namespace && fromBody && req.namespace !== fromBody) {
    throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const ns = req.namespace || fromBody;
  if (ns) obj.metadata.namespace = ns;
}

/** NamespaceLifecycle: no new content in missing or terminating namespaces. */
export async function checkNamespaceAccepts(ctx: RestContext, def: ResourceDef, namespace: string | undefined, name: string): Promise<void> {
  if (!def.namespaced || !namespace) return;
  const nsDef = ctx.resourceFor('', 'namespaces');
  if (!nsDef) return;
  const ns = (await ctx.store.getShared(storeKey(nsDef, undefined, namespace)))?.object;
  if (!ns) throw ApiError.notFound({ group: '', resource: 'namespaces' }, namespace);
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  if (ns.metadata.deletionTimestamp || phase === 'Terminating') {
    throw ApiError.forbidden(`${def.resource}${def.group ? '.' + def.group : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
      name,
      group: def.group,
      kind: def.resource,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}

/** Prepares a decoded object for its first write: system fields, generated name, cleared status. */
export function prepareForCreate(ctx: RestContext, def: ResourceDef, obj: KubeObject): void {
  const m = obj.metadata;
  if (m.resourceVersion) throw ApiError.badRequest('resourceVersion should not be set on objects to be created');
  m.uid = ctx.newUid();
  m.creationTimestamp = rfc3339(ctx.clock.nowMs());
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  if (def.tracksGeneration) m.generation = 1;
  else delete m.generation;
  if (def.subresources?.includes('status') && !def.keepsStatusOnCreate) obj.status = {};
}

export async function create(ctx: RestContext, def: ResourceDef, req: ApiRequest, decoded?: KubeObject): Promise<KubeObject> {
  const obj = decoded ?? requireObjectBody(def, req.body);
  // A decoded object comes from an update that already checked its body (create on update).
  if (!decoded) checkObjectFields(def, req, obj, 'CreateOptions');
  resolveNamespace(def, req, obj);
  prepareForCreate(ctx, def, obj);
  return createPrepared(ctx, def, req, obj);
}

/** Runs admission/validation and stores an object already prepared by prepareForCreate. */
export async function createPrepared(ctx: RestContext, def: ResourceDef, req: ApiRequest, obj: KubeObject, opts: { apply?: boolean } = {}): Promise<KubeObject> {
  const dryRun = isDryRun(req);
  const m = obj.metadata;
  const generated = !m.name && !!m.generateName;
  if (generated) m.name = generateName(m.generateName!);
  await checkNamespaceAccepts(ctx, def, m.namespace, m.name ?? '');
  await admitAndValidate(ctx, def, req, { operation: 'CREATE', object: obj, dryRun });
  if (!opts.apply) {
    delete m.managedFields;
    recordUpdate(obj, undefined, def.kind, updateManager(ctx, def, req));
  }
  if (dryRun) {
    if (await ctx.store.getShared(storeKey(def, m.namespace, m.name!))) throw ApiError.alreadyExists(gr(def), m.name!);
    return obj;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.store.create(storeKey(def, m.namespace, m.name!), obj);
    } catch (e) {
      // generateName must never surface a collision: draw another suffix (Kubernetes retries too).
      if (generated && isStoreError(e, 'AlreadyExists') && attempt < GENERATE_ATTEMPTS) {
        m.name = generateName(m.generateName!);
        continue;
      }
      throw toApiError(e, def, m.name!);
    }
  }
}

export async function get(ctx: RestContext, def: ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject> {
  const obj = await storeCall(def, name, () => ctx.store.get(storeKey(def, namespace, name)));
  if (!obj) throw ApiError.notFound(gr(def), name);
  return obj;
}

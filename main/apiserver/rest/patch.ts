// PATCH: the four content types, applied inside the optimistic-concurrency loop (re-read and re-apply
// on conflict, unless the patch pinned metadata.resourceVersion itself, as Kubernetes does).
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { applyPatch, serverSideApply } from '../patch';
import { checkApplyDocument, checkApplyObjectFields, patchCheck } from '../schema/patch-validation';
import type { ApiRequest, PatchType, ResourceDef } from '../types';
import { apiVersionFor, clone, isDryRun, isObj, requireObjectBody, rfc3339, type RestContext } from './context';
import { createPrepared, prepareForCreate, resolveNamespace } from './create';
import { finishUpdate, guaranteedUpdate, prepareForUpdate, runUpdate } from './update';

const PATCH_TYPES: PatchType[] = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** The patch document: HTTP may hand over text (YAML for apply) or an already parsed value. */
export function decodePatch(type: PatchType, body: unknown): unknown {
  let doc = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    try {
      doc = type === 'application/apply-patch+yaml' ? parseYaml(text) : JSON.parse(text);
    } catch (e) {
      throw ApiError.badRequest(`error decoding patch: ${(e as Error).message}`);
    }
  }
  if (doc === undefined || doc === null) throw ApiError.badRequest('the body of a patch request must not be empty');
  return doc;
}

/** Whether the patch itself names a resourceVersion (then it is a precondition, not retried). */
function patchResourceVersion(type: PatchType, patch: unknown): string | undefined {
  if (type === 'application/json-patch+json') {
    if (!Array.isArray(patch)) return undefined;
    const op = patch.find((o) => isObj(o) && o.path === '/metadata/resourceVersion' && (o.op === 'replace' || o.op === 'add' || o.op === 'test'));
    return op ? String(op.value) : undefined;
  }
  const rv = isObj(patch) && isObj(patch.metadata) ? patch.metadata.resourceVersion : undefined;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

export async function patch(ctx: RestContext, def: ResourceDef, req: ApiRequest, subresource?: string): Promise<KubeObject> {
  const type = req.patchType;
  if (!type || !PATCH_TYPES.includes(type)) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
  }
  const doc = decodePatch(type, req.body);
  if (type === 'application/apply-patch+yaml') return apply(ctx, def, req, doc, subresource);
  const name = req.name!;
  const precondition = patchResourceVersion(type, doc);
  const fields = patchCheck(def, req, type, doc);
  return runUpdate(() =>
    guaranteedUpdate(
      ctx,
      def,
      req.namespace,
      name,
      async (old) => {
        const patched = applyPatch(type, old, doc, def.kind);
        if (!isObj(patched) || !isObj(patched.metadata)) throw ApiError.badRequest('the patch removed the object metadata');
        const result = patched as KubeObject;
        if (result.apiVersion !== old.apiVersion || result.kind !== old.kind) {
          throw ApiError.badRequest(`the patch may not change apiVersion or kind (${old.apiVersion}, ${old.kind})`);
        }
        if (result.metadata.resourceVersion && result.metadata.resourceVersion !== old.metadata.resourceVersion) {
          throw ApiError.conflict({ group: def.group, resource: def.resource }, name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        fields.checkResult(result);
        return finishUpdate(ctx, def, req, old, prepareForUpdate(def, old, result, subresource), subresource);
      },
      { precondition },
    ),
  );
}

async function apply(ctx: RestContext, def: ResourceDef, req: ApiRequest, doc: unknown, subresource?: string): Promise<KubeObject> {
  const manager = req.query?.fieldManager;
  if (!manager) throw ApiError.badRequest('PATCH, application/apply-patch+yaml requests require a fieldManager query parameter');
  if (!isObj(doc)) throw ApiError.badRequest('an apply patch must be a YAML or JSON object');
  if (!doc.apiVersion || !doc.kind) throw ApiError.badRequest('apiVersion and kind must be set in an applied configuration');
  const applied = requireObjectBody(def, doc);
  const name = req.name!;
  if (applied.metadata.name && applied.metadata.name !== name) {
    throw ApiError.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (def.namespaced && req.namespace && applied.metadata.namespace && applied.metadata.namespace !== req.namespace) {
    throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  checkApplyObjectFields(def, applied, req.namespace, name);
  const force = req.query?.force === 'true';
  const base = { manager, force, kind: def.kind, apiVersion: apiVersionFor(def), subresource };
  const precondition = applied.metadata.resourceVersion || undefined;
  return runUpdate(() =>
    guaranteedUpdate(
      ctx,
      def,
      req.namespace,
      name,
      async (old) => {
        const merged = serverSideApply({ ...base, live: old, applied, now: rfc3339(ctx.clock.nowMs()) });
        checkApplyDocument(req);
        return finishUpdate(ctx, def, req, old, prepareForUpdate(def, old, merged, subresource), subresource, { apply: true });
      },
      {
        precondition,
        onMissing: async () => {
          if (subresource) throw ApiError.notFound({ group: def.group, resource: def.resource }, name);
          const obj = serverSideApply({ ...base, live: undefined, applied: clone(applied), now: rfc3339(ctx.clock.nowMs()) });
          checkApplyDocument(req);
          obj.metadata.name = name;
          resolveNamespace(def, req, obj);
          delete obj.metadata.resourceVersion;
          prepareForCreate(ctx, def, obj);
          // The applied config may carry status; creation clears it like any create.
          return createPrepared(ctx, def, { ...req, query: { ...req.query, dryRun: isDryRun(req) ? 'All' : undefined } }, obj, { apply: true });
        },
      },
    ),
  );
}

// Extra served versions of a kind stored in one version, as kube-apiserver serves autoscaling/v1 and
// autoscaling/v2 HorizontalPodAutoscalers from one storage version: requests to the other version are
// converted to the storage version on the way in and back on the way out (objects, lists, watch events,
// patches applied in the requested version's shape). The store and every in-process component only
// ever see the storage version.
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject, WatchEvent } from '../../../shared/api/meta';
import { applyPatch } from '../patch';
import type { ApiHandler, ApiRequest, ApiWatch, ResourceDef } from '../types';

export interface ServedVersion {
  /** The extra version's ResourceDef (routing, discovery, tables); same group/resource as the stored one. */
  def: ResourceDef;
  storageVersion: string;
  toStorage(object: KubeObject): KubeObject;
  fromStorage(object: KubeObject): KubeObject;
}

const isObject = (v: unknown): v is KubeObject => !!v && typeof v === 'object' && 'metadata' in (v as object);

/** Wraps the REST handler so that the served versions' requests reach it in the storage version. */
export class ServedVersionsHandler implements ApiHandler {
  private readonly byKey = new Map<string, ServedVersion>();

  constructor(
    private readonly inner: ApiHandler,
    versions: ServedVersion[],
  ) {
    for (const v of versions) this.byKey.set(`${v.def.group}/${v.def.version}/${v.def.resource}`, v);
  }

  private versionFor(req: ApiRequest): ServedVersion | undefined {
    return this.byKey.get(`${req.group}/${req.version}/${req.resource}`);
  }

  async handle(req: ApiRequest): Promise<unknown> {
    const v = this.versionFor(req);
    if (!v) return this.inner.handle(req);
    const stored: ApiRequest = { ...req, version: v.storageVersion };
    if (req.verb === 'patch') return this.patch(v, stored, req);
    if ((req.verb === 'create' || req.verb === 'update') && isObject(req.body)) {
      const body = req.body as KubeObject;
      const expected = `${v.def.group}/${v.def.version}`;
      if (body.apiVersion && body.apiVersion !== expected) {
        throw ApiError.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`);
      }
      stored.body = v.toStorage({ ...body, apiVersion: expected, kind: v.def.kind });
    }
    return this.out(v, await this.inner.handle(stored), req);
  }

  watch(req: ApiRequest, onEvent: (event: WatchEvent) => void, onClose: (error?: unknown) => void): ApiWatch {
    const v = this.versionFor(req);
    if (!v) return this.inner.watch(req, onEvent, onClose);
    return this.inner.watch(
      { ...req, version: v.storageVersion },
      (e) => onEvent(isObject(e.object) && e.type !== 'BOOKMARK' && e.type !== 'ERROR' ? { ...e, object: v.fromStorage(e.object) } : e),
      onClose,
    );
  }

  /** Patches describe the requested version's shape: apply them there, then store the converted result. */
  private async patch(v: ServedVersion, stored: ApiRequest, req: ApiRequest): Promise<unknown> {
    if (req.patchType === 'application/apply-patch+yaml') {
      throw new ApiError(415, 'UnsupportedMediaType', `server-side apply is served for ${v.def.resource}.${v.def.group} in version ${v.storageVersion} only; use apiVersion ${v.def.group}/${v.storageVersion}`);
    }
    const current = (await this.inner.handle({ ...stored, verb: 'get', body: undefined, patchType: undefined, asTable: false })) as KubeObject;
    const mine = v.fromStorage(current);
    const patched = applyPatch(req.patchType ?? 'application/merge-patch+json', mine, req.body, v.def.kind) as KubeObject;
    const next = v.toStorage({ ...patched, apiVersion: `${v.def.group}/${v.def.version}`, kind: v.def.kind });
    next.metadata = { ...next.metadata, resourceVersion: current.metadata.resourceVersion };
    const result = await this.inner.handle({ ...stored, verb: 'update', body: next, patchType: undefined });
    return this.out(v, result, req);
  }

  private out(v: ServedVersion, result: unknown, req: ApiRequest): unknown {
    if (req.asTable || !result || typeof result !== 'object') return result;
    const r = result as { kind?: string; items?: unknown[] };
    if (Array.isArray(r.items) && r.kind?.endsWith('List')) {
      return { ...r, apiVersion: `${v.def.group}/${v.def.version}`, items: r.items.map((o) => (isObject(o) ? v.fromStorage(o) : o)) };
    }
    return isObject(result) && (result as KubeObject).kind === v.def.kind ? v.fromStorage(result as KubeObject) : result;
  }
}

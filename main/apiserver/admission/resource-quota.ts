// ResourceQuota admission (plugin/pkg/admission/resourcequota + pkg/quota/v1). On a create (and on the
// service/claim updates that change usage) the object's usage is charged to every quota of its
// namespace it falls under; a quota that would go over refuses the write with kube-apiserver's 403:
//   pods "web" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2
// The new status.used is written before the object is stored, as a compare-and-swap on the quota's
// resourceVersion: of two concurrent creates that both read used=1 of 2, one write wins, the other
// gets a Conflict, re-reads used=2 and is refused. If the object's write fails afterwards the charge
// stays until the resourcequota controller recounts (Kubernetes behaves the same way).
import { ApiError, isConflict } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import type { AdmissionContext, AdmissionPlugin } from '../admission';
import { forbiddenFor } from './limit-ranger';
import {
  addLists, exceeded, formatList, maskList, matchingResources, objectUsage, parseList, podConstraintError, prettyPrint, quotaAppliesTo,
  removeZeros, subtractNonNegative, type QuotaResource,
} from './resource-quota-usage';

type Obj = Record<string, any>;

export interface ResourceQuotaAdmissionOptions {
  /** The ResourceQuotas of a namespace, read fresh (not from a cache) so the CAS starts from the latest. */
  listQuotas(namespace: string): Promise<KubeObject[]>;
  /** PUT …/resourcequotas/<name>/status carrying the read resourceVersion; throws Conflict when stale. */
  updateQuotaStatus(quota: KubeObject): Promise<KubeObject>;
  nowMs?(): number;
  /** Rounds of re-reading after conflicts before giving up (Kubernetes gives up after 10 s). */
  maxAttempts?: number;
}

/** Resources whose updates can change usage (type → NodePort, a claim expanded). */
const UPDATE_CHARGED = new Set(['services', 'persistentvolumeclaims']);

function handles(ctx: AdmissionContext): boolean {
  if (ctx.subresource || !ctx.object || !ctx.resource.namespaced) return false;
  if (ctx.operation === 'CREATE') return true;
  return ctx.operation === 'UPDATE' && ctx.resource.group === '' && UPDATE_CHARGED.has(ctx.resource.resource);
}

const prettyNames = (names: string[]): string => [...names].sort().join(',');

/**
 * CheckRequest: the quotas to charge, each with its new status.used; throws the 403 a request gets when a
 * quota is exceeded, does not know its usage yet, or requires resources the pod does not name.
 */
export function chargeQuotas(quotas: KubeObject[], r: QuotaResource, ctx: AdmissionContext, nowMs: number): KubeObject[] {
  const object = ctx.object!;
  const interesting: KubeObject[] = [];
  for (const quota of quotas) {
    if (!quotaAppliesTo(quota, r, object)) continue;
    const status: Obj = (quota as Obj).status ?? {};
    const restricted = matchingResources(r, Object.keys(status.hard ?? {}));
    if (r.group === '' && r.resource === 'pods') {
      const missing = podConstraintError(object, restricted);
      if (missing) throw forbiddenFor(ctx, [`failed quota: ${quota.metadata.name}: ${missing}`]);
    }
    if (restricted.some((n) => status.used?.[n] === undefined)) {
      throw forbiddenFor(ctx, [`status unknown for quota: ${quota.metadata.name}, resources: ${prettyNames(restricted)}`]);
    }
    if (restricted.length) interesting.push(quota);
  }
  if (!interesting.length) return [];
  let delta = objectUsage(r, object, nowMs);
  if (ctx.operation === 'UPDATE' && ctx.oldObject?.metadata.resourceVersion) delta = subtractNonNegative(delta, objectUsage(r, ctx.oldObject, nowMs));
  delta = removeZeros(delta);
  if (!Object.keys(delta).length) return [];
  const charged: KubeObject[] = [];
  for (const quota of interesting) {
    const hard = parseList((quota as Obj).status?.hard);
    const used = parseList((quota as Obj).status?.used);
    const requested = maskList(delta, Object.keys(hard));
    if (!Object.keys(requested).length) continue;
    const newUsed = addLists(used, requested);
    const over = exceeded(maskList(newUsed, Object.keys(requested)), hard);
    if (over.length) {
      throw forbiddenFor(ctx, [
        `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(maskList(requested, over))}, used: ${prettyPrint(maskList(used, over))}, limited: ${prettyPrint(maskList(hard, over))}`,
      ]);
    }
    const copy = structuredClone(quota) as Obj;
    copy.status = { ...(copy.status ?? {}), used: { ...(copy.status?.used ?? {}), ...formatList(newUsed) } };
    charged.push(copy as KubeObject);
  }
  return charged;
}

export function createResourceQuotaAdmission(options: ResourceQuotaAdmissionOptions): AdmissionPlugin {
  const maxAttempts = options.maxAttempts ?? 20;
  return {
    name: 'ResourceQuota',
    async validate(ctx) {
      if (!handles(ctx)) return;
      const namespace = ctx.object!.metadata.namespace ?? '';
      const r: QuotaResource = { group: ctx.resource.group, resource: ctx.resource.resource };
      // Quotas already charged in an earlier round stay charged; only the conflicting ones are retried.
      const done = new Set<string>();
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const quotas = (await options.listQuotas(namespace)).filter((q) => !done.has(q.metadata.uid ?? q.metadata.name!));
        const charged = chargeQuotas(quotas, r, ctx, options.nowMs?.() ?? Date.now());
        if (ctx.dryRun) return;
        let conflicted = false;
        for (const quota of charged) {
          try {
            await options.updateQuotaStatus(quota);
            done.add(quota.metadata.uid ?? quota.metadata.name!);
          } catch (e) {
            if (!isConflict(e)) throw e;
            conflicted = true;
          }
        }
        if (!conflicted) return;
      }
      throw ApiError.internal('resource quota evaluation timed out');
    },
  };
}

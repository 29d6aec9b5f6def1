// Admission chain, as k8s.io/apiserver/pkg/admission. Order on every write:
//   defaults → mutating phase (every plugin's admit(), in registration order; may change ctx.object)
//   → generic + per-kind validation → validating phase (every plugin's validate(), may only reject)
//   → store.
// A plugin rejects by throwing an ApiError (usually 403 Forbidden or 422 Invalid). dryRun requests run
// the whole chain; plugins with side effects must honour ctx.dryRun.
import type { KubeObject } from '../../shared/api/meta';
import type { ApiRequest, ResourceDef } from './types';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionContext {
  operation: AdmissionOperation;
  /** The incoming object (CREATE/UPDATE; for DELETE the object being deleted). Mutating plugins edit it in place. */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
  request: ApiRequest;
  resource: ResourceDef;
  subresource?: string;
  dryRun: boolean;
}

export interface AdmissionPlugin {
  name: string;
  /** Mutating phase. */
  admit?(ctx: AdmissionContext): void | Promise<void>;
  /** Validating phase: runs after validation, on the final object; must not mutate. */
  validate?(ctx: AdmissionContext): void | Promise<void>;
}

export async function runMutatingAdmission(plugins: readonly AdmissionPlugin[], ctx: AdmissionContext): Promise<void> {
  for (const p of plugins) if (p.admit) await p.admit(ctx);
}

export async function runValidatingAdmission(plugins: readonly AdmissionPlugin[], ctx: AdmissionContext): Promise<void> {
  for (const p of plugins) if (p.validate) await p.validate(ctx);
}

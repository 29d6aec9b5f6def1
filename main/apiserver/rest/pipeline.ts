// The part of every write between decoding and the store: defaults → mutating admission →
// validation (generic metadata + ResourceDef) → validating admission. See admission.ts for why.
import { ApiError, type FieldError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { runMutatingAdmission, runValidatingAdmission, type AdmissionOperation } from '../admission';
import type { ApiRequest, ResourceDef } from '../types';
import type { RestContext } from './context';
import { dedupe, validateObjectMeta, validateObjectMetaUpdate } from './meta-validation';

export interface WriteStep {
  operation: Exclude<AdmissionOperation, 'DELETE' | 'CONNECT'>;
  object: KubeObject;
  old?: KubeObject;
  subresource?: string;
  dryRun: boolean;
  /** The name came from generateName: report name errors on metadata.generateName. */
  generatedName?: boolean;
}

export async function admitAndValidate(ctx: RestContext, def: ResourceDef, req: ApiRequest, step: WriteStep): Promise<KubeObject> {
  const obj = step.object;
  def.defaults?.(obj);
  const admission = { operation: step.operation, object: obj, oldObject: step.old, request: req, resource: def, subresource: step.subresource, dryRun: step.dryRun };
  await runMutatingAdmission(ctx.admission, admission);
  const errs: FieldError[] = [...validateObjectMeta(def, obj, !!step.generatedName), ...(def.validate?.(obj) ?? [])];
  if (step.old) errs.push(...validateObjectMetaUpdate(obj, step.old), ...(def.validateUpdate?.(obj, step.old) ?? []));
  if (errs.length) throw ApiError.invalid(def.group, def.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', dedupe(errs));
  await runValidatingAdmission(ctx.admission, admission);
  return obj;
}

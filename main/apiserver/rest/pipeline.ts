// The part of every write between decoding and the store, in k8s.io/apiserver's order:
// defaults → mutating admission → strategy PrepareForCreate/PrepareForUpdate → validation (generic
// metadata + ResourceDef) → validating admission. See admission.ts.
import { ApiError, type FieldError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { runMutatingAdmission, runValidatingAdmission, type AdmissionOperation } from '../admission';
import type { ApiRequest, ResourceDef } from '../types';
import type { RestContext } from './context';
import { genericMetaErrors, mergeFieldErrors } from './meta-validation';

export interface WriteStep {
  operation: Exclude<AdmissionOperation, 'DELETE' | 'CONNECT'>;
  object: KubeObject;
  old?: KubeObject;
  subresource?: string;
  dryRun: boolean;
}

export async function admitAndValidate(ctx: RestContext, def: ResourceDef, req: ApiRequest, step: WriteStep): Promise<KubeObject> {
  const obj = step.object;
  def.defaults?.(obj);
  const admission = { operation: step.operation, object: obj, oldObject: step.old, request: req, resource: def, subresource: step.subresource, dryRun: step.dryRun };
  await runMutatingAdmission(ctx.admission, admission);
  if (!step.old) def.prepareForCreate?.(obj);
  else if (step.subresource !== 'status') def.prepareForUpdate?.(obj, step.old);
  const kindErrs: FieldError[] = [...(def.validate?.(obj) ?? [])];
  if (step.old) kindErrs.push(...(def.validateUpdate?.(obj, step.old) ?? []));
  const errs = mergeFieldErrors(genericMetaErrors(def, obj, step.old), kindErrs);
  if (errs.length) throw ApiError.invalid(def.group, def.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  await runValidatingAdmission(ctx.admission, admission);
  return obj;
}

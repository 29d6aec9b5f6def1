// Generic ObjectMeta validation (ValidateObjectMeta / ValidateObjectMetaUpdate of apimachinery) that
// every kind gets, merged with the kind's own errors. Registry kinds usually validate metadata
// themselves (with their own name rule), so a generic error is dropped when the kind already reported
// that field: the answer then reads exactly as the kind wrote it, and kinds that skip metadata
// validation are still protected.
import type { FieldError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, type NameValidator } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';

/** Kinds whose names must be labels rather than subdomains (their names become DNS labels). */
const NAME_RULES: Record<string, NameValidator> = {
  '/namespaces': nameIsDNSLabel,
  '/services': nameIsDNS1035Label,
};

export function nameValidator(def: ResourceDef): NameValidator {
  return NAME_RULES[`${def.group}/${def.resource}`] ?? nameIsDNSSubdomain;
}

export function genericMetaErrors(def: ResourceDef, obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, { namespaced: def.namespaced, nameValidator: nameValidator(def) });
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  return errs;
}

/** Generic errors first (as Kubernetes reports metadata first), minus fields the kind already reported. */
export function mergeFieldErrors(generic: FieldError[], kind: FieldError[]): FieldError[] {
  const reported = new Set(kind.map((e) => e.field));
  const seen = new Set<string>();
  return [...generic.filter((e) => !reported.has(e.field)), ...kind].filter((e) => {
    const k = `${e.type}|${e.field}|${e.detail ?? ''}|${JSON.stringify(e.value ?? null)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

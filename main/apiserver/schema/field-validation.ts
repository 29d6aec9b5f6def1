// fieldValidation=Strict|Warn|Ignore for create and update bodies (k8s.io/apiserver's strict decoding):
// unknown and duplicate fields fail a Strict request with 400 and become warnings under Warn, the default
// since Kubernetes 1.27 when a client sends no directive. Kinds without a built-in schema are not checked.
import { ApiError } from '../../../shared/api/errors';
import { apiVersionOf } from '../../../shared/api/meta';
import type { ApiRequest, ResourceDef } from '../types';
import { scanObjectJson } from './json-duplicates';
import { declaredShape } from './declared-shape';
import { shapeForKind, type ObjectShape } from './shape';
import { pruneUnknownFields, unknownFields } from './unknown-fields';
import { yamlUnmarshalErrors } from './yaml-duplicates';

export type FieldValidationDirective = 'Strict' | 'Warn' | 'Ignore';

const DIRECTIVES: readonly string[] = ['Ignore', 'Strict', 'Warn'];

/** The request's directive (absent or empty: Warn); anything else is the 422 metav1 validation gives. */
export function fieldValidationOf(req: ApiRequest, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): FieldValidationDirective {
  const value = req.query?.fieldValidation;
  if (value === undefined || value === '') return 'Warn';
  if (DIRECTIVES.includes(value)) return value as FieldValidationDirective;
  throw ApiError.invalid('meta.k8s.io', options, '', [
    { type: 'FieldValueNotSupported', field: 'fieldValidation', value, detail: 'supported values: "", "Ignore", "Strict", "Warn"' },
  ]);
}

export function kindShape(def: ResourceDef): ObjectShape | undefined {
  return shapeForKind(apiVersionOf(def.group, def.version), def.kind) ?? declaredShape(def);
}

/** Whether findings are wanted at all: not under Ignore, nor under Warn when nobody receives warnings. */
export function wantsFindings(req: ApiRequest, directive: FieldValidationDirective): boolean {
  return directive === 'Strict' || (directive === 'Warn' && !!req.onWarning);
}

/** Findings as warnings (one each) and as the parts of the Strict message (YAML duplicates are one part). */
export interface Findings {
  warnings: string[];
  strict: string[];
}

/** Unknown and duplicate fields of a create/update body, in the order Kubernetes reports them. */
export function bodyFindings(req: ApiRequest, shape: ObjectShape, object: unknown): Findings {
  const decoding = req.bodyDecoding;
  if (decoding?.duplicateJson !== undefined) {
    const all = scanObjectJson(decoding.duplicateJson, shape);
    return { warnings: all, strict: all };
  }
  const unknown = unknownFields(object, shape, { sorted: decoding?.yaml });
  const duplicates = decoding?.yamlDuplicates ?? [];
  if (!duplicates.length) return { warnings: unknown, strict: unknown };
  return { warnings: [...duplicates, ...unknown], strict: [yamlUnmarshalErrors(duplicates), ...unknown] };
}

export function strictDecodingError(parts: readonly string[]): string {
  return `strict decoding error: ${parts.join(', ')}`;
}

export function emitWarnings(req: ApiRequest, warnings: readonly string[]): void {
  for (const w of warnings) req.onWarning?.(w);
}

/**
 * Checks a POST/PUT body of `def`'s kind: Strict → 400 `Deployment in version "v1" cannot be handled as a
 * Deployment: strict decoding error: unknown field "spec.replica"`, Warn → warnings.
 */
export function checkObjectFields(def: ResourceDef, req: ApiRequest, object: unknown, options: 'CreateOptions' | 'UpdateOptions'): void {
  const directive = fieldValidationOf(req, options);
  const shape = kindShape(def);
  if (!shape) return;
  if (wantsFindings(req, directive)) {
    const findings = bodyFindings(req, shape, object);
    if (findings.warnings.length && directive === 'Strict') {
      throw ApiError.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${strictDecodingError(findings.strict)}`);
    }
    emitWarnings(req, findings.warnings);
  }
  // Whatever the directive, the stored object is what the Go type can hold.
  pruneUnknownFields(object, shape);
}

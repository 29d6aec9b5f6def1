// fieldValidation for PATCH, as k8s.io/apiserver's patchers do it: repeated keys are findings of the patch
// document itself, unknown fields are findings of the patched object (which went through a Go map, so in
// sorted order), and a Strict failure is a 422 on the field `patch` rather than the 400 of create/update.
import { ApiError } from '../../../shared/api/errors';
import { listStrategy } from '../patch/merge-keys';
import type { ApiRequest, PatchType, ResourceDef } from '../types';
import { emitWarnings, fieldValidationOf, kindShape, strictDecodingError, wantsFindings } from './field-validation';
import { goJson, goQuote, goValue } from './go-format';
import { scanJson } from './json-duplicates';
import type { ObjectShape } from './shape';
import { pruneUnknownFields, unknownFieldPaths, unknownFields } from './unknown-fields';
import { yamlUnmarshalErrors } from './yaml-duplicates';

const JSON_PATCH_OP: ObjectShape = {
  goType: 'handlers.jsonPatchOp',
  fields: new Map([
    ['op', { t: 'scalar' }],
    ['path', { t: 'scalar' }],
    ['from', { t: 'scalar' }],
    ['value', { t: 'free' }],
  ]),
};

/** Findings of the patch document alone (before it is applied). */
function patchDocumentFindings(req: ApiRequest, type: PatchType, doc: unknown): string[] {
  const text = req.bodyDecoding?.duplicateJson;
  if (type === 'application/json-patch+json') {
    // The operations decode into a struct: their unknown and repeated fields are findings too.
    const found = text !== undefined
      ? scanJson(text, { t: 'list', item: { t: 'object', shape: JSON_PATCH_OP } })
      : Array.isArray(doc)
        ? doc.flatMap((op, i) => unknownFields(op, JSON_PATCH_OP).map((f) => f.replace('unknown field "', `unknown field "[${i}].`)))
        : [];
    return found.map((f) => `json patch ${f}`);
  }
  // Merge patches decode into map[string]interface{}: only repeated keys can be found.
  return text !== undefined ? scanJson(text, { t: 'any' }) : [];
}

export interface PatchCheck {
  /** Checks the patched object (throws the Strict error or emits warnings) and drops its unknown fields. */
  checkResult(result: unknown): void;
}

/**
 * Prepares the fieldValidation check of a merge, strategic-merge or JSON patch of `def`'s kind. The
 * findings of the document are computed once; those of the result on every attempt of the update loop.
 */
export function patchCheck(def: ResourceDef, req: ApiRequest, type: PatchType, doc: unknown): PatchCheck {
  const directive = fieldValidationOf(req, 'PatchOptions');
  const shape = kindShape(def);
  if (!shape) return { checkResult: () => undefined };
  if (!wantsFindings(req, directive)) return { checkResult: (result) => pruneUnknownFields(result, shape) };
  const fromDocument = patchDocumentFindings(req, type, doc);
  return {
    checkResult(result) {
      const findings = [...fromDocument, ...unknownFields(result, shape, { sorted: true })];
      if (!findings.length) return;
      if (directive === 'Warn') {
        emitWarnings(req, findings);
        return pruneUnknownFields(result, shape);
      }
      // Kubernetes shows the patch map (strategic merge) or the patched object's JSON (the others).
      const shown = type === 'application/strategic-merge-patch+json' ? goValue(doc) : goJson(result);
      throw ApiError.invalid('', '', '', [
        { type: 'FieldValueInvalid', field: 'patch', printedValue: goQuote(shown), detail: strictDecodingError(findings) },
      ]);
    },
  };
}

/** Server-side apply: only repeated YAML keys are fieldValidation findings (unknown fields fail apply itself). */
export function checkApplyDocument(req: ApiRequest): void {
  const directive = fieldValidationOf(req, 'PatchOptions');
  const duplicates = req.bodyDecoding?.yamlDuplicates;
  if (directive === 'Ignore' || !duplicates?.length) return;
  if (directive === 'Warn') return emitWarnings(req, duplicates);
  throw ApiError.badRequest(`error strict decoding YAML: error converting YAML to JSON: ${yamlUnmarshalErrors(duplicates)}`);
}

/**
 * Server-side apply refuses fields its schema does not declare whatever fieldValidation says, with
 * structured-merge-diff's wording and (still, in Kubernetes 1.32) a 500 without a reason.
 */
export function checkApplyObjectFields(def: ResourceDef, applied: unknown, namespace: string | undefined, name: string): void {
  const shape = kindShape(def);
  if (!shape) return;
  const paths = unknownFieldPaths(applied, shape, { listKey: smdListKey(def.kind) });
  if (!paths.length) return;
  const errors = paths.map((p) => `.${p}: field not declared in schema`);
  const detail = errors.length === 1 ? errors[0] : `errors:\n  ${errors.join('\n  ')}`;
  const group = def.group ? `${def.group}/` : '/';
  throw new ApiError(500, '', `failed to create typed patch object (${namespace ?? ''}/${name}; ${group}${def.version}, Kind=${def.kind}): ${detail}`);
}

/** structured-merge-diff names an item of an associative list by its key (`[name="web"]`). */
function smdListKey(kind: string): (segments: readonly string[], item: unknown) => string | undefined {
  return (segments, item) => {
    const strategy = listStrategy(kind, segments);
    if (strategy?.kind !== 'map' || typeof item !== 'object' || item === null) return undefined;
    const key = (item as Record<string, unknown>)[strategy.key];
    return key === undefined ? undefined : `${strategy.key}=${JSON.stringify(key)}`;
  };
}

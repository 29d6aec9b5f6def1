// The API's refusal of a document, as editor diagnostics on the lines it is about. Kubernetes names
// fields in three ways and all three are read: Status `details.causes[].field` (422 Invalid), the
// strict decoder's `unknown field "spec.replica"` / `duplicate field "…"` (400 BadRequest), and
// structured-merge-diff's `.spec.replica: field not declared in schema` (server-side apply).
import type { ApiError } from '../../shared/api/errors';
import { firstLine, lineOf, locateField, type Diagnostic, type ParsedDocument } from './yaml-documents';

export interface FieldFinding {
  field: string;
  /** What to show, naming the field once, as kubectl prints it. */
  message: string;
}

const STRICT = /(unknown|duplicate) field "([^"]+)"/g;
const SCHEMA = /^\s*(\.[^:]+): (field not declared in schema.*)$/gm;

/** Every field the error names, with what is wrong with it. */
export function fieldFindings(error: Pick<ApiError, 'message' | 'causes'>): FieldFinding[] {
  const findings: FieldFinding[] = [];
  for (const cause of error.causes) {
    if (cause.field) findings.push({ field: cause.field, message: `${cause.field}: ${cause.message ?? cause.reason ?? ''}` });
  }
  if (findings.length) return findings;
  for (const m of error.message.matchAll(STRICT)) findings.push({ field: m[2], message: `${m[1]} field "${m[2]}"` });
  for (const m of error.message.matchAll(SCHEMA)) findings.push({ field: m[1], message: `${m[1]}: ${m[2]}` });
  return findings;
}

/**
 * Diagnostics for one document refused by the API: one per named field, on that field's key; when
 * the error names no field (AlreadyExists, Forbidden…) one on the document's first line.
 */
export function diagnosticsForError(text: string, document: ParsedDocument, error: Pick<ApiError, 'message' | 'causes' | 'reason' | 'code'>): Diagnostic[] {
  const findings = fieldFindings(error);
  const head = firstLine(text, { from: document.range.from, to: document.range.to });
  const whole = (message: string): Diagnostic => ({ ...head, severity: 'error', message, line: lineOf(text, head.from) });
  if (!findings.length) return [whole(error.message)];
  return findings.map((f) => {
    const located = locateField(document.doc, f.field);
    if (!located) return whole(f.message);
    const range = firstLine(text, located.range);
    return { ...range, severity: 'error' as const, message: f.message, line: lineOf(text, range.from) };
  });
}

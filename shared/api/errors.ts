// The one error type of Bosun (DESIGN.md style 2): every failure that crosses the API is an ApiError,
// rendered as a meta/v1 Status. Predicates mirror k8s.io/apimachinery/pkg/api/errors.
import type { Status, StatusCause, StatusDetails, StatusReason } from './meta';

export interface QualifiedResource {
  group: string;
  resource: string;
}

function qualified(gr: QualifiedResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  get causes(): StatusCause[] {
    return this.details?.causes ?? [];
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }

  static fromStatus(status: Partial<Status>, fallbackCode = 500): ApiError {
    return new ApiError(status.code ?? fallbackCode, status.reason ?? '', status.message ?? 'unknown error', status.details);
  }

  static notFound(gr: QualifiedResource, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group, kind: gr.resource });
  }

  static alreadyExists(gr: QualifiedResource, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group, kind: gr.resource });
  }

  static conflict(gr: QualifiedResource, name: string, why: string): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
      name,
      group: gr.group,
      kind: gr.resource,
    });
  }

  /** 422 with one cause per bad field; `kind` is the object's Kind (e.g. "Deployment"). */
  static invalid(group: string, kind: string, name: string, causes: FieldError[]): ApiError {
    const list = causes.map((c) => `${c.field}: ${fieldErrorMessage(c)}`);
    const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    const what = group ? `${kind}.${group}` : kind;
    return new ApiError(422, 'Invalid', `${what} "${name}" is invalid: ${summary}`, {
      name,
      group,
      kind,
      causes: causes.map((c) => ({ reason: c.type, message: fieldErrorMessage(c), field: c.field })),
    });
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static unauthorized(message = 'Unauthorized'): ApiError {
    return new ApiError(401, 'Unauthorized', message);
  }

  static forbidden(message: string, details?: StatusDetails): ApiError {
    return new ApiError(403, 'Forbidden', message, details);
  }

  static expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  }

  static methodNotAllowed(message: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', message);
  }

  static tooManyRequests(message: string, retryAfterSeconds?: number): ApiError {
    return new ApiError(429, 'TooManyRequests', message, retryAfterSeconds ? { retryAfterSeconds } : undefined);
  }

  static internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
  }
}

/** One field problem, as field.Error in k8s.io/apimachinery/pkg/util/validation/field. */
export interface FieldError {
  type: FieldErrorType;
  /** JSON-ish path as Kubernetes prints it: `spec.template.spec.containers[0].image`. */
  field: string;
  value?: unknown;
  /** The value as Kubernetes prints it when JSON would read differently (Go's %#v of a map, e.g.
   * `map[string]string{"app":"web"}`); used instead of JSON.stringify(value) in messages. */
  printedValue?: string;
  /** Extra explanation; for Unsupported/NotSupported, the allowed values. */
  detail?: string;
}

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound';

/** The text Kubernetes prints for a field error, e.g. `Required value` or `Invalid value: "x": must be ...`. */
export function fieldErrorMessage(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired':
      return e.detail ? `Required value: ${e.detail}` : 'Required value';
    case 'FieldValueForbidden':
      return e.detail ? `Forbidden: ${e.detail}` : 'Forbidden';
    case 'FieldValueDuplicate':
      return `Duplicate value: ${JSON.stringify(e.value)}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${JSON.stringify(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueTooLong':
      return `Too long: ${e.detail ?? ''}`.trim();
    case 'FieldValueTooMany':
      return `Too many: ${e.detail ?? ''}`.trim();
    case 'FieldValueNotFound':
      return `Not found: ${e.printedValue ?? JSON.stringify(e.value)}`;
    default:
      return `Invalid value: ${e.printedValue ?? JSON.stringify(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
const hasReason = (e: unknown, reason: StatusReason): boolean => isApiError(e) && e.reason === reason;
export const isNotFound = (e: unknown): boolean => hasReason(e, 'NotFound');
export const isAlreadyExists = (e: unknown): boolean => hasReason(e, 'AlreadyExists');
export const isConflict = (e: unknown): boolean => hasReason(e, 'Conflict');
export const isInvalid = (e: unknown): boolean => hasReason(e, 'Invalid');
export const isExpired = (e: unknown): boolean => hasReason(e, 'Expired') || hasReason(e, 'Gone');
export const isForbidden = (e: unknown): boolean => hasReason(e, 'Forbidden');
export const isTooManyRequests = (e: unknown): boolean => hasReason(e, 'TooManyRequests');

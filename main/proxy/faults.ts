// Per-Service fault hooks of the service proxy, for the chaos issue's drills. There is no API object
// for them yet: the chaos component (or a test) calls ServiceProxy.setServiceFaults(namespace, name, f).
// Faults apply to new connections accepted on the Service's node ports, decided per connection:
//   dropPercent   connection accepted, bytes read and discarded, never answered (a black hole), closed
//                 after holdMs or when the client gives up — what a dropped SYN/ACK looks like to an app
//                 that only sees a hung request
//   errorPercent  connection accepted then ended at once: errorMode 'close' sends FIN (an empty reply),
//                 'reset' sends RST (ECONNRESET in the client)
//   latencyMs     extra delay before the proxy dials the endpoint, plus a uniform random 0..jitterMs
// Drop is decided first, then error, then latency, each with its own draw.
import { ApiError, type FieldError } from '../../shared/api/errors';

export interface ServiceFaults {
  latencyMs?: number;
  jitterMs?: number;
  errorPercent?: number;
  errorMode?: 'close' | 'reset';
  dropPercent?: number;
  /** How long a dropped connection is held before it is closed (default 30 s). */
  holdMs?: number;
}

export type FaultDecision = { kind: 'drop'; holdMs: number } | { kind: 'error'; mode: 'close' | 'reset' } | { kind: 'pass'; delayMs: number };

export const DEFAULT_DROP_HOLD_MS = 30_000;

/** Rejects nonsense with the same 422 shape the API uses, so a future API object can reuse it. */
export function validateServiceFaults(f: ServiceFaults): void {
  const errs: FieldError[] = [];
  const nonNegative = (field: keyof ServiceFaults): void => {
    const v = f[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be greater than or equal to 0' });
  };
  const percent = (field: keyof ServiceFaults): void => {
    const v = f[field];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 100))) errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be between 0 and 100, inclusive' });
  };
  nonNegative('latencyMs');
  nonNegative('jitterMs');
  nonNegative('holdMs');
  percent('errorPercent');
  percent('dropPercent');
  if (f.errorMode !== undefined && f.errorMode !== 'close' && f.errorMode !== 'reset') {
    errs.push({ type: 'FieldValueNotSupported', field: 'errorMode', value: f.errorMode, detail: 'supported values: "close", "reset"' });
  }
  if (errs.length) throw ApiError.invalid('', 'ServiceFaults', '', errs);
}

export function decideFault(f: ServiceFaults | undefined, random: () => number): FaultDecision {
  if (!f) return { kind: 'pass', delayMs: 0 };
  if ((f.dropPercent ?? 0) > 0 && random() * 100 < f.dropPercent!) return { kind: 'drop', holdMs: f.holdMs ?? DEFAULT_DROP_HOLD_MS };
  if ((f.errorPercent ?? 0) > 0 && random() * 100 < f.errorPercent!) return { kind: 'error', mode: f.errorMode ?? 'reset' };
  const jitter = (f.jitterMs ?? 0) > 0 ? random() * f.jitterMs! : 0;
  return { kind: 'pass', delayMs: (f.latencyMs ?? 0) + jitter };
}

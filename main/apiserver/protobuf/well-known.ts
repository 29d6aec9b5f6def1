// JSON forms of the apimachinery types whose protobuf shape differs from their JSON (metav1.Time is a
// Timestamp message but an RFC 3339 string in JSON; IntOrString is a message but a number or string; ...).
import { ApiError } from '../../../shared/api/errors';

export interface Timestamp {
  seconds: number;
  nanos: number;
}

function isoUtc(t: Timestamp, fractionDigits: number): string {
  const date = new Date(t.seconds * 1000);
  if (Number.isNaN(date.getTime())) throw ApiError.badRequest(`error decoding protobuf: timestamp ${t.seconds}s is out of range`);
  const base = date.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  if (fractionDigits === 0) return `${base}Z`;
  const fraction = String(Math.floor(t.nanos / 10 ** (9 - fractionDigits))).padStart(fractionDigits, '0');
  return `${base}.${fraction}Z`;
}

/**
 * metav1.Time: an empty message is Go's zero time, which JSON writes as null; anything else (even the
 * epoch) is a time. JSON carries whole seconds only (time.RFC3339), exactly as the apiserver stores it.
 */
export function timeToJson(present: boolean, t: Timestamp): string | null {
  return present ? isoUtc(t, 0) : null;
}

/** metav1.MicroTime: RFC 3339 with microseconds (Events, Leases). */
export function microTimeToJson(present: boolean, t: Timestamp): string | null {
  return present ? isoUtc(t, 6) : null;
}

const UNITS: [string, number][] = [
  ['h', 3600e9],
  ['m', 60e9],
];

/** Go's time.Duration.String() of a nanosecond count ("1h2m3.5s", "150ms", "0s"). */
export function durationToJson(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  let rest = Math.abs(nanos);
  if (rest < 1e9) {
    // Below one second Go picks the largest unit that keeps an integer part: ms, µs or ns.
    const [unit, size] = rest >= 1e6 ? ['ms', 1e6] : rest >= 1e3 ? ['µs', 1e3] : ['ns', 1];
    return `${sign}${trimFraction(rest / size)}${unit}`;
  }
  let out = '';
  for (const [unit, size] of UNITS) {
    if (rest >= size || out) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return `${sign}${out}${trimFraction(rest / 1e9)}s`;
}

function trimFraction(value: number): string {
  return String(Number(value.toFixed(9)));
}

/** intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}. */
export function intOrStringToJson(fields: { type?: number; intVal?: number; strVal?: string }): number | string {
  return fields.type === 1 ? (fields.strVal ?? '') : (fields.intVal ?? 0);
}

/** runtime.RawExtension / metav1.FieldsV1 carry JSON bytes; an empty one is JSON null. */
export function rawJsonToJson(raw: Uint8Array | undefined, what: string): unknown {
  if (!raw || raw.length === 0) return null;
  const text = Buffer.from(raw).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `Bosun cannot decode a non-JSON ${what} inside a protobuf body yet; send JSON (for example kubectl apply -f) instead`,
    );
  }
}

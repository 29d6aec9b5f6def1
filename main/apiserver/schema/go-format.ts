// Values printed the way Go prints them in Kubernetes messages: encoding/json of a map (sorted keys,
// HTML-safe escapes), fmt's %+v of map[string]interface{} and %q of a string.

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedDeep((value as Record<string, unknown>)[key]);
  return out;
}

/** json.Marshal of a decoded object: map keys sorted, <, > and & escaped as Go does. */
export function goJson(value: unknown): string {
  return JSON.stringify(sortedDeep(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** fmt %v of a JSON value decoded into interface{}: `map[a:1 b:[x y]]`, `<nil>` for null. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${k}:${goValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof value === 'number') return goNumber(value);
  return String(value);
}

/** %v of a JSON number: integers as int64, others as float64 (%g with Go's exponent form). */
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** %q of a string (close enough for printable text: JSON's escapes are Go's). */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

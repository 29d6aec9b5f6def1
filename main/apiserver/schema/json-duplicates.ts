// Duplicate keys in JSON text. JSON.parse keeps the last of two equal keys without a word; Kubernetes'
// strict decoder (sigs.k8s.io/json) reports `duplicate field "spec.paused"` interleaved with unknown
// fields in document order. Bodies almost never repeat a key, so a cheap count decides first and the
// exact, schema-guided scan runs only when the count says a key repeats.
import type { ObjectShape, ValueShape } from './shape';
import { joinPath, unknownFieldText } from './unknown-fields';

export const duplicateFieldText = (path: string): string => `duplicate field "${path}"`;

/** Keys in the text (strings followed by a colon). One pass, no allocation. */
function countKeysInText(text: string): number {
  let count = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) !== 34 /* " */) continue;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 92 /* \ */) i++;
      else if (c === 34) break;
    }
    let j = i + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      j++;
    }
    if (text.charCodeAt(j) === 58 /* : */) count++;
  }
  return count;
}

function countKeysInValue(value: unknown): number {
  if (Array.isArray(value)) {
    let count = 0;
    for (const item of value) count += countKeysInValue(item);
    return count;
  }
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  for (const key in value) count += 1 + countKeysInValue((value as Record<string, unknown>)[key]);
  return count;
}

/** True when `text` (which parsed to `parsed`) repeats a key somewhere. */
export function hasDuplicateKeys(text: string, parsed: unknown): boolean {
  return countKeysInText(text) !== countKeysInValue(parsed);
}

/** Shapes the scan understands: the schema's, plus `any` for map[string]interface{} targets (patches). */
export type ScanShape = ValueShape | { readonly t: 'any' };
const ANY: ScanShape = { t: 'any' };

/**
 * Scans valid JSON text against a shape and returns the strict-decoding findings in document order:
 * unknown fields (once, not looked into, never also reported as duplicates) and duplicate known fields.
 */
export function scanJson(text: string, root: ScanShape, prefix = ''): string[] {
  const out: string[] = [];
  const seenFindings = new Set<string>();
  const report = (finding: string): void => {
    if (!seenFindings.has(finding)) {
      seenFindings.add(finding);
      out.push(finding);
    }
  };
  let i = 0;
  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else return;
    }
  };
  const readString = (): string => {
    const start = i;
    let escaped = false;
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        escaped = true;
        i++;
      } else if (c === 34) break;
    }
    i++;
    const raw = text.slice(start, i);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  const skipScalar = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 44 || c === 125 || c === 93 || c === 32 || c === 9 || c === 10 || c === 13) return;
      i++;
    }
  };
  const objectFields = (shape: ScanShape): ((key: string) => ScanShape | undefined) | undefined => {
    switch (shape.t) {
      case 'object':
        return (key) => shape.shape.fields.get(key);
      case 'map':
        return () => shape.value;
      case 'any':
        return () => ANY;
      default:
        return undefined;
    }
  };
  // `shape` undefined: the value is skipped without findings (unknown field, scalar slot, free-form JSON).
  const value = (shape: ScanShape | undefined, path: string): void => {
    ws();
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      i++;
      const fieldOf = shape ? objectFields(shape) : undefined;
      const seen = new Set<string>();
      ws();
      if (text.charCodeAt(i) === 125) return void i++;
      for (;;) {
        ws();
        const key = readString();
        ws();
        i++; // colon
        const at = joinPath(path, key);
        let child: ScanShape | undefined;
        if (fieldOf) {
          child = fieldOf(key);
          if (!child) report(unknownFieldText(at));
          else if (seen.has(key)) report(duplicateFieldText(at));
          seen.add(key);
        }
        value(child, at);
        ws();
        if (text.charCodeAt(i) === 44) i++;
        else return void i++; // closing brace
      }
    }
    if (c === 91 /* [ */) {
      i++;
      const item = shape?.t === 'list' ? shape.item : shape?.t === 'any' ? ANY : undefined;
      ws();
      if (text.charCodeAt(i) === 93) return void i++;
      for (let index = 0; ; index++) {
        value(item, `${path}[${index}]`);
        ws();
        if (text.charCodeAt(i) === 44) i++;
        else return void i++; // closing bracket
      }
    }
    if (c === 34) readString();
    else skipScalar();
  };
  value(root, prefix);
  return out;
}

/** Scans an object body against a kind's shape. */
export function scanObjectJson(text: string, shape: ObjectShape): string[] {
  return scanJson(text, { t: 'object', shape });
}

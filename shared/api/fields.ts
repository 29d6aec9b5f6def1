// Field selectors as k8s.io/apimachinery/pkg/fields: `?fieldSelector=metadata.name=x,status.phase!=Running`.
// Only exact (in)equality exists; values may escape `\,`, `\=` and `\\`.
import { ApiError } from './errors';

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  /** Missing fields read as "" (as fields.Set does). */
  matches(fields: Record<string, string | undefined>): boolean;
  empty(): boolean;
  toString(): string;
  /** The value required by `field=value`/`field==value`, if the selector pins it (e.g. metadata.name). */
  requiresExactMatch(field: string): string | undefined;
}

const escapeValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');

class Selector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}
  matches(fields: Record<string, string | undefined>): boolean {
    return this.requirements.every((r) => {
      const actual = fields[r.field] ?? '';
      return r.operator === '!=' ? actual !== r.value : actual === r.value;
    });
  }
  empty(): boolean {
    return this.requirements.length === 0;
  }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === '==' ? '=' : r.operator}${escapeValue(r.value)}`).join(',');
  }
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
  }
}

/** Splits on unescaped commas, keeping escapes for the operator split. */
function splitTerms(input: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '\\' && i + 1 < input.length) {
      cur += c + input[i + 1];
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(term: string, whole: string): string {
  let out = '';
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === '\\') {
      const n = term[i + 1];
      if (n === '\\' || n === ',' || n === '=') {
        out += n;
        i++;
        continue;
      }
      throw ApiError.badRequest(`invalid field selector: '${whole}'; invalid escape sequence: '\\${n ?? ''}'`);
    }
    if (c === '=' || c === ',') throw ApiError.badRequest(`invalid field selector: '${whole}'; unescaped '${c}' in value`);
    out += c;
  }
  return out;
}

/** Parses a field selector string; throws ApiError 400 on malformed input. */
export function parseFieldSelector(input: string | undefined): FieldSelector {
  if (!input || !input.trim()) return new Selector([]);
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(input)) {
    if (term === '') continue;
    // Operators are found on unescaped positions only; `!=` and `==` before `=`.
    let idx = -1;
    let op: FieldRequirement['operator'] = '=';
    for (let i = 0; i < term.length; i++) {
      if (term[i] === '\\') {
        i++;
        continue;
      }
      if (term.startsWith('!=', i)) {
        idx = i;
        op = '!=';
        break;
      }
      if (term.startsWith('==', i)) {
        idx = i;
        op = '==';
        break;
      }
      if (term[i] === '=') {
        idx = i;
        op = '=';
        break;
      }
    }
    if (idx <= 0) throw ApiError.badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    const field = term.slice(0, idx).trim();
    const value = unescape(term.slice(idx + op.length), input);
    reqs.push({ field, operator: op, value });
  }
  return new Selector(reqs);
}

/** A selector requiring `field=value` for every entry. */
export function fieldSelectorFromSet(set: Record<string, string>): FieldSelector {
  return new Selector(Object.entries(set).map(([field, value]) => ({ field, operator: '=', value })));
}

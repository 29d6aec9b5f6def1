// Label selectors as k8s.io/apimachinery/pkg/labels: the string syntax of `?labelSelector=` and
// `kubectl -l` (equality- and set-based), and metav1.LabelSelector objects used by workloads.
import { ApiError } from './errors';
import { isQualifiedName, isValidLabelValue } from './validation';

export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  /** Sorted, de-duplicated values (one for =, ==, !=, gt, lt; none for exists and !). */
  values: string[];
}

export type Labels = Record<string, string> | undefined;

export interface LabelSelector {
  readonly requirements: readonly Requirement[];
  matches(labels: Labels): boolean;
  /** True when it selects everything. */
  empty(): boolean;
  /** Canonical string (requirements sorted by key), parseable again. Empty selector → "". */
  toString(): string;
}

/** metav1.LabelSelector. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const n = Number(value);
      if (!/^-?\d+$/.test(value!) || !Number.isFinite(n)) return false;
      const bound = Number(r.values[0]);
      return r.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0]}`;
    case 'lt':
      return `${r.key}<${r.values[0]}`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

class InternalSelector implements LabelSelector {
  constructor(readonly requirements: readonly Requirement[]) {}
  matches(labels: Labels): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }
  empty(): boolean {
    return this.requirements.length === 0;
  }
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** Selects nothing (a nil metav1.LabelSelector). */
class NothingSelector implements LabelSelector {
  readonly requirements: readonly Requirement[] = [];
  matches(): boolean {
    return false;
  }
  empty(): boolean {
    return false;
  }
  toString(): string {
    return '';
  }
}

export const everything = (): LabelSelector => new InternalSelector([]);
export const nothing = (): LabelSelector => new NothingSelector();

/** Builds a validated requirement; throws ApiError 400 like labels.NewRequirement. */
export function newRequirement(key: string, operator: SelectorOperator, values: string[]): Requirement {
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) throw ApiError.badRequest(`unable to parse requirement: invalid label key "${key}": ${keyErrs.join('; ')}`);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) throw ApiError.badRequest(`unable to parse requirement: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) throw ApiError.badRequest(`unable to parse requirement: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) throw ApiError.badRequest(`unable to parse requirement: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1 || !/^-?\d+$/.test(values[0])) {
        throw ApiError.badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, exactly one value is required and it must be an integer`);
      }
      return { key, operator, values };
  }
  for (const v of values) {
    const errs = isValidLabelValue(v);
    if (errs.length) throw ApiError.badRequest(`unable to parse requirement: invalid label value: "${v}": at key: "${key}": ${errs.join('; ')}`);
  }
  return { key, operator, values: [...new Set(values)].sort() };
}

function sortRequirements(reqs: Requirement[]): Requirement[] {
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---- string parser (the lexer/parser of labels.Parse) ----

type Token = { kind: 'id' | 'op' | 'end'; text: string };
const SPECIAL = new Set([' ', '\t', '\n', '\r', ',', '=', '!', '(', ')', '<', '>']);

function lex(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '=' && input[i + 1] === '=') {
      out.push({ kind: 'op', text: '==' });
      i += 2;
    } else if (c === '!' && input[i + 1] === '=') {
      out.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (SPECIAL.has(c)) {
      out.push({ kind: 'op', text: c });
      i++;
    } else {
      let j = i;
      while (j < input.length && !SPECIAL.has(input[j])) j++;
      out.push({ kind: 'id', text: input.slice(i, j) });
      i = j;
    }
  }
  out.push({ kind: 'end', text: '' });
  return out;
}

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`; throws ApiError 400 on malformed input. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  if (!input || !input.trim()) return everything();
  const toks = lex(input);
  let p = 0;
  const fail = (what: string): never => {
    const t = toks[p];
    throw ApiError.badRequest(`unable to parse requirement: found '${t.kind === 'end' ? '' : t.text}', expected: ${what}`);
  };
  const reqs: Requirement[] = [];
  for (;;) {
    let t = toks[p];
    if (t.kind === 'op' && t.text === '!') {
      p++;
      t = toks[p];
      if (t.kind !== 'id') fail('identifier after \'!\'');
      reqs.push(newRequirement(t.text, '!', []));
      p++;
    } else if (t.kind === 'id') {
      const key = t.text;
      p++;
      const op = toks[p];
      if (op.kind === 'end' || (op.kind === 'op' && op.text === ',')) {
        reqs.push(newRequirement(key, 'exists', []));
      } else if (op.kind === 'op' && ['=', '==', '!='].includes(op.text)) {
        p++;
        const v = toks[p];
        let value = '';
        if (v.kind === 'id') {
          value = v.text;
          p++;
        } else if (!(v.kind === 'end' || (v.kind === 'op' && v.text === ','))) fail('identifier');
        reqs.push(newRequirement(key, op.text as SelectorOperator, [value]));
      } else if (op.kind === 'op' && (op.text === '<' || op.text === '>')) {
        p++;
        const v = toks[p];
        if (v.kind !== 'id') fail('integer');
        p++;
        reqs.push(newRequirement(key, op.text === '>' ? 'gt' : 'lt', [v.text]));
      } else if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
        p++;
        if (!(toks[p].kind === 'op' && toks[p].text === '(')) fail("'('");
        p++;
        const values: string[] = [];
        let expectValue = true;
        for (;;) {
          const v = toks[p];
          if (v.kind === 'op' && v.text === ')') {
            if (expectValue && values.length) values.push('');
            p++;
            break;
          }
          if (v.kind === 'op' && v.text === ',') {
            if (expectValue) values.push('');
            expectValue = true;
            p++;
            continue;
          }
          if (v.kind === 'id' && expectValue) {
            values.push(v.text);
            expectValue = false;
            p++;
            continue;
          }
          fail("',' or ')'");
        }
        reqs.push(newRequirement(key, op.text as SelectorOperator, values));
      } else {
        fail("'=', '!=', '==', 'in', 'notin'");
      }
    } else {
      fail('identifier');
    }
    const sep = toks[p];
    if (sep.kind === 'end') break;
    if (sep.kind === 'op' && sep.text === ',') {
      p++;
      if (toks[p].kind === 'end') fail('identifier after \',\'');
      continue;
    }
    fail("',' or 'end of string'");
  }
  return new InternalSelector(sortRequirements(reqs));
}

/** metav1.LabelSelectorAsSelector: undefined/null selects nothing, {} selects everything. */
export function labelSelectorAsSelector(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === undefined || sel === null) return nothing();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const e of sel.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' }[e.operator] as SelectorOperator | undefined;
    if (!op) throw ApiError.badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, e.values ?? []));
  }
  return new InternalSelector(sortRequirements(reqs));
}

/** Convenience: does a metav1.LabelSelector select these labels. */
export function matchesLabelSelector(sel: LabelSelectorObject | null | undefined, labels: Labels): boolean {
  return labelSelectorAsSelector(sel).matches(labels);
}

/** metav1.FormatLabelSelector: the string kubectl describe prints; "<none>" when empty or nil. */
export function formatLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  if (!sel) return '<none>';
  let s: string;
  try {
    s = labelSelectorAsSelector(sel).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}

/** A selector string from a plain map (`app=web,tier=front`), as labels.SelectorFromSet. */
export function selectorFromSet(set: Record<string, string> | undefined): LabelSelector {
  return labelSelectorAsSelector({ matchLabels: set ?? {} });
}

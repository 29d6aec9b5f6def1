// Validation of a CronJob schedule in the standard 5-field syntax (and @hourly-style descriptors),
// with the messages of the cron parser Kubernetes uses.

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Bounds {
  min: number;
  max: number;
  names?: string[];
  nameBase?: number;
}

const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 6, names: DAYS, nameBase: 0 },
];

function parseValue(text: string, b: Bounds): number {
  const lower = text.toLowerCase();
  const named = b.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (b.nameBase ?? 0);
  if (!/^[0-9]+$/.test(text)) throw new Error(`failed to parse int from ${text}: strconv.Atoi: parsing "${text}": invalid syntax`);
  return Number(text);
}

function checkRange(expr: string, b: Bounds): void {
  const [rangePart, stepPart, extra] = expr.split('/');
  if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
  let start: number;
  let end: number;
  if (rangePart === '*' || rangePart === '?') {
    start = b.min;
    end = b.max;
  } else {
    const [lo, hi, more] = rangePart.split('-');
    if (more !== undefined) throw new Error(`too many hyphens: ${expr}`);
    start = parseValue(lo, b);
    end = hi === undefined ? start : parseValue(hi, b);
  }
  if (stepPart !== undefined) {
    const step = parseValue(stepPart, { min: 0, max: 0 });
    if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
}

/** Undefined when valid, else the parser's message. */
export function cronScheduleError(schedule: string): string | undefined {
  const spec = schedule.trim();
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.has(spec) || /^@every \S+$/.test(spec)) return undefined;
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  try {
    fields.forEach((f, i) => f.split(',').forEach((part) => checkRange(part, FIELDS[i])));
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

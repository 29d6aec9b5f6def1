// Cron schedules as the CronJob controller reads them (robfig/cron's standard parser, which Kubernetes
// uses): 5 fields, names for months and weekdays, ranges, lists, steps, @hourly-style descriptors and
// @every <duration>; evaluated in an IANA time zone through Intl. The registry validates the syntax
// (apiserver/registry/cron-schedule.ts); this module only computes times.

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const BOUNDS: Array<[number, number, string[]?, number?]> = [[0, 59], [0, 23], [1, 31], [1, 12, MONTHS, 1], [0, 6, DAYS, 0]];
const MINUTE = 60_000;

export interface Schedule {
  /** The first activation strictly after `afterMs`, or undefined if none within five years. */
  next(afterMs: number): number | undefined;
}

interface Fields {
  sets: Array<Set<number>>;
  /** robfig: day-of-month and day-of-week are ANDed if either is `*`/`?`, else ORed. */
  domStar: boolean;
  dowStar: boolean;
}

function value(text: string, names: string[] | undefined, base: number): number {
  const i = names?.indexOf(text.toLowerCase()) ?? -1;
  if (i >= 0) return i + base;
  if (!/^\d+$/.test(text)) throw new Error(`invalid value ${text}`);
  return Number(text);
}

function parseField(expr: string, [min, max, names, base = 0]: [number, number, string[]?, number?]): Set<number> {
  const out = new Set<number>();
  for (const part of expr.split(',')) {
    const [range, stepText] = part.split('/');
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else {
      const [a, b] = range.split('-');
      lo = value(a, names, base);
      // robfig: "N/step" means N through max.
      hi = b !== undefined ? value(b, names, base) : stepText !== undefined ? max : lo;
    }
    const step = stepText !== undefined ? Number(stepText) : 1;
    if (!(step > 0) || lo < min || hi > max || lo > hi) throw new Error(`invalid cron field ${expr}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function parseEvery(text: string): number {
  let ms = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let consumed = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    consumed += m[0];
    ms += Number(m[1]) * ({ h: 3_600_000, m: MINUTE, s: 1000, ms: 1 } as Record<string, number>)[m[2]];
  }
  if (consumed !== text || ms <= 0) throw new Error(`invalid duration ${text}`);
  return ms;
}

/** Wall-clock fields of an instant in a zone; one cached formatter per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
export function zonedFields(ms: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour) % 24, minute: Number(parts.minute), second: Number(parts.second),
    weekday: DAYS.indexOf(parts.weekday.slice(0, 3).toLowerCase()),
  };
}

/** Throws a RangeError for a zone Intl does not know (the controller reports UnknownTimeZone). */
export function checkTimeZone(timeZone: string): void {
  zonedFields(0, timeZone);
}

/** RFC 3339 of an instant with the zone's offset (Go's time.Format(time.RFC3339) in that location). */
export function formatInZone(ms: number, timeZone: string): string {
  const z = zonedFields(ms, timeZone);
  const wall = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second);
  const offsetMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / MINUTE);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${pad(z.year, 4)}-${pad(z.month)}-${pad(z.day)}T${pad(z.hour)}:${pad(z.minute)}:${pad(z.second)}`;
  if (offsetMin === 0) return `${date}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  return `${date}${sign}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
}

export function parseSchedule(spec: string, timeZone = 'UTC'): Schedule {
  const text = spec.trim();
  if (text.startsWith('@every ')) {
    const every = parseEvery(text.slice(7).trim());
    // robfig's ConstantDelaySchedule: whole seconds, at least one second, from the previous time.
    const step = Math.max(1000, Math.floor(every / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + step };
  }
  const expanded = DESCRIPTORS[text] ?? text;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: [${spec}]`);
  const fields: Fields = {
    sets: parts.map((p, i) => parseField(p, BOUNDS[i])),
    domStar: parts[2] === '*' || parts[2] === '?',
    dowStar: parts[4] === '*' || parts[4] === '?',
  };
  checkTimeZone(timeZone);
  return { next: (after) => nextActivation(fields, after, timeZone) };
}

function nextActivation(f: Fields, after: number, timeZone: string): number | undefined {
  const [minutes, hours, doms, months, dows] = f.sets;
  const limit = after + 5 * 366 * 24 * 60 * MINUTE;
  // Whole minutes strictly after `after`; mismatches skip to the next hour or day boundary.
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  while (t <= limit) {
    const z = zonedFields(t, timeZone);
    const domOk = doms.has(z.day);
    const dowOk = dows.has(z.weekday);
    const dayOk = f.domStar || f.dowStar ? domOk && dowOk : domOk || dowOk;
    if (!months.has(z.month) || !dayOk) {
      t += ((23 - z.hour) * 60 + (60 - z.minute)) * MINUTE;
      continue;
    }
    if (!hours.has(z.hour)) {
      t += (60 - z.minute) * MINUTE;
      continue;
    }
    if (!minutes.has(z.minute)) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}

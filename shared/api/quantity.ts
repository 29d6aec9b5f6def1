// resource.Quantity of k8s.io/apimachinery: "100m", "1Gi", "0.5", "1e3", "128974848".
// Values are held exactly as nano-units in a bigint (Kubernetes' own finest scale), so sums and
// comparisons of requests/limits/quota never drift; conversions round up, as MilliValue()/Value() do.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value × 10^9, exact. */
  nano: bigint;
  /** How it was written; canonical printing keeps the family (binary stays binary where it can). */
  format: QuantityFormat;
}

export const QUANTITY_REGEX_STRING = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_REGEX_STRING}'`;
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

const NANO = 1_000_000_000n;
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const NUMBER = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/;
const EXPONENT = /^[eE]([-+]?[0-9]+)$/;

const pow10 = (n: number): bigint => 10n ** BigInt(n);
// Rounds away from zero, like resource.Quantity when precision below nano would be lost.
const divUp = (num: bigint, den: bigint): bigint => {
  const q = num / den;
  return num % den === 0n ? q : num > 0n ? q + 1n : q - 1n;
};

/** Parses a quantity string; throws QuantityError with Kubernetes' message when malformed. */
export function parseQuantity(input: string): Quantity {
  const s = String(input).trim();
  const m = NUMBER.exec(s);
  if (!s || !m || (m[2] === '' && (m[3] ?? '') === '')) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const [, sign, whole, fraction = '', suffix] = m;
  const digits = BigInt(`${whole || '0'}${fraction}`);
  let num = sign === '-' ? -digits : digits;
  let den = pow10(fraction.length);
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIXES) {
    const e = DECIMAL_SUFFIXES[suffix];
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
    format = 'DecimalSI';
  } else if (suffix in BINARY_SUFFIXES) {
    num *= 2n ** BigInt(BINARY_SUFFIXES[suffix]);
    format = 'BinarySI';
  } else {
    const exp = EXPONENT.exec(suffix);
    if (!exp) {
      if (!/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)) throw new QuantityError(QUANTITY_FORMAT_ERROR);
      throw new QuantityError(QUANTITY_SUFFIX_ERROR);
    }
    const e = Number(exp[1]);
    if (Math.abs(e) > 100) throw new QuantityError(QUANTITY_SUFFIX_ERROR);
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
    format = 'DecimalExponent';
  }
  return { nano: divUp(num * NANO, den), format };
}

/** The parse error message, or undefined when the value is a valid quantity. */
export function quantityError(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : QUANTITY_FORMAT_ERROR;
  if (typeof value !== 'string') return QUANTITY_FORMAT_ERROR;
  try {
    parseQuantity(value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Accepts the JSON forms a quantity may take (string or number). */
export function toQuantity(value: string | number | Quantity): Quantity {
  if (typeof value === 'object') return value;
  return parseQuantity(typeof value === 'number' ? String(value) : value);
}

/** Milli-units rounded up (cpu: millicores). */
export function milliValue(q: Quantity | string | number): number {
  return Number(divUp(toQuantity(q).nano, 1_000_000n));
}

/** Whole units rounded up (memory, storage: bytes). */
export function quantityValue(q: Quantity | string | number): number {
  return Number(divUp(toQuantity(q).nano, NANO));
}

export function quantityFromMilli(milli: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(Math.round(milli)) * 1_000_000n, format };
}

export function quantityFromValue(value: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(Math.round(value)) * NANO, format };
}

/** -1, 0 or 1 as a < b, a = b, a > b. */
export function compareQuantities(a: Quantity | string | number, b: Quantity | string | number): number {
  const x = toQuantity(a).nano;
  const y = toQuantity(b).nano;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addQuantities(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = toQuantity(a);
  return { nano: x.nano + toQuantity(b).nano, format: x.format };
}

export function subtractQuantities(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = toQuantity(a);
  return { nano: x.nano - toQuantity(b).nano, format: x.format };
}

const DECIMAL_BY_EXPONENT: [number, string][] = [
  [18, 'E'],
  [15, 'P'],
  [12, 'T'],
  [9, 'G'],
  [6, 'M'],
  [3, 'k'],
  [0, ''],
  [-3, 'm'],
  [-6, 'u'],
  [-9, 'n'],
];
const BINARY_BY_POWER: [number, string][] = [
  [60, 'Ei'],
  [50, 'Pi'],
  [40, 'Ti'],
  [30, 'Gi'],
  [20, 'Mi'],
  [10, 'Ki'],
];

/** Canonical string, as Quantity.String(): `1500m`, `1Gi`, `1500k`, `1e3` for exponent input. */
export function formatQuantity(q: Quantity | string | number): string {
  const { nano, format } = toQuantity(q);
  if (nano === 0n) return '0';
  const sign = nano < 0n ? '-' : '';
  const abs = nano < 0n ? -nano : nano;
  // Binary only for whole numbers of at least 1Ki; everything else prints in decimal (as Kubernetes does).
  if (format === 'BinarySI' && abs % NANO === 0n && abs / NANO >= 1024n) {
    const whole = abs / NANO;
    for (const [power, suffix] of BINARY_BY_POWER) {
      const unit = 2n ** BigInt(power);
      if (whole % unit === 0n) return `${sign}${whole / unit}${suffix}`;
    }
    return `${sign}${whole}`;
  }
  for (const [exponent, suffix] of DECIMAL_BY_EXPONENT) {
    const unit = pow10(exponent + 9);
    if (abs % unit === 0n) {
      const mantissa = abs / unit;
      if (format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
      return `${sign}${mantissa}${suffix}`;
    }
  }
  return `${sign}${abs}n`;
}

// Validation of ResourceList maps (quota hard limits, LimitRange bounds).
import type { FieldError } from '../../../shared/api/errors';
import { compareQuantities, formatQuantity, quantityError } from '../../../shared/api/quantity';
import type { Obj } from './common';
import { invalid } from './common';

export function validateResourceList(list: Obj | undefined, field: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [name, q] of Object.entries(list ?? {})) {
    const err = quantityError(q);
    if (err) out.push(invalid(`${field}[${name}]`, q, err));
    else if (compareQuantities(q, '0') < 0) out.push(invalid(`${field}[${name}]`, formatQuantity(q), 'must be greater than or equal to 0'));
  }
  return out;
}

/** Is `q` a valid quantity (so comparisons are safe)? */
export const validQuantity = (q: unknown): q is string | number => quantityError(q) === undefined;

import { describe, expect, it } from 'vitest';
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  milliValue,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  quantityError,
  quantityValue,
  subtractQuantities,
} from '../../../shared/api/quantity';

describe('parseQuantity', () => {
  it.each([
    ['100m', 100],
    ['0.5', 500],
    ['1', 1000],
    ['2.5', 2500],
    ['1e3', 1_000_000],
    ['1k', 1_000_000],
    ['1n', 1],
  ])('%s is %d millicores (rounded up)', (input, milli) => {
    expect(milliValue(input)).toBe(milli);
  });

  it.each([
    ['1Gi', 1073741824],
    ['128974848', 128974848],
    ['129e6', 129000000],
    ['123Mi', 128974848],
    ['1.5Gi', 1610612736],
    ['1Ki', 1024],
    ['0.1', 1],
  ])('%s is %d bytes', (input, bytes) => {
    expect(quantityValue(input)).toBe(bytes);
  });

  it('rejects malformed numbers with the Kubernetes message', () => {
    expect(() => parseQuantity('abc')).toThrow(QUANTITY_FORMAT_ERROR);
    expect(QUANTITY_FORMAT_ERROR).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(quantityError('')).toBe(QUANTITY_FORMAT_ERROR);
    expect(quantityError('1Gb')).toBe(QUANTITY_FORMAT_ERROR);
    expect(quantityError('1Kii')).toBe("unable to parse quantity's suffix");
    expect(quantityError('500m')).toBeUndefined();
    expect(quantityError(2)).toBeUndefined();
  });
});

describe('formatQuantity (canonical form)', () => {
  it.each([
    ['500m', '500m'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1500', '1500'],
    ['1500000', '1500k'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1e3', '1e3'],
    ['100Mi', '100Mi'],
    ['512', '512'],
    ['0', '0'],
  ])('%s prints as %s', (input, out) => {
    expect(formatQuantity(input)).toBe(out);
  });

  it('round-trips: parse(format(q)) equals q', () => {
    for (const s of ['250m', '3', '64Mi', '2Gi', '1.25', '7e6', '12345678']) {
      expect(compareQuantities(formatQuantity(s), s)).toBe(0);
    }
  });
});

describe('arithmetic', () => {
  it('compares across suffix families exactly', () => {
    expect(compareQuantities('1Gi', '1G')).toBe(1);
    expect(compareQuantities('1000m', '1')).toBe(0);
    expect(compareQuantities('100m', '0.2')).toBe(-1);
  });

  it('adds and subtracts without floating-point drift', () => {
    let sum = parseQuantity('0');
    for (let i = 0; i < 10; i++) sum = addQuantities(sum, '0.1');
    expect(formatQuantity(sum)).toBe('1');
    expect(formatQuantity(addQuantities('1Gi', '512Mi'))).toBe('1536Mi');
    expect(formatQuantity(subtractQuantities('1', '250m'))).toBe('750m');
  });
});

import { describe, expect, it } from 'vitest';
import { age, humanDuration } from '../../../../renderer/format/age';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration (kubectl AGE)', () => {
  it.each([
    [-5 * s, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 7 * s, '3m7s'],
    [10 * m, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [5 * h + 30 * m, '5h30m'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [400 * d, '400d'],
    [2 * 365 * d + 10 * d, '2y10d'],
    [9 * 365 * d, '9y'],
  ])('%i ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('reads RFC 3339 timestamps and tolerates missing ones', () => {
    expect(age('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:01:30Z'))).toBe('90s');
    expect(age(undefined, 0)).toBe('<unknown>');
  });
});

// The lab's heap growth policy: its default, its override, and a clear error for a bad override. Its
// effect on memory is measured by the scale benchmark (docs/PERFORMANCE.md), not asserted here.
import { describe, expect, it } from 'vitest';
import { heapGrowingPercent, LAB_HEAP_GROWING_PERCENT, tuneHeapForLab } from '../../../main/heap-tuning';

describe('heap tuning for a lab process', () => {
  it('caps heap growth at 1.3× the live size unless BOSUN_HEAP_GROWING_PERCENT says otherwise', () => {
    expect(LAB_HEAP_GROWING_PERCENT).toBe(30);
    expect(heapGrowingPercent({})).toBe(30);
    expect(heapGrowingPercent({ BOSUN_HEAP_GROWING_PERCENT: '' })).toBe(30);
    expect(heapGrowingPercent({ BOSUN_HEAP_GROWING_PERCENT: '25' })).toBe(25);
    expect(heapGrowingPercent({ BOSUN_HEAP_GROWING_PERCENT: '0' })).toBe(0);
  });

  it('names the variable, the value and the allowed range when the override is not a percent', () => {
    for (const bad of ['-5', '1.5', 'lots', '5000']) {
      expect(() => heapGrowingPercent({ BOSUN_HEAP_GROWING_PERCENT: bad })).toThrow(
        `BOSUN_HEAP_GROWING_PERCENT must be a whole number from 0 (V8's own policy) to 1000, got "${bad}"`,
      );
    }
  });

  it("leaves V8's own policy alone when asked to (0) and applies the percent otherwise", () => {
    expect(tuneHeapForLab({ BOSUN_HEAP_GROWING_PERCENT: '0' })).toBe(0);
    expect(tuneHeapForLab({ BOSUN_HEAP_GROWING_PERCENT: '50' })).toBe(50);
  });
});

import { describe, expect, it } from 'vitest';
import { prefixSuccessor, SortedKeys } from '../../../main/store/sorted-keys';

describe('SortedKeys', () => {
  it('keeps keys sorted and unique whatever the insertion order', () => {
    const keys = new SortedKeys();
    for (const k of ['/b', '/a/2', '/c', '/a/1', '/b', '/a/10']) keys.insert(k);
    expect(keys.withPrefix('')).toEqual(['/a/1', '/a/10', '/a/2', '/b', '/c']);
    keys.remove('/b');
    keys.remove('/missing');
    expect(keys.withPrefix('')).toEqual(['/a/1', '/a/10', '/a/2', '/c']);
    expect(keys.size).toBe(4);
  });

  it('selects exactly the keys under a prefix, not those of a longer sibling', () => {
    const keys = new SortedKeys();
    for (const k of ['/core/pods/default/a', '/core/pods/default2/b', '/core/pods/default/z', '/core/pods/defaul/x', '/core/podsx/default/a']) keys.insert(k);
    expect(keys.withPrefix('/core/pods/default/')).toEqual(['/core/pods/default/a', '/core/pods/default/z']);
    expect(keys.count('/core/pods/default')).toBe(3);
    expect(keys.count('/core/pods/')).toBe(4);
    expect(keys.count('/core/nodes/')).toBe(0);
    expect(keys.count('')).toBe(5);
  });

  it('handles prefixes ending in the highest code unit', () => {
    expect(prefixSuccessor('/a/')).toBe('/a0');
    expect(prefixSuccessor('/a\uffff')).toBe('/b');
    expect(prefixSuccessor('\uffff\uffff')).toBeUndefined();
    const keys = new SortedKeys();
    for (const k of ['/a\uffff1', '/a\uffff\uffff', '/b', '\uffff\uffffz']) keys.insert(k);
    expect(keys.withPrefix('/a\uffff')).toEqual(['/a\uffff1', '/a\uffff\uffff']);
    expect(keys.withPrefix('\uffff\uffff')).toEqual(['\uffff\uffffz']);
  });
});

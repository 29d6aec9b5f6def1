import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { fieldSelectorFromSet, parseFieldSelector } from '../../../shared/api/fields';

const F = { 'metadata.name': 'web-1', 'status.phase': 'Running', 'spec.nodeName': '' };

describe('parseFieldSelector', () => {
  it.each([
    ['', true],
    ['metadata.name=web-1', true],
    ['metadata.name==web-1', true],
    ['metadata.name!=web-1', false],
    ['status.phase=Running,metadata.name=web-1', true],
    ['status.phase=Pending', false],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['spec.missing=', true],
  ])('%j matches %j', (sel, want) => {
    expect(parseFieldSelector(sel).matches(F)).toBe(want);
  });

  it('understands escapes and pins exact matches', () => {
    const s = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d');
    expect(s.matches({ 'metadata.name': 'a,b=c\\d' })).toBe(true);
    expect(s.requiresExactMatch('metadata.name')).toBe('a,b=c\\d');
    expect(parseFieldSelector(s.toString()).matches({ 'metadata.name': 'a,b=c\\d' })).toBe(true);
    expect(parseFieldSelector('a!=b').requiresExactMatch('a')).toBeUndefined();
    expect(fieldSelectorFromSet({ 'spec.nodeName': 'n1' }).toString()).toBe('spec.nodeName=n1');
  });

  it.each(['nonsense', '=x', 'a=b=c', 'a=\\q'])('rejects %j with 400', (sel) => {
    let err: unknown;
    try {
      parseFieldSelector(sel);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
  });
});

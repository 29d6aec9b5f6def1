import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { formatLabelSelector, labelSelectorAsSelector, matchesLabelSelector, parseLabelSelector, selectorFromSet } from '../../../shared/api/labels';

const L = { app: 'web', tier: 'front', version: '3' };

describe('parseLabelSelector', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db, cache)', true],
    ['missing notin (x)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['version>2', true],
    ['version<3', false],
    ['  app = web ,  tier in ( front )  ', true],
    ['example.com/role=x', false],
    ['empty=', false],
  ])('%j matches %j', (sel, want) => {
    expect(parseLabelSelector(sel).matches(L)).toBe(want);
  });

  it('matches an empty value against `key=`', () => {
    expect(parseLabelSelector('e=').matches({ e: '' })).toBe(true);
  });

  it.each(['app in web', 'app in (web', '=x', 'app=web,', 'app===x', 'a b', 'app in ()', '!', 'bad key!x=1', 'app=x=y', 'Bad_/x', 'v>x'])('rejects %j with 400', (sel) => {
    let err: unknown;
    try {
      parseLabelSelector(sel);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
  });

  it('renders a canonical string sorted by key that parses back to the same selector', () => {
    const s = parseLabelSelector('z=1,a in (y,x),!m,k');
    expect(s.toString()).toBe('a in (x,y),k,!m,z=1');
    expect(parseLabelSelector(s.toString()).toString()).toBe(s.toString());
  });
});

describe('metav1.LabelSelector', () => {
  it('matchLabels and matchExpressions combine with AND; nil selects nothing, {} everything', () => {
    const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['front', 'back'] }, { key: 'canary', operator: 'DoesNotExist' as const }] };
    expect(matchesLabelSelector(sel, L)).toBe(true);
    expect(matchesLabelSelector(sel, { ...L, canary: 'y' })).toBe(false);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, L)).toBe(false);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, L)).toBe(true);
    expect(matchesLabelSelector(undefined, L)).toBe(false);
    expect(matchesLabelSelector(null, {})).toBe(false);
    expect(matchesLabelSelector({}, L)).toBe(true);
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(ApiError);
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Near' as never }] })).toThrow(ApiError);
  });

  it('formatLabelSelector prints like kubectl describe', () => {
    expect(formatLabelSelector({ matchLabels: { b: '2', a: '1' } })).toBe('a=1,b=2');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod', 'dev'] }, { key: 'x', operator: 'Exists' }] })).toBe('env notin (dev,prod),x');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(selectorFromSet({ app: 'web' }).toString()).toBe('app=web');
  });
});

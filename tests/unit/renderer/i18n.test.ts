import { describe, expect, it } from 'vitest';
import { en } from '../../../renderer/i18n/en';
import { zhCN } from '../../../renderer/i18n/zh-CN';
import { createBosunI18n, initialLocale } from '../../../renderer/i18n';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('renderer i18n', () => {
  it('has every English message in zh-CN, none empty', () => {
    expect(keys(zhCN)).toEqual(keys(en));
    expect(keys(zhCN).every((k) => k.split('.').reduce((o: any, p) => o[p], zhCN).length > 0)).toBe(true);
  });

  it('picks a saved locale first, then the browser language', () => {
    expect(initialLocale('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(initialLocale(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(initialLocale(null, ['de-DE'])).toBe('en');
    expect(initialLocale('fr', ['en'])).toBe('en');
  });

  it('translates the token help in both languages', () => {
    const i18n = createBosunI18n({ getItem: () => 'zh-CN' }, []);
    expect(i18n.global.t('connection.noTokenHelp')).toContain('bosun serve');
    expect(i18n.global.t('namespaces.title')).toBe('命名空间');
    i18n.global.locale.value = 'en';
    expect(i18n.global.t('connection.noTokenHelp')).toBe('This page needs the lab’s access token. Open the Dashboard link printed by `bosun serve`.');
  });
});

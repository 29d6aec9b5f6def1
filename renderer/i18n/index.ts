// vue-i18n for our strings plus the matching Element Plus locale for its built-in texts.
import elementEn from 'element-plus/es/locale/lang/en.mjs';
import elementZhCn from 'element-plus/es/locale/lang/zh-cn.mjs';
import { createI18n } from 'vue-i18n';
import type { KeyValueStorage } from '../api/connection';
import { en, type MessageSchema } from './en';
import { zhCN } from './zh-CN';
import { desktopEn } from './desktop-en';
import { desktopZhCN } from './desktop-zh-CN';

export const LOCALES = ['en', 'zh-CN'] as const;
export type LocaleCode = (typeof LOCALES)[number];

const LOCALE_STORAGE_KEY = 'bosun.locale';

export const elementLocales = { en: elementEn, 'zh-CN': elementZhCn };

/** A saved choice wins; otherwise Chinese browsers get zh-CN and everyone else English. */
export function initialLocale(saved: string | null, browserLanguages: readonly string[]): LocaleCode {
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return browserLanguages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function createBosunI18n(storage: Pick<KeyValueStorage, 'getItem'>, languages: readonly string[]) {
  return createI18n<[MessageSchema], LocaleCode, false>({
    legacy: false,
    locale: initialLocale(storage.getItem(LOCALE_STORAGE_KEY), languages),
    fallbackLocale: 'en',
    messages: { en: { ...en, ...desktopEn }, 'zh-CN': { ...zhCN, ...desktopZhCN } },
  });
}

export function saveLocale(storage: Pick<KeyValueStorage, 'setItem'>, locale: LocaleCode): void {
  storage.setItem(LOCALE_STORAGE_KEY, locale);
}

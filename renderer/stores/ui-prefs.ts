// Remembered UI choices (namespace, theme, learning mode); the language lives in i18n/index.ts with vue-i18n.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { KeyValueStorage } from '../api/connection';

export type Theme = 'light' | 'dark';

const NAMESPACE_KEY = 'bosun.namespace';
const THEME_KEY = 'bosun.theme';
const LEARNING_KEY = 'bosun.learningMode';

function storage(): Pick<KeyValueStorage, 'getItem' | 'setItem'> | undefined {
  return typeof localStorage === 'undefined' ? undefined : localStorage;
}

export function initialTheme(saved: string | null | undefined, prefersDark: boolean): Theme {
  if (saved === 'light' || saved === 'dark') return saved;
  return prefersDark ? 'dark' : 'light';
}

export const useUiPrefs = defineStore('ui-prefs', () => {
  const s = storage();
  /** '' means all namespaces. */
  const namespace = ref(s?.getItem(NAMESPACE_KEY) ?? '');
  const prefersDark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
  const theme = ref<Theme>(initialTheme(s?.getItem(THEME_KEY), prefersDark));

  /** Show the kubectl command and HTTP requests behind every action. */
  const learningMode = ref(s?.getItem(LEARNING_KEY) === 'true');

  watch(namespace, (v) => s?.setItem(NAMESPACE_KEY, v));
  watch(learningMode, (v) => s?.setItem(LEARNING_KEY, String(v)));
  watch(
    theme,
    (v) => {
      s?.setItem(THEME_KEY, v);
      // Element Plus switches its CSS variables on html.dark.
      if (typeof document !== 'undefined') document.documentElement.classList.toggle('dark', v === 'dark');
    },
    { immediate: true },
  );

  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
  }

  return { namespace, theme, learningMode, toggleTheme };
});

import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

// Bare builtin names are exact module names (`events`), never globs: a glob would also match
// `../resources/events`.
const nodeBuiltinNames = ['fs', 'path', 'os', 'http', 'https', 'net', 'child_process', 'crypto', 'stream', 'events', 'url', 'util'];
const nodeBuiltins = ['node:*', ...nodeBuiltinNames.map((name) => ({ name }))];

// Import boundaries from shared/DESIGN.md, enforced here rather than by convention. Strings are glob
// patterns; `{ name }` entries are exact module names.
const restrict = (entries, message) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: entries.filter((e) => typeof e === 'string').map((group) => ({ group: [group], message })),
      paths: entries.filter((e) => typeof e !== 'string').map(({ name }) => ({ name, message })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'tests/.artifacts/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'No default exports outside .vue files (DESIGN.md style 5).' }],
    },
  },
  {
    files: ['**/*.vue', '*.config.ts', '*.config.mts', 'eslint.config.mjs', 'electron.vite.config.ts', 'vitest.config.mts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['shared/**'],
    rules: restrict(['**/main/**', '**/renderer/**', 'electron', 'vue', 'pinia', 'element-plus', 'dockerode', ...nodeBuiltins], 'shared/ is pure TypeScript: it imports nothing from main/, renderer/, node, electron or vue.'),
  },
  {
    files: ['renderer/**'],
    rules: restrict(['**/main/**', 'electron', 'dockerode', '@seald-io/nedb', ...nodeBuiltins], 'The renderer talks the Kubernetes REST API only; it never imports main/, node or electron.'),
  },
  {
    files: ['main/**', 'tests/**', 'scripts/**'],
    ignores: ['main/app/**', 'main/runtime/docker.ts'],
    rules: restrict([{ name: 'electron' }, { name: 'dockerode' }], 'Only main/app imports electron; only main/runtime/docker.ts imports dockerode.'),
  },
  {
    files: ['main/app/**'],
    rules: restrict([{ name: 'dockerode' }], 'Only main/runtime/docker.ts imports dockerode.'),
  },
  {
    files: ['main/runtime/docker.ts'],
    rules: restrict([{ name: 'electron' }], 'Only main/app imports electron.'),
  },
);

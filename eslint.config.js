import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import eslintConfigPrettier from 'eslint-config-prettier';

// Where `electron` may be imported. Since Electron 42, `require('electron')` in plain Node tries to
// download the binary and throws offline, so every other file must stay Electron-free: that is what
// lets tests, the CLI and browser mode run the very same backend. test/unit/boundaries.test.ts
// checks this rule is in force.
export const ELECTRON_ALLOWED = ['electron/main/index.ts', 'electron/main/platform/**', 'electron/preload/**'];

const electronBan = {
  paths: [
    { name: 'electron', message: 'Only electron/main/index.ts, electron/main/platform/ and electron/preload/ may import electron.' },
    { name: 'electron-store', message: 'Only electron/main/platform/ may import electron-store.' },
  ],
};

// The arrows of the runtime map (docs/ARCHITECTURE.md, "Runtime map"), as lint zones: each entry
// forbids `target` from importing anything under `from`. test/unit/zones.test.ts proves every zone
// is in force by linting a probe that breaks it.
const HOSTS = ['electron/main', 'electron/web', 'electron/cli', 'electron/preload'];
const hostZones = HOSTS.map((host) => ({
  target: `./${host}`,
  from: HOSTS.filter((h) => h !== host).map((h) => `./${h}`),
  message: 'Hosts do not import each other: move the shared helper down into shared/ or electron/backend/.',
}));
export const ZONES = [
  ...hostZones,
  { target: './electron/backend', from: HOSTS.map((h) => `./${h}`), message: 'The backend never imports a host: hosts compose the backend, not the reverse.' },
  { target: './shared', from: ['./electron', './renderer'], message: 'shared/ is the bottom layer: it imports nothing of electron/ or renderer/.' },
  {
    target: './renderer',
    from: ['./electron', './test', './scripts', './bin'],
    message: 'The renderer imports only renderer/ and shared/; it talks to the backend through window.kiln.',
  },
  {
    target: './electron/backend/history',
    from: './electron/backend/vault',
    message: 'history and vault do not import each other: shared types live in electron/backend/records/, export/import in electron/backend/transfer/.',
  },
  {
    target: './electron/backend/vault',
    from: './electron/backend/history',
    message: 'history and vault do not import each other: shared types live in electron/backend/records/, export/import in electron/backend/transfer/.',
  },
  {
    target: './electron/backend/providers',
    from: './electron/backend/engine',
    message: 'Providers import nothing of the engine: the engine depends on providers through the Provider interface.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-imports': ['error', electronBan],
    },
  },
  {
    files: ELECTRON_ALLOWED,
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronBan,
          patterns: [{ group: ['node:*'], message: 'The renderer is sandboxed: no Node APIs. Use window.kiln.' }],
        },
      ],
    },
  },
  // The renderer's accessibility and hook rules: what axe cannot see in a static page (labels on
  // every control, keyboard twins for pointer handlers, roles used as ARIA allows) and hooks that
  // React can rely on (rules of hooks, complete dependency lists, no components made in render).
  {
    files: ['renderer/**/*.tsx'],
    ...jsxA11y.flatConfigs.recommended,
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['renderer/src/features/**/*.{ts,tsx}'],
    rules: {
      // Features use the accessible primitives through renderer/src/ui/, never the library itself.
      'no-restricted-imports': [
        'error',
        {
          ...electronBan,
          patterns: [
            { group: ['node:*'], message: 'The renderer is sandboxed: no Node APIs. Use window.kiln.' },
            { group: ['@radix-ui/*'], message: 'Import the primitive from renderer/src/ui/ instead.' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronBan,
          patterns: [{ group: ['node:*', 'react', 'react-dom', 'zustand'], message: 'shared/ is imported by both sides: no Node, DOM or UI imports.' }],
        },
      ],
    },
  },
  {
    // One way to open the history file (history/db.ts connect): a connection opened any other way
    // gets SQLite's default sync level, a disk flush per commit on the main thread.
    files: ['electron/**/*.ts'],
    ignores: ['electron/backend/history/db.ts', 'electron/backend/history/salvage.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='DatabaseSync']",
          message: 'Open the history file with connect() from history/db.ts (its sync level and lock wait).',
        },
      ],
    },
  },
  {
    // Import arrows and cycles, for the code that ships (tests and scripts may reach anywhere).
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x skips .ts dependencies when it walks the graph (no-cycle saw nothing).
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: ZONES }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // Last: turns off every stylistic rule Prettier owns, so lint and the formatter never disagree.
  eslintConfigPrettier,
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';

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
      'no-restricted-imports': ['error', {
        ...electronBan,
        patterns: [{ group: ['node:*'], message: 'The renderer is sandboxed: no Node APIs. Use window.kiln.' }],
      }],
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
      'no-restricted-imports': ['error', {
        ...electronBan,
        patterns: [
          { group: ['node:*'], message: 'The renderer is sandboxed: no Node APIs. Use window.kiln.' },
          { group: ['@radix-ui/*'], message: 'Import the primitive from renderer/src/ui/ instead.' },
        ],
      }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        ...electronBan,
        patterns: [{ group: ['node:*', 'react', 'react-dom', 'zustand'], message: 'shared/ is imported by both sides: no Node, DOM or UI imports.' }],
      }],
    },
  },
);

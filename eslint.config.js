import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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

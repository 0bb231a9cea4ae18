import { defineConfig } from '@playwright/test';

// Playwright drives Debian's Chromium (its own browser download is blocked on these machines).
export const chromiumPath = process.env.KILN_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});

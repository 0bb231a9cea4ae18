import { defineConfig } from 'vitest/config';

// Two projects: fast Node unit tests, and integration tests that talk real HTTP to the
// simulator on 127.0.0.1 and use real SQLite files (slower, run one file at a time per core).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

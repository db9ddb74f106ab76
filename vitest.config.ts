import { defineConfig } from 'vitest/config';

// Run through `npm test`: it starts a throwaway database, migrates it and
// passes its URL in DATABASE_URL. Suites never mock PostgreSQL.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'examples/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Several suites open 30+ connections at once: run at most two files together.
    maxWorkers: 2,
  },
});

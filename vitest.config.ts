import { defineConfig } from 'vitest/config';

// Run through `npm test`: it starts a throwaway database, migrates it and
// passes its URL in DATABASE_URL. Suites never mock PostgreSQL.
const exclude = ['tests/e2e/**', 'examples/**', 'node_modules/**'];
// The flood suite runs after every other suite, alone: its load would slow theirs.
const measured = ['tests/functions/limits.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Several suites open 30+ connections at once: run at most two files together.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suites', include: ['tests/**/*.test.ts'], exclude: [...exclude, ...measured], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'measured', include: measured, exclude, sequence: { groupOrder: 1 } } },
    ],
  },
});

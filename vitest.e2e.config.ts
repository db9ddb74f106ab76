import { defineConfig } from 'vitest/config';

// `npm run test:e2e` (scripts/test-e2e.ts) starts the stack and the example
// app, then runs these browser tests against them.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/dynamoLocal.global.ts'],
    // Tests against DynamoDB Local do real I/O; the slowest (200,000 rows in batches) needs a while.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: false,
    pool: 'forks',
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CLI tests spawn bin/foi; two workers suit the 2-core machines this runs on.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/loopback-guard.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});

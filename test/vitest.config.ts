import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    // Sized for two busy cores (see test/helpers/timeouts.ts): a bound on hangs, never a speed test.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});

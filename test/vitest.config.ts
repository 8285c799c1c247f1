import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    // Sized for two busy cores (see test/helpers/timeouts.ts): a bound on hangs, never a speed test.
    testTimeout: 60_000,
    // Vitest's default on a 2-core machine is one file at a time (cores - 1). Most files here wait on
    // child processes, sockets and builds rather than compute, so two at a time halves CI's wall time
    // (the whole suite: 11 min 16 s with 2, against about 18 min with 1, on this 2-core machine)
    // and still leaves every timeout sized for two busy cores.
    maxWorkers: 2,
    hookTimeout: 180_000,
  },
});

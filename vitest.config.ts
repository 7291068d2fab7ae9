import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end suites start real servers (Chromium, WordPress, the generated proxy): generous limits, and
    // at most two files at once on a two-core machine.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
    // Rig failures must fail the run; nothing is allowed to skip silently.
    passWithNoTests: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});

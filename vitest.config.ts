import { defineConfig } from 'vitest/config';

/**
 * Suites whose code under test does not run on Node (the generated page in Chromium, the plugin in PHP, the Worker
 * in workerd): the Node 22 and 24 runs (`.ci/test-node.sh`) leave them out, since the CLI that generates them is
 * covered by the rest.
 */
export const NOT_NODE_SPECIFIC = ['test/browser-*.test.ts', 'test/wordpress-*.test.ts', 'test/worker-*.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: process.env.BYOK_NODE_SUITES_ONLY ? NOT_NODE_SPECIFIC : [],
    // A missing rig stops the run before any suite starts, with one line naming the command that installs it.
    globalSetup: ['./test/support/rigs.ts'],
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

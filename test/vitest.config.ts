import { defineConfig } from 'vitest/config';

/**
 * Three projects, told apart by file name: `unit` (in-process, no built CLI, Redis or browser; the
 * fast loop), `integration` (`*.integration.test.ts`: spawns the CLI, redis-server or Chromium) and
 * `deep` (`*.deep.test.ts`: minute-long searches, only by `npm run test:deep`).
 */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Every project inherits it (and adds its own); the run fails if a test leaves a temporary file behind.
    globalSetup: ['test/support/temp-folder-check.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.integration.test.ts', 'test/**/*.deep.test.ts'],
          // These suites spend most of their time waiting on sockets and timers, not computing: one worker
          // per core (vitest's default leaves a core idle, which on two cores halves the fast loop).
          maxWorkers: '100%',
        },
      },
      {
        extends: true,
        // Its own group, so it keeps vitest's default worker count: each of its suites spawns processes.
        test: { name: 'integration', include: ['test/**/*.integration.test.ts'], globalSetup: ['test/support/build-cli.ts'], sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'deep', include: ['test/**/*.deep.test.ts'], testTimeout: 600_000, hookTimeout: 60_000, sequence: { groupOrder: 2 } },
      },
    ],
  },
});

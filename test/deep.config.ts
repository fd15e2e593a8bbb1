import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.deep.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});

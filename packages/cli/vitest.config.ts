import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['tests/**/*.test.ts'],
    // One emulator for the whole run, shared by every project (see testkit's global setup).
    globalSetup: ['../testkit/src/vitestGlobalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

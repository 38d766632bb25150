import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'infra',
    include: ['tests/**/*.test.ts'],
    globalSetup: [
      // One emulator for the whole run, shared by every project (see testkit's global setup).
      '../testkit/src/vitestGlobalSetup.ts',
      // The app synthesized once; the template tests read it.
      './tests/support/synthGlobalSetup.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*'],
    reporters: ['default', 'json'],
    outputFile: { json: '.cache/vitest-results.json' },
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        // The pure core is held to 95 % of its lines.
        'packages/core/src/**/*.ts': { lines: 95 },
      },
    },
  },
});

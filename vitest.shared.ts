// Shared vitest settings: source-condition resolution (tests run on src, not dist) and a JSON
// result file per package that scripts/check.mjs totals into the closing `N passed, N failed` line.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@retain/source'] },
  ssr: { resolve: { conditions: ['@retain/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
  },
});

import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing running; `integration` (files named *.int.test.ts) talks to the
// real Kafka, schema registry and PostgreSQL that the global setup finds or starts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/setup/global-setup.ts'],
          setupFiles: ['test/setup/quiet-warnings.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Files run in parallel against one stack; each uses its own topics and group ids.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});

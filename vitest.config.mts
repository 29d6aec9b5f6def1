import { defineConfig } from 'vitest/config';

// Integration and e2e tests share one Docker engine and spawn `bosun serve` processes, so files run
// one at a time on this 2-core budget; unit tests are fast enough that this costs little.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});

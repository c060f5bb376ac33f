import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The bundles the tests start (bin/seglens.js, the engine, job processes) built from the sources first.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2-core machines: tfjs and sharp already use threads; more workers only thrash.
    maxWorkers: 2,
    reporters: ['default'],
  },
});

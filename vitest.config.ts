import { defineConfig } from 'vitest/config';

// One runner for every kind of test (Vitest: TypeScript without a build, projects with their own global setup,
// and the same Vite toolchain the app is built with). `npm test` runs the projects in order: unit, integration
// (against the lab, which the setup starts when needed), then end-to-end (Chromium against the web host).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/labGlobalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          // The panes work against the real lab; the lab pane's own test stops and restarts it from the UI.
          globalSetup: ['test/helpers/labGlobalSetup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

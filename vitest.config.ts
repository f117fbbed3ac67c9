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
          // Two files at a time: most of an integration file's time is spent waiting on the lab's services (load ~1
          // with one file), and every file uses names of its own. Faults go to private labs; the few files that start
          // or count the shared lab's services hold test/helpers/labServicesLock.ts.
          maxWorkers: 2,
          // Its own group (after unit's, which has a different worker count), should one `vitest run` take every project.
          sequence: { groupOrder: 1 },
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

import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          // Worker threads the engine starts are entries of their own: the replicator's writer thread (chunkWriter.ts
          // looks for replicatorWriter.js beside the main bundle). test/integration/desktopBundle.int.test.ts checks it.
          replicatorWriter: resolve('src/engine/replicator/writerWorker.ts'),
          // Each pipeline connector task's thread (pipeline/taskThread.ts looks for pipelineTask.js beside the bundle).
          pipelineTask: resolve('src/engine/pipeline/taskWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload cannot load ES modules, so it ships as CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: {
      // electron-vite leaves bundles unminified; the renderer is also served to browsers by the web host, where a
      // minified bundle halves cold start (parse time), and Monaco's lazy chunk shrinks from ~7.7 MB to ~3 MB.
      minify: true,
      // Monaco's chunk (~4 MB) is loaded only when the editor or query pane opens; Vite's 500 kB warning about it told
      // every `npm start` something that is by design.
      chunkSizeWarningLimit: 5000,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index';
import { startWebHost, type WebHost } from '../../src/engine/host/wsHost';

/** The web host exactly as `ferry web` runs it, over the built renderer (`npm run build`). */
export async function startTestWebHost(options: Omit<EngineOptions, 'host'> = {}): Promise<{ engine: Engine; host: WebHost; close(): Promise<void> }> {
  // FERRY_E2E_RENDERER_DIR: a private copy of the build, so a parallel `npm run build` cannot swap chunks mid-test.
  const rendererDir = process.env.FERRY_E2E_RENDERER_DIR ?? join(process.cwd(), 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${rendererDir}); run \`npm run build\` first (npm run test:e2e does).`);
  }
  const engine = createEngine({ ...options, host: 'web' });
  const host = await startWebHost({ engine, rendererDir });
  return {
    engine,
    host,
    async close() {
      await host.close();
      engine.dispose();
    },
  };
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/engine/index';
import { startWebHost, type WebHost } from '../../src/engine/host/wsHost';

/** The web host exactly as `ferry web` runs it, over the built renderer (`npm run build`). */
export async function startTestWebHost(): Promise<{ engine: Engine; host: WebHost; close(): Promise<void> }> {
  const rendererDir = join(process.cwd(), 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${rendererDir}); run \`npm run build\` first (npm run test:e2e does).`);
  }
  const engine = createEngine({ host: 'web' });
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

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createServer } from 'node:net';
import type { IDisposable } from '../../shared/lifecycle';

export interface EmbeddedPostgres extends IDisposable {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served on 127.0.0.1 over the PostgreSQL wire protocol so Ferry's
 * ordinary pg-based reader and sink use it exactly as they use a real server. PGlite is one connection inside:
 * the socket server multiplexes clients and runs one transaction at a time.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string } = {}): Promise<EmbeddedPostgres> {
  return serve(await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {}));
}

/**
 * Two empty databases (the demo's source and target). The second is loaded from a dump of the first taken before
 * anything is written: creating a PGlite database runs initdb in WebAssembly, the slowest part of a demo's first start
 * (6 s against 1 s from the dump at load 23 on 2 cores).
 */
export async function startEmbeddedPostgresPair(): Promise<[EmbeddedPostgres, EmbeddedPostgres]> {
  const first = await PGlite.create();
  let second: PGlite;
  try {
    second = await PGlite.create({ loadDataDir: await first.dumpDataDir('none') });
  } catch (error) {
    await first.close().catch(() => {});
    throw error;
  }
  const source = await serve(first).catch(async (error: unknown) => {
    await Promise.all([first.close(), second.close()]).catch(() => {});
    throw error;
  });
  const target = await serve(second).catch(async (error: unknown) => {
    await Promise.all([source.close(), second.close()]).catch(() => {});
    throw error;
  });
  return [source, target];
}

async function serve(db: PGlite): Promise<EmbeddedPostgres> {
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await server.stop();
    await db.close();
  };
  return { host: '127.0.0.1', port, user: 'postgres', password: '', database: 'postgres', close, dispose: () => void close() };
}

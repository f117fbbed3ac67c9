import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY, azuriteBlobUrl, azuritePaths, startAzurite, waitForAzurite } from '../../src/engine/lab/azurite';

// A private Azurite (Blob endpoint) on a free port with its own data folder, for tests that write objects or kill
// the storage; the shared lab's Azurite stays untouched.

export interface PrivateAzurite {
  port: number;
  /** `store.url` for the sinks. */
  url: string;
  account: string;
  key: string;
  client: BlobServiceClient;
  createContainer(name: string): Promise<void>;
  /** Names of the blobs in a container (with a prefix). */
  list(container: string, prefix?: string): Promise<string[]>;
  read(container: string, name: string): Promise<Buffer>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPrivateAzurite(): Promise<PrivateAzurite> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-azurite-'));
  const paths = azuritePaths(dir);
  const port = await freePort();
  const child = await startAzurite(paths, port);
  try {
    await waitForAzurite({ child, paths, port, timeoutMs: 60_000 });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const url = azuriteBlobUrl(port);
  const client = new BlobServiceClient(url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY));
  return {
    port,
    url,
    account: AZURITE_ACCOUNT,
    key: AZURITE_ACCOUNT_KEY,
    client,
    createContainer: async (name) => {
      await client.getContainerClient(name).createIfNotExists();
    },
    list: async (container, prefix = '') => {
      const names: string[] = [];
      for await (const blob of client.getContainerClient(container).listBlobsFlat({ prefix })) names.push(blob.name);
      return names.sort();
    },
    read: (container, name) => client.getContainerClient(container).getBlobClient(name).downloadToBuffer(),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import type * as AzureStorageBlob from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { lazyModule } from '../../base/lazyModule';
import { objectStoreError } from './errors';
import type { ObjectStore } from './writer';

// Loaded when a store is opened: only an object-store sink's thread needs it (~14 MB resident, base/lazyModule.ts).
const storageBlob = lazyModule<typeof AzureStorageBlob>('@azure/storage-blob');

export interface AzureBlobStoreOptions {
  /** `azblob.account.name` / `azure.datalake.gen2.account.name`. */
  accountName: string;
  /** The account key (base64), revealed only here. */
  accountKey: string;
  container: string;
  /** `store.url`: the Blob endpoint; default `https://<account>.blob.core.windows.net`. Azurite: `http://127.0.0.1:10000/<account>`. */
  storeUrl?: string;
}

export function defaultBlobEndpoint(accountName: string): string {
  return `https://${accountName}.blob.core.windows.net`;
}

/** Objects as block blobs through Microsoft's client; a put replaces the blob of that name in one request. */
export class AzureBlobStore implements ObjectStore {
  private readonly container: ContainerClient;
  private checked: Promise<void> | undefined;
  readonly endpoint: string;

  constructor(private readonly options: AzureBlobStoreOptions) {
    this.endpoint = (options.storeUrl ?? defaultBlobEndpoint(options.accountName)).replace(/\/+$/, '');
    const credential = new storageBlob.StorageSharedKeyCredential(options.accountName, options.accountKey);
    // Two retries inside the client; the sink's own backoff handles longer outages.
    const service = new storageBlob.BlobServiceClient(this.endpoint, credential, { retryOptions: { maxTries: 3, tryTimeoutInMs: 30_000 } });
    this.container = service.getContainerClient(options.container);
  }

  /** Fails with what to do when the container is missing or the key is refused. */
  async check(): Promise<void> {
    try {
      const exists = await this.container.exists();
      if (!exists) {
        throw objectStoreError('OBJECT_STORE_CONTAINER_MISSING', `Container "${this.options.container}" does not exist in account "${this.options.accountName}" at ${this.endpoint}; create it (az storage container create -n ${this.options.container}) or fix the container name.`);
      }
    } catch (error) {
      throw describeFailure(error, `checking container "${this.options.container}" at ${this.endpoint}`);
    }
  }

  async put(name: string, bytes: Buffer, contentType: string): Promise<void> {
    this.checked ??= this.check().catch((error: unknown) => {
      this.checked = undefined;
      throw error;
    });
    await this.checked;
    try {
      await this.container.getBlockBlobClient(name).uploadData(bytes, { blobHTTPHeaders: { blobContentType: contentType } });
    } catch (error) {
      throw describeFailure(error, `writing ${name}`);
    }
  }

  async list(prefix = ''): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  }

  async read(name: string): Promise<Buffer> {
    return this.container.getBlobClient(name).downloadToBuffer();
  }
}

function describeFailure(error: unknown, what: string): Error {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('OBJECT_STORE_')) return error;
  const status = typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : undefined;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (status === 403) {
    return objectStoreError('OBJECT_STORE_WRITE_FAILED', `Azure refused ${what} (403): check the account name and key (azblob.account.key / azure.datalake.gen2.access.key).`, { cause: error });
  }
  // Anything else (refused connection, 5xx, timeouts) can pass: the sink retries with backoff.
  return objectStoreError('OBJECT_STORE_WRITE_FAILED', `Azure Blob Storage failed ${what}: ${message}`, { retriable: true, cause: error });
}

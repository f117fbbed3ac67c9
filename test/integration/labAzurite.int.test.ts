import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateLab, startPrivateLab } from '../helpers/privateLab';

// Azurite as a lab service: `ferry lab up` starts it with its documented development account, the lab JSON gives its
// Blob endpoint and account, and its blobs survive a restart of the service (data in the lab directory).

let lab: PrivateLab;

beforeAll(async () => {
  lab = await startPrivateLab(['azurite'], 'azurite');
}, 120_000);

afterAll(async () => {
  await lab?.close();
});

describe('the lab\'s Azurite', () => {
  it('serves the development account at the endpoint the lab reports, and keeps blobs across a restart', async () => {
    const { url, account, accountKey } = lab.endpoints.azurite;
    expect(url).toBe(`http://127.0.0.1:${10100 + lab.offset}/devstoreaccount1`);
    const client = new BlobServiceClient(url, new StorageSharedKeyCredential(account, accountKey));
    const container = client.getContainerClient('landing');
    await container.createIfNotExists();
    await container.getBlockBlobClient('hello.txt').uploadData(Buffer.from('kept'));
    const status = (await lab.lab.status()).services.find((service) => service.name === 'azurite');
    expect(status).toMatchObject({ state: 'running', kind: 'azurite' });

    await lab.kill('azurite', 'SIGTERM');
    await lab.start('azurite');
    expect((await container.getBlobClient('hello.txt').downloadToBuffer()).toString()).toBe('kept');
  }, 120_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionsService } from '../connections';
import { ConnectService } from './connectService';

describe('Kafka Connect service over connection profiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-connect-service-'));
  const connections = new ConnectionsService({ dataDir: dir });
  const service = new ConnectService({
    profiles: () => connections.connectProfiles(),
    profileClient: (id, timeoutMs) => connections.connectClient(id, timeoutMs),
    requireWriteConfirmation: (id, confirmed, action) => connections.requireWriteConfirmation(id, confirmed, action),
  });
  afterAll(() => {
    connections.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers every Connect profile, says which lack their password, and changes a prod one only when confirmed', async () => {
    // Port 1: nothing listens, so a call that passes the guard fails as unreachable instead.
    const prod = await connections.save({ profile: { kind: 'connect', name: 'prod connect', environment: 'prod', url: 'http://127.0.0.1:1' } });
    const locked = await connections.save({ profile: { kind: 'connect', name: 'locked', environment: 'dev', url: 'http://127.0.0.1:1', basicAuthUser: 'admin' } });
    expect(await service.clusters()).toEqual([
      { key: locked.id, label: 'locked', url: 'http://127.0.0.1:1', ref: { profileId: locked.id }, environment: 'dev', passwordMissing: true },
      { key: prod.id, label: 'prod connect', url: 'http://127.0.0.1:1', ref: { profileId: prod.id }, environment: 'prod' },
    ]);
    await expect(service.pause({ profileId: prod.id }, 'orders')).rejects.toMatchObject({ code: 'PROFILE_WRITE_NOT_CONFIRMED', message: expect.stringContaining('pause connector "orders"') });
    await expect(service.restart({ profileId: prod.id }, 'orders', 0)).rejects.toMatchObject({ code: 'PROFILE_WRITE_NOT_CONFIRMED' });
    await expect(service.pause({ profileId: prod.id }, 'orders', true)).rejects.toMatchObject({ code: 'DEPLOY_CONNECT_UNREACHABLE' });
    // Reading never needs a confirmation; a profile whose password is not kept says so before any request.
    await expect(service.connectors({ profileId: prod.id })).rejects.toMatchObject({ code: 'DEPLOY_CONNECT_UNREACHABLE' });
    await expect(service.connectors({ profileId: locked.id })).rejects.toMatchObject({ code: 'CONNECTION_SECRET_MISSING', message: expect.stringContaining('Password not stored') });
  });
});

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectProfile } from '../../shared/api/connections';
import { testConnectProfile } from './connectTest';

const profile = (url: string, basicAuthUser?: string): ConnectProfile => ({ id: 'c', kind: 'connect', name: 'connect', environment: 'dev', url, ...(basicAuthUser ? { basicAuthUser } : {}) });
const SECRET = 'connect-secret-31337';

async function listen(server: Server | HttpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The words a Connect profile's Test uses for what is not a Connect worker, and for what refuses its credentials. */
describe('Kafka Connect profile test', () => {
  // A REST API behind basic auth (as BasicAuthSecurityRestExtension answers), another HTTP service, and a port that
  // speaks no HTTP at all (a Kafka broker closes the connection).
  const guarded = createHttpServer((request, response) => {
    response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 401, message: 'Request requires authentication' }));
  });
  const otherService = createHttpServer((request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  const notHttp = createServer((socket) => socket.destroy());
  const ports = { guarded: 0, other: 0, notHttp: 0 };
  beforeAll(async () => {
    ports.guarded = await listen(guarded);
    ports.other = await listen(otherService);
    ports.notHttp = await listen(notHttp);
  });
  afterAll(async () => {
    for (const server of [guarded, otherService, notHttp]) await new Promise((resolve) => server.close(resolve));
  });

  it('says 401 without a user, and wrong user or password with one, never showing the password', async () => {
    const anonymous = await testConnectProfile(profile(`http://127.0.0.1:${ports.guarded}`), undefined);
    expect(anonymous.failure).toMatchObject({ step: 'auth', code: 'CONNECTION_AUTH', message: expect.stringMatching(/asks for credentials \(401\)/) });
    const wrong = await testConnectProfile(profile(`http://127.0.0.1:${ports.guarded}`, 'admin'), SECRET);
    expect(wrong.failure?.message).toMatch(/refused GET \/ as admin: wrong user or password \(401\)/);
    expect(JSON.stringify(wrong)).not.toContain(SECRET);
  });

  it('names a missing password before connecting', async () => {
    const result = await testConnectProfile(profile(`http://127.0.0.1:${ports.guarded}`, 'admin'), undefined);
    expect(result.failure).toMatchObject({ step: 'settings', code: 'CONNECTION_SECRET_MISSING' });
    expect(result.steps).toHaveLength(1);
  });

  it('tells another HTTP service and a port without HTTP from a Connect worker', async () => {
    const other = await testConnectProfile(profile(`http://127.0.0.1:${ports.other}`), undefined);
    expect(other.failure).toMatchObject({ step: 'auth', code: 'CONNECTION_PROTOCOL', message: expect.stringMatching(/answered GET \/ with \{\}, not Kafka Connect's .*: this is not a Connect worker/) });
    const broker = await testConnectProfile(profile(`http://127.0.0.1:${ports.notHttp}`), undefined);
    expect(broker.failure).toMatchObject({ step: 'auth', code: 'CONNECTION_PROTOCOL', message: expect.stringMatching(/accepted the connection but gave no HTTP answer to GET \/ \(.+\): this is not a Kafka Connect REST port/) });
    expect(broker.steps.map((step) => step.status)).toEqual(['ok', 'ok', 'failed', 'skipped']);
  });

  it('says refused when nothing listens', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    const result = await testConnectProfile(profile(`http://127.0.0.1:${port}`), undefined);
    expect(result.failure).toMatchObject({ step: 'tcp', code: 'CONNECTION_TCP_REFUSED' });
  });
});

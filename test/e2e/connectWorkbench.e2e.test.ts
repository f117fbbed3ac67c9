import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../src/engine/kafka';
import { launchChromium, pasteIntoEditor, screenshotPath, secretMask } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { until } from '../helpers/until';
import { startTestWebHost } from '../helpers/webHost';

const USER = 'ferry-admin';
const PASSWORD = 'connect-pw-7f3a9c1e';

/**
 * A Kafka Connect REST API behind basic auth, as a team's cluster with BasicAuthSecurityRestExtension answers: a relay
 * to the lab's worker that refuses (401, Connect's JSON error) a request without the right credentials.
 */
async function startBasicAuthRelay(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const upstream = new URL(target);
  const server: Server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (incoming.headers.authorization !== expected) {
      outgoing.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="connect"' });
      outgoing.end(JSON.stringify({ error_code: 401, message: 'Request requires authentication' }));
      return;
    }
    const forward = request({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const json = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': 'true',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'true',
};

/**
 * Kafka Connect in the app, in Chromium over the web host and the lab's real Connect worker: a Connect profile with
 * basic auth and its Test (refused, 401, not a Connect worker said in words), a pipeline deployed from the config
 * editor to that profile (dry run with Connect's per-key error, then created), and the cluster's lineage with Kafka's
 * counts for the deployed sink.
 */
describe('Kafka Connect profiles, Deploy from the editor and Connect lineage in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-connectwb-'));
  const previousDataDir = process.env.FERRY_DATA_DIR;
  const table = uniqueName('e2e_cwb');
  const sinkName = table.replace(/_/g, '-');
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let relay: Awaited<ReturnType<typeof startBasicAuthRelay>>;
  let connectUrl = '';
  let bootstrap = '';
  let postgres: TestDb;
  let postgresEndpoint = { host: '', port: 0, database: '', user: '', password: '' };

  beforeAll(async () => {
    process.env.FERRY_DATA_DIR = dataDir;
    web = await startTestWebHost();
    let status = await web.engine.lab.status();
    if (status.services.find((service) => service.name === 'connect')?.state !== 'running') {
      await web.engine.lab.up({ services: ['connect'] });
      status = await web.engine.lab.status();
    }
    connectUrl = status.endpoints.connect.url;
    bootstrap = status.endpoints.kafka.a.bootstrap;
    postgresEndpoint = status.endpoints.postgres;
    postgres = await openDb('postgres', status.endpoints.postgres);
    relay = await startBasicAuthRelay(connectUrl);
    // Five rows on the sink's topic, in Connect's JSON with schemas, as Debezium's JDBC sink reads them.
    const admin = createKafkaClient({ bootstrapServers: [bootstrap] }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: table, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = createKafkaClient({ bootstrapServers: [bootstrap] }).producer({ idempotent: true });
    await producer.connect();
    const keySchema = { type: 'struct', optional: false, fields: [{ field: 'id', type: 'int32', optional: false }] };
    const valueSchema = { type: 'struct', optional: false, fields: [{ field: 'id', type: 'int32', optional: false }, { field: 'name', type: 'string', optional: false }] };
    await producer.send({
      topic: table,
      acks: -1,
      messages: [1, 2, 3, 4, 5].map((id) => ({ key: JSON.stringify({ schema: keySchema, payload: { id } }), value: JSON.stringify({ schema: valueSchema, payload: { id, name: `row ${id}` } }) })),
    });
    await producer.disconnect();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await fetch(`${connectUrl}/connectors/${sinkName}`, { method: 'DELETE' }).catch(() => undefined);
    const admin = createKafkaClient({ bootstrapServers: [bootstrap] }).admin();
    await admin.connect().catch(() => undefined);
    await admin.deleteTopics([table]).catch(() => undefined);
    await admin.deleteGroups([`connect-${sinkName}`]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await postgres?.exec(`DROP TABLE IF EXISTS "${table}"`).catch(() => undefined);
    await postgres?.close();
    await relay?.close();
    await browser?.close();
    await web?.close();
    if (previousDataDir === undefined) delete process.env.FERRY_DATA_DIR;
    else process.env.FERRY_DATA_DIR = previousDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a Kafka Connect profile with basic auth: Test checks it and says what failed; the password stays in the engine', async () => {
    await page.goto(`${web.host.url}#connections`);
    await page.getByRole('heading', { name: 'No profiles yet' }).waitFor();
    await page.getByRole('radio', { name: 'Kafka Connect' }).click();
    await page.getByLabel('Name', { exact: true }).fill('staging connect');
    const url = page.getByLabel('REST URL', { exact: true });
    const results = page.getByRole('region', { name: 'Test results' });
    const testWith = async (address: string): Promise<string> => {
      await url.fill(address);
      await page.getByRole('button', { name: 'Test connection' }).click();
      await results.getByRole('status').filter({ hasText: /Connected|Failed/ }).waitFor({ timeout: 20_000 });
      return (await results.textContent()) ?? '';
    };

    // Nothing listens: refused, at the TCP step.
    expect(await testWith(`http://127.0.0.1:${await freePort()}`)).toMatch(/CONNECTION_TCP_REFUSED[\s\S]*Connection refused: nothing listens/);
    // Another HTTP service (the lab's Schema Registry): not a Connect worker.
    expect(await testWith('http://127.0.0.1:18081')).toMatch(/not Kafka Connect's \{version, commit, kafka_cluster_id\}: this is not a Connect worker/);
    // The cluster asks for credentials: 401 said as such, then the wrong password.
    expect(await testWith(relay.url)).toMatch(/asks for credentials \(401\)/);
    await page.getByLabel('Basic auth user (optional)').fill(USER);
    await page.getByLabel('Basic auth password', { exact: true }).fill('not-the-password');
    expect(await testWith(relay.url)).toMatch(new RegExp(`refused GET / as ${USER}: wrong user or password \\(401\\)`));
    await page.getByLabel('Basic auth password', { exact: true }).fill(PASSWORD);
    const ok = await testWith(relay.url);
    expect(ok).toMatch(/Kafka Connect \d+\.\d+\.\d+/);
    expect(ok).toMatch(/connector plugins \(\d+ source, \d+ sink\); Debezium: .*JdbcSinkConnector/);
    await page.screenshot({ path: screenshotPath('connect-profile-test'), fullPage: true });

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('navigation', { name: 'Saved profiles' }).getByRole('button', { name: /staging connect/ }).waitFor();
    // The password is the profile's secret: never in the page, the API's answers or a file in clear.
    expect(await page.content()).not.toContain(PASSWORD);
    expect(JSON.stringify(await web.engine.connections.list())).not.toContain(PASSWORD);
    for (const file of filesUnder(dataDir)) expect(readFileSync(file, 'utf8'), file).not.toContain(PASSWORD);
  });

  it('deploys the pipeline in the editor to the profile: a dry run with Connect’s per-key error, then created and running', async () => {
    const pipeline = (extra: Record<string, string>): string =>
      JSON.stringify(
        {
          name: table,
          kafka: { 'bootstrap.servers': bootstrap },
          connectors: [
            {
              name: sinkName,
              config: {
                'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
                'connection.url': `jdbc:postgresql://${postgresEndpoint.host}:${postgresEndpoint.port}/${postgresEndpoint.database}`,
                'connection.username': postgresEndpoint.user,
                'connection.password': postgresEndpoint.password,
                topics: table,
                'insert.mode': 'upsert',
                'primary.key.mode': 'record_key',
                'schema.evolution': 'basic',
                ...json,
                ...extra,
              },
            },
          ],
        },
        null,
        2,
      );
    await page.goto(`${web.host.url}#editor`);
    await pasteIntoEditor(page, pipeline({ 'connection.pool.min_size': 'many' }));
    await page.getByRole('button', { name: 'Deploy…' }).click();
    const panel = page.getByLabel('Deploy to Kafka Connect');
    await expect.poll(() => panel.getByLabel('Connect cluster').locator('option').allTextContents()).toEqual([`Lab worker — ${connectUrl}`, `staging connect — ${relay.url}`]);
    await panel.getByLabel('Connect cluster').selectOption({ label: `staging connect — ${relay.url}` });

    // Connect's own validation message for the bad key; nothing is sent.
    await panel.getByRole('button', { name: 'Dry run' }).click();
    const result = panel.getByTestId('deploy-result');
    await expect.poll(() => result.getByRole('status').textContent(), { timeout: 20_000 }).toMatch(/Nothing was sent: Connect found 1 error/);
    await expect.poll(() => panel.getByLabel(`Connect's errors for ${sinkName}`).textContent()).toMatch(/connection\.pool\.min_size: Invalid value many .*Not a number/);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connect-deploy-invalid'), fullPage: true });

    await pasteIntoEditor(page, pipeline({}));
    await panel.getByRole('button', { name: 'Dry run' }).click();
    await expect.poll(() => result.getByRole('status').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`Dry run: Connect \\S+ at ${relay.url.replace(/[.]/g, '\\.')} accepts every connector of "${table}". Nothing was sent.`));
    expect(await result.getByTestId('deploy-action').allTextContents()).toEqual(['would be created']);
    const sent = (await result.getByTestId('deploy-config').textContent()) ?? '';
    expect(JSON.parse(sent)).toMatchObject({ 'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector', topics: table, 'connection.password': '****' });
    expect((await fetch(`${connectUrl}/connectors/${sinkName}`)).status).toBe(404);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connect-deploy-dry-run'), fullPage: true });

    await panel.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect.poll(() => result.getByRole('status').textContent(), { timeout: 20_000 }).toContain(`Deployed "${table}"`);
    expect(await result.getByTestId('deploy-action').allTextContents()).toEqual(['created']);
    const rows = async (): Promise<number> => Number((await postgres.exec(`SELECT count(*) AS n FROM "${table}"`).catch(() => [{ n: 0 }]))[0]?.n ?? 0);
    await until(async () => (await rows()) === 5, 'the deployed sink to write the 5 rows to PostgreSQL', 30_000);
    // The editor shows what the user pasted; what Deploy shows of it never has the password.
    expect(await panel.textContent()).not.toContain(postgresEndpoint.password);
  });

  it('lineage shows the Connect-run sink like a pipeline, with the topic’s records and the committed offsets', async () => {
    const profileId = (await web.engine.connections.list()).find((profile) => profile.name === 'staging connect')?.id ?? '';
    await page.goto(`${web.host.url}#lineage/${encodeURIComponent(`connect:${profileId}`)}`);
    const graph = page.getByTestId('lineage-graph');
    await expect.poll(() => graph.getAttribute('aria-label'), { timeout: 20_000 }).toContain(`5 rows ${table} to ${table}`);
    const kpi = page.getByTestId('connect-lineage-kpi').filter({ hasText: sinkName });
    await expect.poll(() => kpi.textContent()).toMatch(/RUNNING5records applied · lag 0/);
    expect(await graph.textContent()).toContain(`Kafka · lab kafka-a`);
    await page.screenshot({ path: screenshotPath('connect-lineage'), fullPage: true });
  });

  it('Open in editor from the Connect pane asks before replacing unsaved editor text', async () => {
    // The editor still holds the pipeline pasted above, never saved. Same page (hash navigation), as a user clicks.
    const profileId = (await web.engine.connections.list()).find((profile) => profile.name === 'staging connect')?.id ?? '';
    await page.evaluate((hash) => void ((globalThis as unknown as { location: { hash: string } }).location.hash = hash), `#connect/${profileId}`);
    await page.getByRole('region', { name: 'Connectors' }).getByRole('button', { name: new RegExp(sinkName) }).click();
    const detail = page.getByRole('region', { name: `Connector ${sinkName}` });
    // The pipeline deployed from the editor runs on the cluster, as the pane shows.
    await expect.poll(() => detail.getByTestId('connector-state').textContent()).toBe('RUNNING');
    await expect.poll(() => detail.getByTestId('task-state').allTextContents()).toEqual(['RUNNING']);
    await detail.getByRole('button', { name: 'Open in editor' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Replace the unsaved editor text?' });
    await dialog.waitFor();
    await page.screenshot({ path: screenshotPath('connect-open-in-editor-confirm'), fullPage: true });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('heading', { name: 'Kafka Connect', exact: true }).count()).toBe(1);

    await detail.getByRole('button', { name: 'Open in editor' }).click();
    await page.getByRole('alertdialog', { name: 'Replace the unsaved editor text?' }).getByRole('button', { name: 'Replace' }).click();
    await page.getByRole('heading', { name: 'Config editor', exact: true }).waitFor();
    await expect.poll(() => page.locator('.editor-status').textContent(), { timeout: 20_000 }).toContain(`Opened connector "${sinkName}" from ${relay.url}`);
  });
});

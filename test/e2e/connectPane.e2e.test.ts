import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath, secretMask } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { until } from '../helpers/until';
import { startTestWebHost } from '../helpers/webHost';

/** A port nothing listens on (yet): the failing sink's database address, until the test puts a proxy there. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP relay from `port` to the lab's PostgreSQL: the failing sink's cause goes away, as when a database comes back. */
async function startRelay(port: number, target: { host: string; port: number }): Promise<{ server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The Kafka Connect pane against the lab's Connect worker: a running and a failing Debezium JDBC sink. */
describe('Kafka Connect pane in Chromium: connectors, tasks, a failure with its root cause, restart, pause/resume, open in editor', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-connect-'));
  const previousDataDir = process.env.FERRY_DATA_DIR;
  const okName = uniqueName('e2e-connect-ok').replace(/_/g, '-');
  const failName = uniqueName('e2e-connect-fail').replace(/_/g, '-');
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let connectUrl = '';
  let postgresPassword = '';
  let postgres = { host: '127.0.0.1', port: 0 };
  let failPort = 0;
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;

  const rest = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${connectUrl}${path}`, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  const jdbcSink = (topic: string, port: number): Record<string, string> => ({
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    topics: topic,
    'connection.url': `jdbc:postgresql://${postgres.host}:${port}/ferry`,
    'connection.username': 'ferry',
    'connection.password': postgresPassword,
    'tasks.max': '1',
  });

  beforeAll(async () => {
    process.env.FERRY_DATA_DIR = dataDir;
    web = await startTestWebHost();
    // The lab's worker is optional (`ferry lab up --connect`): bring it up when the shared lab runs without it.
    let status = await web.engine.lab.status();
    if (status.services.find((service) => service.name === 'connect')?.state !== 'running') {
      await web.engine.lab.up({ services: ['connect'] });
      status = await web.engine.lab.status();
    }
    connectUrl = status.endpoints.connect.url;
    postgres = { host: status.endpoints.postgres.host, port: status.endpoints.postgres.port };
    postgresPassword = status.endpoints.postgres.password;
    failPort = await freePort();
    // Through Connect's own REST API, as any team's deployment tool would.
    for (const [name, port] of [
      [okName, postgres.port],
      [failName, failPort],
    ] as const) {
      // The failing one gives up on its database at once (c3p0, through Hibernate's pass-through keys) instead of after
      // its default 30 attempts a second apart: the failure the test waits for comes in ~2 s instead of ~30 s.
      const quick = port === failPort ? { 'hibernate.c3p0.acquireRetryAttempts': '1', 'hibernate.c3p0.acquireRetryDelay': '100' } : {};
      const response = await rest('PUT', `/connectors/${name}/config`, { ...jdbcSink(name.replace(/-/g, '_'), port), ...quick });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  });

  afterAll(async () => {
    for (const name of [okName, failName]) await rest('DELETE', `/connectors/${name}`).catch(() => {});
    await relay?.close();
    await browser?.close();
    await web?.close();
    if (previousDataDir === undefined) delete process.env.FERRY_DATA_DIR;
    else process.env.FERRY_DATA_DIR = previousDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the running sink with its task, shows the failing one with its root cause, and restarts it once the cause is gone', async () => {
    await page.goto(`${web.host.url}#connect`);
    await page.getByRole('heading', { name: 'Kafka Connect', exact: true }).waitFor();
    const form = page.getByRole('form', { name: 'Connect cluster' });
    // The lab's worker is offered first, beside any Kafka Connect profile.
    await expect.poll(() => form.getByLabel('Cluster').locator('option:checked').textContent()).toBe(`Lab worker — ${connectUrl}`);
    await form.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.getByTestId('connect-info').textContent()).toMatch(/Connect \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+ · Kafka cluster \S+ · \d+ connector plugins/);

    const list = page.getByRole('region', { name: 'Connectors' });
    await list.getByRole('button', { name: new RegExp(okName) }).click();
    const ok = page.getByRole('region', { name: `Connector ${okName}` });
    await expect.poll(() => ok.getByTestId('connector-state').textContent()).toBe('RUNNING');
    await expect.poll(() => ok.getByTestId('task-state').allTextContents(), { timeout: 60_000 }).toEqual(['RUNNING']);
    await expect.poll(() => ok.textContent()).toContain('io.debezium.connector.jdbc.JdbcSinkConnector');
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connect-pane-running'), fullPage: true });

    // The failing sink: its task gives up on the database.
    await list.getByRole('button', { name: new RegExp(failName) }).click();
    const failing = page.getByRole('region', { name: `Connector ${failName}` });
    await expect.poll(() => failing.getByTestId('task-state').allTextContents(), { timeout: 120_000 }).toEqual(['FAILED']);
    const failure = failing.getByRole('group', { name: 'Task 0 failed' });
    const rootCause = (await failure.getByTestId('root-cause').textContent()) ?? '';
    expect(rootCause).toMatch(/Connection (to 127\.0\.0\.1:\d+ )?refused/i);
    expect(rootCause).not.toMatch(/^\s*at /);
    await failure.getByText('Stack trace').click();
    await expect.poll(() => failure.locator('pre').textContent()).toMatch(/JdbcSinkConnectorTask\.start/);
    // Secrets never shown: the sink's password is in its config, not in the pane.
    expect(await page.content()).not.toContain(postgresPassword);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connect-pane-failed-task'), fullPage: true });

    // The database "comes back" at the sink's address; the task recovers only when restarted, from the pane.
    relay = await startRelay(failPort, postgres);
    await failing.getByRole('button', { name: 'Restart task 0' }).click();
    await expect.poll(() => failing.getByRole('status').textContent()).toContain(`restart task 0 of ${failName}`);
    await expect.poll(() => failing.getByTestId('task-state').allTextContents(), { timeout: 90_000 }).toEqual(['RUNNING']);
    expect(await failing.getByRole('group', { name: 'Task 0 failed' }).count()).toBe(0);
    const status = (await (await rest('GET', `/connectors/${failName}/status`)).json()) as { tasks: Array<{ state: string }> };
    expect(status.tasks.map((task) => task.state)).toEqual(['RUNNING']);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connect-pane-restarted'), fullPage: true });
  });

  it('pauses and resumes a connector, and opens its config in the config editor without its password', async () => {
    const list = page.getByRole('region', { name: 'Connectors' });
    await list.getByRole('button', { name: new RegExp(okName) }).click();
    const ok = page.getByRole('region', { name: `Connector ${okName}` });
    await ok.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => ok.getByTestId('connector-state').textContent(), { timeout: 30_000 }).toBe('PAUSED');
    await until(async () => ((await (await rest('GET', `/connectors/${okName}/status`)).json()) as { connector: { state: string } }).connector.state === 'PAUSED', 'Connect to report the connector PAUSED');
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connect-pane-paused'), fullPage: true });
    await ok.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => ok.getByTestId('connector-state').textContent(), { timeout: 30_000 }).toBe('RUNNING');
    await expect.poll(() => ok.getByTestId('task-state').allTextContents(), { timeout: 30_000 }).toEqual(['RUNNING']);

    await ok.getByRole('button', { name: 'Open in editor' }).click();
    await page.getByRole('heading', { name: 'Config editor', exact: true }).waitFor();
    await expect.poll(() => page.locator('.editor-status').textContent(), { timeout: 30_000 }).toContain(`Opened connector "${okName}" from ${connectUrl} (connection.password shown as ****`);
    const lines = page.getByTestId('monaco-host').locator('.view-lines');
    await expect.poll(async () => ((await lines.textContent()) ?? '').replace(/\u00a0/g, ' ')).toContain('"connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector"');
    const text = ((await lines.textContent()) ?? '').replace(/\u00a0/g, ' ');
    expect(text).toContain(`"name": "${okName}"`);
    expect(text).toContain('"connection.password": "****"');
    expect(await page.content()).not.toContain(postgresPassword);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connect-pane-open-in-editor'), fullPage: true });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';
import { startTestWebHost } from '../helpers/webHost';

/**
 * Stopping a pipeline with a PostgreSQL log source in the Pipelines pane (issue 12): Stop names the slot it leaves,
 * then offers to drop it with the WAL it keeps; dropping removes slot and publication and says so.
 */
describe('dropping a replication slot after Stop (Chromium, web host, lab PostgreSQL)', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let registry: EmbeddedSchemaRegistry;
  let db: TestDb;
  let kafka: KafkaScratch;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-slot-drop-'));
  const table = uniqueName('e2e_slot_orders');
  const prefix = uniqueName('e2eslot');
  const slot = uniqueName('e2e_slot').toLowerCase();

  beforeAll(async () => {
    web = await startTestWebHost({ dataDir });
    const lab = await web.engine.lab.status();
    kafka = new KafkaScratch(lab.endpoints.kafka.a.bootstrap);
    kafka.track({ topics: [`${prefix}.public.${table}`] });
    registry = await startEmbeddedSchemaRegistry();
    db = await openDb('postgres', lab.endpoints.postgres);
    await db.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, customer TEXT NOT NULL)`);
    await db.exec(`INSERT INTO ${table} VALUES (1, 'ada'), (2, 'bob')`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await web?.engine.pipelines.stop(`${prefix}-pipeline`).catch(() => {});
    await db?.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]).catch(() => {});
    await db?.exec(`DROP PUBLICATION IF EXISTS ${slot}_pub`).catch(() => {});
    await db?.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await db?.close();
    await kafka?.cleanup();
    await registry?.close();
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Stop names the slot, then offers to drop it with the WAL it keeps; dropping removes slot and publication', async () => {
    const lab = await web.engine.lab.status();
    const pg = lab.endpoints.postgres;
    const name = `${prefix}-pipeline`;
    const document = {
      name,
      kafka: { 'bootstrap.servers': lab.endpoints.kafka.a.bootstrap },
      'schema.registry.url': registry.url,
      connectors: [
        {
          name: 'orders-cdc',
          'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
          'database.hostname': pg.host,
          'database.port': String(pg.port),
          'database.user': pg.user,
          'database.password': pg.password,
          'database.dbname': pg.database,
          'topic.prefix': prefix,
          'table.include.list': `public\\.${table}`,
          'slot.name': slot,
          'publication.name': `${slot}_pub`,
          'publication.autocreate.mode': 'filtered',
        },
      ],
    };
    await web.engine.pipelines.start({ text: JSON.stringify(document), fileName: `${name}.json` });
    await until(async () => (await web.engine.pipelines.list())[0]?.connectors[0]?.logPosition !== undefined, 'the snapshot to be checkpointed', 30_000);
    await db.exec(`INSERT INTO ${table} VALUES (3, 'cy')`);

    await page.goto(`${web.host.url}#pipelines`);
    await page.getByRole('region', { name: `Pipeline ${name}` }).getByRole('button', { name: 'Stop' }).click();
    const dialog = page.getByRole('alertdialog');
    await expect(dialog.innerText()).resolves.toContain(`Its replication slot ${slot} stays on the database`);
    await dialog.getByRole('button', { name: 'Stop pipeline' }).click();
    const dropDialog = page.getByRole('alertdialog').filter({ hasText: 'Drop the replication slot' });
    await dropDialog.waitFor({ timeout: 20_000 });
    const text = await dropDialog.innerText();
    expect(text).toMatch(new RegExp(`${slot} on postgres://ferry@127\\.0\\.0\\.1:\\d+/ferry keeps \\d+(\\.\\d)? (B|kB|MB) of WAL`));
    expect(text).toContain(`the publication ${slot}_pub, which Ferry made, goes too`);
    await page.screenshot({ path: screenshotPath('pipelines-stop-drop-slot') });
    await dropDialog.getByRole('button', { name: 'Drop slot' }).click();
    const notice = page.getByTestId('slot-notice');
    await notice.waitFor({ timeout: 20_000 });
    await expect(notice.innerText()).resolves.toContain(`Dropped the slot ${slot} and the publication ${slot}_pub; the next run takes a new snapshot.`);
    expect((await db.exec('SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = $1', [slot]))[0]?.n).toBe(0);
    await page.screenshot({ path: screenshotPath('pipelines-slot-dropped') });
  });
});

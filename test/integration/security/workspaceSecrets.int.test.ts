import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../../src/engine/host/wsHost';
import { createEngine, type Engine } from '../../../src/engine/index';
import { apiOver, openApiSocket, writeMinimalRenderer } from '../../helpers/apiSocket';
import { uniqueName } from '../../helpers/names';

// Issue 11, item 5 (workspace): a pipeline saved from the editor with a misspelt secret key (`connection.pasword`)
// was written to the workspace file in clear. Saved here through the real API, then every file the engine wrote is read.

let dir: string;
let engine: Engine;
let host: WebHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-security-workspace-'));
  engine = createEngine({ host: 'test', dataDir: join(dir, 'data'), lab: { dir: join(dir, 'lab') } });
  host = await startWebHost({ engine, rendererDir: writeMinimalRenderer(join(dir, 'renderer')) });
});

afterAll(async () => {
  await host?.close();
  engine?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(root, entry))
    .filter((path) => statSync(path).isFile());
}

describe('saved pipeline files', () => {
  it('hold no secret in clear, whatever the spelling of its key', async () => {
    const secrets = {
      'connection.pasword': uniqueName('typo-secret'),
      'connection.passwd': uniqueName('passwd-secret'),
      'database.pwd': uniqueName('pwd-secret'),
      'ssl.keystore.key': uniqueName('pem-secret'),
    };
    const text = JSON.stringify(
      {
        name: uniqueName('secure-pipeline'),
        kafka: { 'bootstrap.servers': '127.0.0.1:1' },
        connectors: [{ name: 'src', 'connector.class': 'MySqlSource', 'connection.host': '127.0.0.1', 'connection.user': 'ferry', 'pk.fields': 'id', 'key.converter': 'io.confluent.connect.avro.AvroConverter', ...secrets }],
      },
      null,
      2,
    );
    const handshake = await openApiSocket(host.port, host.token);
    if (!handshake.open) throw new Error(`refused: HTTP ${handshake.status}`);
    const { api, transport } = apiOver(handshake.socket);
    try {
      const saved = await api.pipelines.saveFile({ text });
      expect(saved.secretsInMemory).toBe(true);
      const files = filesUnder(join(dir, 'data'));
      expect(files.length).toBeGreaterThan(0);
      const onDisk = files.map((path) => readFileSync(path, 'utf8')).join('\n');
      // The file is there, with its ordinary keys…
      expect(onDisk).toContain('connection.pasword');
      expect(onDisk).toContain('pk.fields');
      expect(onDisk).toContain('io.confluent.connect.avro.AvroConverter');
      // …but none of the values of secret-looking keys.
      for (const [key, secret] of Object.entries(secrets)) expect(onDisk, key).not.toContain(secret);
    } finally {
      transport.dispose();
      handshake.socket.close();
    }
  });
});

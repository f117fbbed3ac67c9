import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigFiles } from './configFiles';
import { readPipelineFile } from './pipelineFile';
import { firstInvalidUtf8Byte } from './textFile';

const dir = mkdtempSync(join(tmpdir(), 'ferry-utf8-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pipeline file saved as Latin-1: the table name "clientès" has 0xE8 where UTF-8 would have 0xC3 0xA8. */
function latin1File(): { path: string; offset: number } {
  const text = '{\n  "name": "p",\n  "connectors": [{ "connector.class": "MySqlSource", "table.whitelist": "client\u00e8s" }]\n}\n';
  const path = join(dir, 'latin1.json');
  writeFileSync(path, Buffer.from(text, 'latin1'));
  return { path, offset: Buffer.from(text, 'latin1').indexOf(0xe8) };
}

describe('a configuration file that is not UTF-8 is an error naming the byte', () => {
  it('ferry run / validate / the pipelines API: the byte offset, line and column, and the likely encoding', async () => {
    const { path, offset } = latin1File();
    for (const read of [() => readPipelineFile(path), () => readConfigFiles([path])]) {
      const error = await read().then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string; detail?: unknown },
      );
      expect(error?.code).toBe('CONFIG_FILE_NOT_UTF8');
      expect(error?.message).toContain(`byte offset ${offset} (line 3, column `);
      expect(error?.message).toContain('is 0xE8');
      expect(error?.message).toContain('Latin-1');
      expect(error?.detail).toMatchObject({ offset, line: 3 });
    }
  });

  it('finds the first bad byte of truncated, overlong and surrogate sequences, and accepts UTF-8 with a BOM', async () => {
    expect(firstInvalidUtf8Byte(Buffer.from('abc é 😀', 'utf8'))).toBeUndefined();
    expect(firstInvalidUtf8Byte(Uint8Array.from([0x61, 0xc3]))).toBe(1);
    expect(firstInvalidUtf8Byte(Uint8Array.from([0x61, 0x62, 0xc0, 0xaf]))).toBe(2);
    expect(firstInvalidUtf8Byte(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8Byte(Uint8Array.from([0x41, 0xe2, 0x82, 0x41]))).toBe(1);
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"x","connectors":[]}')]));
    const result = await readPipelineFile(bom);
    expect(result.problems.map((p) => p.rule)).not.toContain('json.syntax');
  });
});

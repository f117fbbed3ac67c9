import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheDir } from '../../src/engine/lab/paths';
import { runCommand } from '../../src/engine/lab/processes';

// Apache avro-tools from Maven Central, the independent reader a test opens Ferry's Avro files with (`java -jar
// avro-tools.jar tojson FILE`). Fetched once with `mvn dependency:copy` into Ferry's cache, as the Kafka jars are.

const ARTIFACT = 'org.apache.avro:avro-tools:1.12.1';

export async function ensureAvroTools(): Promise<string> {
  const dir = join(defaultCacheDir(process.env), 'avro-tools');
  const jar = (): string | undefined => (existsSync(dir) ? readdirSync(dir).find((name) => /^avro-tools-.*\.jar$/.test(name)) : undefined);
  const found = jar();
  if (found) return join(dir, found);
  mkdirSync(dir, { recursive: true });
  const result = await runCommand('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${dir}`], { cwd: dir, timeoutMs: 10 * 60_000 });
  const fetched = jar();
  if (result.code !== 0 || !fetched) throw new Error(`Maven could not fetch ${ARTIFACT} (exit ${String(result.code ?? result.signal)}):\n${result.output.slice(-3000)}`);
  return join(dir, fetched);
}

/** avro-tools' `tojson`: every record of an Avro object container file, one JSON object per line. */
export async function avroToolsToJson(jar: string, file: string): Promise<Record<string, unknown>[]> {
  const result = await runCommand('java', ['-jar', jar, 'tojson', file], { cwd: process.cwd(), timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`avro-tools tojson ${file} failed (exit ${String(result.code ?? result.signal)}):\n${result.output.slice(-3000)}`);
  return result.output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** avro-tools' `getschema`: the writer schema in the file's header. */
export async function avroToolsSchema(jar: string, file: string): Promise<Record<string, unknown>> {
  const result = await runCommand('java', ['-jar', jar, 'getschema', file], { cwd: process.cwd(), timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`avro-tools getschema ${file} failed:\n${result.output.slice(-3000)}`);
  return JSON.parse(result.output.slice(result.output.indexOf('{'))) as Record<string, unknown>;
}

/** avro-tools' `fragtojson`: one Avro-encoded datum (no container, e.g. a Kafka value without its 5-byte header) as JSON. */
export async function avroFragmentToJson(schemaFile: string, datumFile: string): Promise<unknown> {
  const jar = await ensureAvroTools();
  const result = await runCommand('java', ['-jar', jar, 'fragtojson', '--schema-file', schemaFile, datumFile], { cwd: process.cwd(), timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`avro-tools fragtojson ${datumFile} failed (exit ${String(result.code ?? result.signal)}):\n${result.output.slice(-3000)}`);
  return JSON.parse(result.output.slice(result.output.indexOf('{')));
}

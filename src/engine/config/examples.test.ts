import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireRepoRoot } from '../base/repoRoot';
import { readPipelineFile } from './pipelineFile';

const dir = join(requireRepoRoot(), 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

/**
 * Warnings an example keeps on purpose, each with its reason (everything else must validate without a problem).
 * The seed 001 chain's ADLS Gen2 sink cuts objects on the wall clock so `ferry run --until-idle` can finish with the
 * last rows written; the warning tells readers that a crash may then write records again.
 */
const KEPT_WARNINGS: Readonly<Record<string, readonly string[]>> = {
  'lab-bridge-capture-replicate-sink.json': ['object-store.not-exactly-once'],
};

describe('examples/ validate cleanly', () => {
  it('has examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s has no problems at all', async (file) => {
    const result = await readPipelineFile(join(dir, file));
    expect(result.problems.filter((problem) => !(problem.severity === 'warning' && (KEPT_WARNINGS[file] ?? []).includes(problem.rule)))).toEqual([]);
    expect(result.config?.connectors.length).toBeGreaterThanOrEqual(2);
  });

  it('the Confluent Cloud example resolves like the seed scenario: timestamp+incrementing MySQL source, UPSERT Postgres sink', async () => {
    const result = await readPipelineFile(join(dir, 'confluent-cloud-mysql-to-postgres.json'));
    const [source, sink] = result.config?.connectors ?? [];
    expect(source).toMatchObject({ role: 'source', dialect: 'mysql', mode: 'timestamp+incrementing', kafka: { securityProtocol: 'SASL_SSL', confluentCloud: true } });
    expect(sink).toMatchObject({ role: 'sink', dialect: 'postgres', insertMode: 'upsert', autoCreate: true, batchSize: 1000, connection: { ssl: 'require' } });
  });
});

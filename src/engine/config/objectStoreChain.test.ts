import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireRepoRoot } from '../base/repoRoot';
import { parsePipelineFile } from './pipelineFile';

// `ferry validate` follows seed 001's chain to its ADLS Gen2 hop: the lake reads the change events the replicator
// copied to cluster b, so it needs ExtractNewRecordState, and tombstones must not reach it unless it skips them.

type Example = { connectors: { name: string; config: Record<string, string> }[] };

function exampleWithLake(change: (lake: Record<string, string>) => void): ReturnType<typeof parsePipelineFile> {
  const example = JSON.parse(readFileSync(join(requireRepoRoot(), 'examples', 'lab-bridge-capture-replicate-sink.json'), 'utf8')) as Example;
  const lake = example.connectors.find((connector) => connector.config['connector.class'] === 'AzureDataLakeGen2Sink');
  if (!lake) throw new Error('the example has no AzureDataLakeGen2Sink');
  change(lake.config);
  return parsePipelineFile(JSON.stringify(example), 'bridge.json');
}

const rulesOf = (result: ReturnType<typeof parsePipelineFile>): string[] => result.problems.map((problem) => problem.rule);

describe('an object-store sink behind a replicator of change events', () => {
  it('needs ExtractNewRecordState, named with the source and the replicator', () => {
    const result = exampleWithLake((lake) => {
      lake.transforms = 'offsets';
      delete lake['transforms.unwrap.type'];
      delete lake['transforms.unwrap.delete.handling.mode'];
    });
    const problem = result.problems.find((candidate) => candidate.rule === 'pipeline.change-events-need-unwrap-objects');
    expect(problem).toMatchObject({ severity: 'error', path: "$.connectors[3].config.transforms" });
    expect(problem?.message).toMatch(/reads Debezium change events from source "onprem-capture" .*replicator "replicator-onprem-to-cloud"/);
  });

  it('is stopped by tombstones its ExtractNewRecordState keeps, unless behavior.on.null.values=ignore', () => {
    const keeps = exampleWithLake((lake) => {
      lake['transforms.unwrap.drop.tombstones'] = 'false';
    });
    expect(rulesOf(keeps)).toContain('pipeline.object-tombstones-stop');
    const ignored = exampleWithLake((lake) => {
      lake['transforms.unwrap.drop.tombstones'] = 'false';
      lake['behavior.on.null.values'] = 'ignore';
    });
    expect(rulesOf(ignored)).not.toContain('pipeline.object-tombstones-stop');
    expect(rulesOf(exampleWithLake((lake) => (lake['transforms.unwrap.delete.handling.mode'] = 'none')))).toContain('pipeline.object-tombstones-stop');
    expect(rulesOf(exampleWithLake(() => undefined)).filter((rule) => rule.startsWith('pipeline.'))).toEqual([]);
  });
});

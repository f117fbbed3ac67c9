/**
 * What `ferry replicate FILE…` reads: the same forms `ferry run` and `ferry validate` read (see configFiles.ts) — a
 * pipeline file with replicators in `connectors`, or, as a Replicator user writes it, the replicator's connector
 * config alone (a bare config object, a Kafka Connect REST body `{ "name", "config" }`, or a `.properties` file).
 * Kept as names of their own for the replicators API and older callers; there is one code path.
 */
import { parseConfigFiles, readConfigFiles } from './configFiles';
import type { PipelineParseOptions, PipelineParseResult } from './pipelineFile';

/** Parses a replicator file (see above); a pipeline file is parsed as `ferry run` would (profiles included). */
export function parseReplicatorFile(text: string, fileName: string, options: PipelineParseOptions = {}): PipelineParseResult {
  return parseConfigFiles([{ text, fileName }], options);
}

export function readReplicatorFile(path: string): Promise<PipelineParseResult> {
  return readConfigFiles([path]);
}

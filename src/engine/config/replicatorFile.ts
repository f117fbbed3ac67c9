/**
 * What `ferry replicate FILE` reads: a pipeline file with replicators in `connectors`, or — as a Replicator user
 * writes it — the replicator's connector config alone (a bare config object or a Kafka Connect REST body
 * `{ "name", "config" }`). A lone config is validated as a one-connector pipeline whose destination comes from
 * its own `dest.kafka.*` keys; problems keep the paths of the file as written.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { configError } from './errors';
import { DEST_KAFKA_PREFIX } from './connectors/replicatorKeys';
import { emptyJsonObject, isJsonObject, type JsonValue } from './jsonText';
import { parsePipelineFile, type PipelineParseResult, validatePipeline } from './pipelineFile';

function standaloneConfig(document: JsonValue): { name: string | undefined; prefix: string } | undefined {
  if (!isJsonObject(document) || 'connectors' in document) return undefined;
  if (typeof document['connector.class'] === 'string') return { name: typeof document.name === 'string' ? document.name : undefined, prefix: '$' };
  const config = document.config;
  if (isJsonObject(config) && typeof config['connector.class'] === 'string') {
    const name = typeof document.name === 'string' ? document.name : typeof config.name === 'string' ? config.name : undefined;
    return { name, prefix: '$.config' };
  }
  return undefined;
}

/** Parses a replicator file (see above); a pipeline file is parsed as `ferry run` would. */
export function parseReplicatorFile(text: string, fileName: string): PipelineParseResult {
  let document: JsonValue;
  try {
    document = JSON.parse(text) as JsonValue;
  } catch {
    return parsePipelineFile(text, fileName);
  }
  const standalone = standaloneConfig(document);
  if (!standalone) return parsePipelineFile(text, fileName);
  const name = standalone.name?.trim() || basename(fileName).replace(/\.json$/i, '');
  // The wrapper's `kafka` block is the destination's (Replicator's Connect worker cluster); its problems are the
  // replicator's own `dest.kafka.*` problems, reported there, so the block's copies are dropped.
  const config = isJsonObject(document) ? (standalone.prefix === '$' ? document : document.config) : undefined;
  const kafka = emptyJsonObject();
  if (isJsonObject(config)) for (const [key, value] of Object.entries(config)) if (key.startsWith(DEST_KAFKA_PREFIX)) kafka[key.slice(DEST_KAFKA_PREFIX.length)] = value;
  const result = validatePipeline({ name, kafka, connectors: [document] }, fileName);
  const problems = result.problems
    .filter((problem) => !(problem.path === '$' || problem.path.startsWith('$.kafka')))
    .map((problem) => {
      const path = problem.path.startsWith('$.connectors[0]') ? `$${problem.path.slice('$.connectors[0]'.length)}` : problem.path;
      return { ...problem, path };
    });
  return result.config ? { config: result.config, problems } : { problems };
}

export async function readReplicatorFile(path: string): Promise<PipelineParseResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a directory' : code || 'read failed';
    throw configError('CONFIG_FILE_UNREADABLE', `Cannot read replicator file ${path}: ${why}. Check the path (relative paths start from the current directory).`, { cause: error, detail: { path } });
  }
  return parseReplicatorFile(text, path);
}

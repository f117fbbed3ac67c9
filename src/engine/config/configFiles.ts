/**
 * Every form in which users hand Ferry a configuration, read by one code path for `ferry run`, `ferry validate`,
 * `ferry replicate` and the app:
 *
 * - a pipeline file (JSON, `{ "name", "kafka", "connectors": [ … ] }`);
 * - one connector config on its own: a bare JSON object, a Kafka Connect REST body `{ "name", "config": {…} }`, or
 *   a Java `.properties` file (Confluent Replicator's quick start, every connect-standalone user);
 * - connect-standalone's files: the worker's properties (its Kafka cluster, its converters) followed by one or more
 *   connector configs, as `connect-standalone worker.properties connector.properties` takes them.
 *
 * A lone Replicator config needs nothing else: its clusters are in its own `src.kafka.*` / `dest.kafka.*` keys. A
 * lone source or sink does: the cluster it writes to or reads from is the Connect worker's, so the error says to
 * give the worker's properties with it. Problems keep the paths (and, for properties files, the lines) of the files
 * as written.
 *
 * Properties are parsed with `properties-file` (MIT, no dependencies, no install scripts): it implements
 * java.util.Properties exactly (escapes, `\uXXXX`, continuation lines, `=`/`:`/space separators, `#`/`!` comments)
 * and reports each key's line, which lets problems point at the line to fix.
 */
import { basename } from 'node:path';
import { Properties } from 'properties-file/parser';
import { DEST_KAFKA_PREFIX } from './connectors/replicatorKeys';
import { findConnectorClass } from './connectors/index';
import { emptyJsonObject, isJsonObject, type JsonObject, type JsonValue } from './jsonText';
import { KAFKA_KEYS } from './kafkaBlock';
import { FILE_RULES, parsePipelineFile, type PipelineParseOptions, type PipelineParseResult, validatePipeline } from './pipelineFile';
import { defineRule, type Problem } from './problems';
import { readUtf8File } from './textFile';

export const CONFIG_FORM_RULES = {
  workerWithoutConnector: defineRule('config.worker-without-connector', 'error', 'A Connect worker config needs connector configs after it.'),
  formsMixed: defineRule('config.forms-mixed', 'error', 'A pipeline file stands alone; connect-standalone files are one worker config and connector configs.'),
  duplicateProperty: defineRule('properties.duplicate-key', 'warning', 'A key given twice in a properties file: the last value wins.'),
};

/** One file's text and the name it is reported under. */
export interface ConfigText {
  text: string;
  fileName: string;
}

/** Line of each key of a properties file (its last occurrence, the one that counts). */
type KeyLines = ReadonlyMap<string, number>;

type ConfigForm =
  | { kind: 'pipeline'; source: ConfigText }
  | { kind: 'connector'; source: ConfigText; document: JsonObject; config: JsonObject; name: string | undefined; role: 'source' | 'sink' | 'replicator' | undefined; lines: KeyLines | undefined; problems: Problem[] }
  | { kind: 'worker'; source: ConfigText; values: JsonObject; lines: KeyLines; problems: Problem[] };

/** Worker keys that are the Kafka cluster's client settings, copied to the pipeline's `kafka` block. */
const KAFKA_BLOCK_KEYS = new Set<string>(KAFKA_KEYS.map((key) => key.name));
/** Worker keys a connector without its own converter inherits, as Connect does (self-managed sources and sinks). */
const CONVERTER_PREFIXES = ['key.converter', 'value.converter', 'header.converter'] as const;

/**
 * `.properties` by name, or by content in any file (the app's editor calls its text pipeline.json): JSON starts
 * with `{` or `[` after a byte order mark and blanks, while a properties file starts with a comment (`#`, `!`) or a
 * `key=value` / `key: value` / `key value` line.
 */
function isPropertiesText(text: string, fileName: string): boolean {
  if (/\.properties$/i.test(fileName)) return true;
  const body = text.replace(/^\uFEFF/, '').trimStart();
  const first = body[0];
  if (first === undefined || first === '{' || first === '[') return false;
  return first === '#' || first === '!' || /^[^\s=:"{}[\],]+(?:[ \t]*[=:]|[ \t]+\S)/.test(body);
}

function readProperties(source: ConfigText): { values: JsonObject; lines: Map<string, number>; problems: Problem[] } {
  const properties = new Properties(source.text);
  const values = emptyJsonObject();
  const lines = new Map<string, number>();
  for (const node of properties.getProperties()) {
    values[node.key] = node.value;
    lines.set(node.key, node.startingLineNumber);
  }
  const problems = properties.getKeyCollisions().map(({ key, nodes }): Problem => {
    const last = nodes[nodes.length - 1];
    return {
      severity: 'warning',
      rule: CONFIG_FORM_RULES.duplicateProperty.id,
      path: pathOfKey(key),
      message: `${basename(source.fileName)}: \`${key}\` is given on lines ${nodes.map((node) => node.startingLineNumber).join(', ')}; the last value wins`,
      hint: 'Keep one of them.',
      ...(last ? { line: last.startingLineNumber, column: 1 } : {}),
    };
  });
  return { values, lines, problems };
}

function pathOfKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `$.${key}` : `$['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

function roleOf(config: JsonObject): 'source' | 'sink' | 'replicator' | undefined {
  const cls = config['connector.class'];
  return typeof cls === 'string' ? findConnectorClass(cls)?.family.role : undefined;
}

/** A connector config as a user writes it: a bare object with `connector.class`, or a REST body `{ name, config }`. */
function connectorOf(document: JsonValue): { config: JsonObject; name: string | undefined } | undefined {
  if (!isJsonObject(document) || 'connectors' in document) return undefined;
  if (typeof document['connector.class'] === 'string') return { config: document, name: typeof document.name === 'string' ? document.name : undefined };
  const config = document.config;
  if (isJsonObject(config) && typeof config['connector.class'] === 'string') {
    const name = typeof document.name === 'string' ? document.name : typeof config.name === 'string' ? config.name : undefined;
    return { config, name };
  }
  return undefined;
}

function classify(source: ConfigText): ConfigForm {
  if (isPropertiesText(source.text, source.fileName)) {
    const { values, lines, problems } = readProperties(source);
    if (typeof values['connector.class'] !== 'string') return { kind: 'worker', source, values, lines, problems };
    const name = typeof values.name === 'string' ? values.name : undefined;
    return { kind: 'connector', source, document: values, config: values, name, role: roleOf(values), lines, problems };
  }
  let document: JsonValue;
  try {
    document = JSON.parse(source.text) as JsonValue;
  } catch {
    // Not valid JSON: the pipeline parser reports the syntax error with its line and column.
    return { kind: 'pipeline', source };
  }
  const connector = connectorOf(document);
  if (!connector || !isJsonObject(document)) return { kind: 'pipeline', source };
  return { kind: 'connector', source, document, config: connector.config, name: connector.name, role: roleOf(connector.config), lines: undefined, problems: [] };
}

function stem(fileName: string): string {
  return basename(fileName).replace(/\.(json|properties)$/i, '');
}

/** The key a file-relative path names first (`$['batch.max.rows']`, `$.config.name` → `name` under config). */
function keyOfPath(path: string, prefix: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  const match = /^(?:\.([A-Za-z_$][A-Za-z0-9_$]*)|\['((?:[^'\\]|\\.)*)'\])/.exec(rest);
  if (!match) return undefined;
  return match[1] ?? match[2]?.replace(/\\(.)/g, '$1');
}

/** Moves a problem from the pipeline Ferry assembled to the file it is about. */
function placed(problem: Problem, from: string, to: string, file: string | undefined, lines: KeyLines | undefined): Problem {
  if (!(problem.path === from || problem.path.startsWith(`${from}.`) || problem.path.startsWith(`${from}[`))) return problem;
  const path = `${to}${problem.path.slice(from.length)}`;
  const key = keyOfPath(path, to);
  const line = key === undefined ? undefined : lines?.get(key);
  const { line: _line, column: _column, ...rest } = problem;
  return { ...rest, path: file ? `${file}: ${path}` : path, ...(line === undefined ? {} : { line, column: 1 }) };
}

function finish(result: PipelineParseResult, extra: Problem[]): PipelineParseResult {
  const problems = [...extra, ...result.problems];
  const failed = problems.some((problem) => problem.severity === 'error');
  return result.config && !failed ? { config: result.config, problems } : { problems };
}

function errorResult(rule: { id: string }, message: string, hint: string, extra: Problem[] = []): PipelineParseResult {
  return { problems: [...extra, { severity: 'error', rule: rule.id, path: '$', message, hint }] };
}

const STANDALONE_HINT = 'Give the Connect worker\'s properties first, as connect-standalone takes them: `ferry run worker.properties connector.properties` (the worker\'s bootstrap.servers is the cluster). Or wrap the config in a pipeline file: { "name": "…", "kafka": { "bootstrap.servers": "…" }, "connectors": [ <this config> ] }.';

/** One connector config on its own. */
function parseLoneConnector(form: Extract<ConfigForm, { kind: 'connector' }>, options: PipelineParseOptions): PipelineParseResult {
  const { source } = form;
  const name = form.name?.trim() || stem(source.fileName);
  // A Replicator's destination is its own `dest.kafka.*` (its Connect worker's cluster otherwise): the assembled
  // pipeline's `kafka` block is that, and its problems are reported on the `dest.kafka.*` keys themselves.
  const kafka = emptyJsonObject();
  if (form.role === 'replicator') for (const [key, value] of Object.entries(form.config)) if (key.startsWith(DEST_KAFKA_PREFIX)) kafka[key.slice(DEST_KAFKA_PREFIX.length)] = value;
  // Profiles (a replicator's `src.kafka.ferry.profile` & co.) resolve as in a pipeline file.
  const result = validatePipeline({ name, kafka, connectors: [form.document] }, source.fileName, options);
  const problems = result.problems
    .filter((problem) => !(problem.path === '$' || problem.path.startsWith('$.kafka')))
    .map((problem) => placed(problem, '$.connectors[0]', '$', undefined, form.lines));
  if (form.role === 'source' || form.role === 'sink') {
    // Only the config's own problems: the pipeline-level ones (no cluster, no registry) are what the worker gives.
    const own = result.problems.filter((problem) => problem.path.startsWith('$.connectors[0]')).map((problem) => placed(problem, '$.connectors[0]', '$', undefined, form.lines));
    const what = form.lines ? 'properties file' : 'file';
    // The pipeline parser's rule for a bare connector: the app offers its quick fix (wrap it in a pipeline) on it.
    return errorResult(FILE_RULES.bareConnector, `This ${what} is one ${form.role} connector config; the Kafka cluster it ${form.role === 'source' ? 'writes to' : 'reads from'} is not in it (Kafka Connect takes it from its worker)`, STANDALONE_HINT, [...form.problems, ...own]);
  }
  return finish({ ...(result.config ? { config: result.config } : {}), problems }, form.problems);
}

/** connect-standalone's form: one worker config, then connector configs. */
function parseStandalone(worker: Extract<ConfigForm, { kind: 'worker' }>, connectors: Extract<ConfigForm, { kind: 'connector' }>[]): PipelineParseResult {
  const kafka = emptyJsonObject();
  for (const [key, value] of Object.entries(worker.values)) if (KAFKA_BLOCK_KEYS.has(key)) kafka[key] = value;
  /** Per connector, the keys it inherited from the worker: their problems are the worker file's. */
  const inherited = connectors.map(() => new Set<string>());
  const documents = connectors.map((form, index): JsonObject => {
    // Connect gives a connector the worker's converters unless it names its own; a Replicator copies bytes whatever
    // the worker's converters are, so it inherits none.
    if (form.role === 'replicator' || findConnectorClass(String(form.config['connector.class']))?.flavor !== 'self-managed') return form.document;
    const config: JsonObject = { ...form.config };
    for (const prefix of CONVERTER_PREFIXES) {
      if (config[prefix] !== undefined) continue;
      for (const [key, value] of Object.entries(worker.values)) {
        if (key !== prefix && !key.startsWith(`${prefix}.`)) continue;
        config[key] = value;
        inherited[index]?.add(key);
      }
    }
    return form.document === form.config ? config : { ...form.document, config };
  });
  const only = connectors.length === 1 ? connectors[0] : undefined;
  const name = only?.name?.trim() || stem(only?.source.fileName ?? worker.source.fileName);
  const result = validatePipeline({ name, kafka, connectors: documents }, worker.source.fileName);
  let problems = result.problems.filter((problem) => problem.path !== '$.name');
  problems = problems.map((problem) => placed(problem, '$.kafka', '$', basename(worker.source.fileName), worker.lines));
  connectors.forEach((form, index) => {
    const from = form.document === form.config ? `$.connectors[${index}]` : `$.connectors[${index}].config`;
    problems = problems.map((problem) => {
      const key = keyOfPath(problem.path, from);
      if (key !== undefined && inherited[index]?.has(key)) return placed(problem, from, '$', basename(worker.source.fileName), worker.lines);
      return placed(problem, `$.connectors[${index}]`, '$', basename(form.source.fileName), form.lines);
    });
  });
  const own = [worker, ...connectors].flatMap((form) => form.problems.map((problem) => ({ ...problem, path: `${basename(form.source.fileName)}: ${problem.path}` })));
  return finish({ ...(result.config ? { config: result.config } : {}), problems }, own);
}

/**
 * Parses and validates one configuration given as one or more files (see the module comment). `ferry run`,
 * `ferry validate`, `ferry replicate` and the app all read configurations through this.
 */
export function parseConfigFiles(files: readonly ConfigText[], options: PipelineParseOptions = {}): PipelineParseResult {
  const forms = files.map(classify);
  const [first] = forms;
  if (!first) return errorResult(CONFIG_FORM_RULES.formsMixed, 'No configuration file was given', 'Name a pipeline file, or a connector config (with the Connect worker\'s properties first for a source or sink).');
  if (forms.length === 1) {
    if (first.kind === 'pipeline') return parsePipelineFile(first.source.text, first.source.fileName, options);
    if (first.kind === 'connector') return parseLoneConnector(first, options);
    return errorResult(
      CONFIG_FORM_RULES.workerWithoutConnector,
      `${basename(first.source.fileName)} is a Kafka Connect worker config (it has no \`connector.class\`): it says which cluster to use, not what to copy`,
      'Name the connector configs after it, as connect-standalone takes them: `ferry run worker.properties connector.properties`.',
      first.problems,
    );
  }
  const pipelines = forms.filter((form) => form.kind === 'pipeline');
  const workers = forms.filter((form): form is Extract<ConfigForm, { kind: 'worker' }> => form.kind === 'worker');
  const connectors = forms.filter((form): form is Extract<ConfigForm, { kind: 'connector' }> => form.kind === 'connector');
  if (pipelines.length > 0 || workers.length !== 1 || forms[0]?.kind !== 'worker') {
    const names = files.map((file) => basename(file.fileName)).join(', ');
    const why =
      pipelines.length > 0
        ? `${pipelines.map((form) => basename(form.source.fileName)).join(', ')} ${pipelines.length > 1 ? 'are pipeline files' : 'is a pipeline file'}, which stands alone`
        : workers.length === 0
          ? 'none of them is a Connect worker config (a properties file without `connector.class`)'
          : workers.length > 1
            ? `${workers.map((form) => basename(form.source.fileName)).join(', ')} are all worker configs`
            : `the worker config ${basename(workers[0]?.source.fileName ?? '')} must come first`;
    return errorResult(CONFIG_FORM_RULES.formsMixed, `Several files were given (${names}), but ${why}`, 'Give one pipeline file, one connector config, or connect-standalone\'s files: the worker\'s properties first, then the connector configs.');
  }
  return parseStandalone(workers[0] as Extract<ConfigForm, { kind: 'worker' }>, connectors);
}

/** Reads the files and parses them as one configuration; throws CONFIG_FILE_UNREADABLE for a file that cannot be read. */
export async function readConfigFiles(paths: readonly string[], options: PipelineParseOptions = {}): Promise<PipelineParseResult> {
  const files: ConfigText[] = [];
  for (const path of paths) {
    files.push({ text: await readUtf8File(path, 'configuration file'), fileName: path });
  }
  return parseConfigFiles(files, options);
}

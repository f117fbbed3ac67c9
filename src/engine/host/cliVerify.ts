import { parseArgs } from 'node:util';
import type { VerifyProgress, VerifyRequest } from '../../shared/api/verify';
import { isEngineError } from '../../shared/errors';
import { setLogSink, stderrSink } from '../base/logger';
import { formatReport, VerifyService } from '../verify';
import { isProfileName, profileUrl } from './verifyProfiles';

export const VERIFY_USAGE = `Usage: ferry verify --source URL|PROFILE --target URL|PROFILE --table NAME [options]

  --source URL, --target URL   mysql://user:pass@host:3306/db, postgres://user:pass@host:5432/db, mssql://user:pass@host:1433/db
                               (?timezone=ZONE on a URL: the zone of its zone-less timestamps; ?ssl=true|verify)
                               or the name of a database profile saved in the app's Connections pane
  --table NAME                 table (or schema.table) in the source, and in the target unless --target-table
  --target-table NAME          the target's table when its name differs
  --key COLS                   key columns, comma-separated (default: the source's primary key)
  --columns COLS               columns to compare (default: every column both tables have)
  --where SQL                  filter for both sides (--target-where overrides it for the target)
  --min-age SECONDS            leave out rows changed in the last SECONDS (needs --update-column COL)
  --source-tz ZONE, --target-tz ZONE   zone of zone-less timestamps on that side (default UTC)
  --segments N, --factor N, --threshold N, --max-differences N   bisection tuning (defaults: auto, 32, 1024, 10000)
  --parallel N                 connections per side sharing each checksum scan (default 2)
  --fix-sql                    print the SQL that would make the target equal the source (never run)
  --json                       print the report as JSON

Exit codes: 0 equal, 1 different, 2 error.`;

class VerifyUsageError extends Error {}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (names.length === 0) throw new VerifyUsageError('A column list is empty; write the names separated by commas, e.g. --key region,code.');
  return names;
}

function whole(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new VerifyUsageError(`${flag} must be a number of at least 0, got "${value}".`);
  return number;
}

export function parseVerifyArgs(argv: readonly string[]): { request: VerifyRequest; json: boolean; verbose: boolean } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      source: { type: 'string' },
      target: { type: 'string' },
      table: { type: 'string' },
      'target-table': { type: 'string' },
      key: { type: 'string' },
      columns: { type: 'string' },
      where: { type: 'string' },
      'target-where': { type: 'string' },
      'min-age': { type: 'string' },
      'update-column': { type: 'string' },
      'source-tz': { type: 'string' },
      'target-tz': { type: 'string' },
      segments: { type: 'string' },
      factor: { type: 'string' },
      threshold: { type: 'string' },
      'max-differences': { type: 'string' },
      parallel: { type: 'string' },
      'fix-sql': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new VerifyUsageError(`\`ferry verify\` takes no positional arguments (got "${positionals.join(' ')}").`);
  for (const flag of ['source', 'target', 'table'] as const) {
    if (!values[flag]) throw new VerifyUsageError(`--${flag} is required.`);
  }
  const table = values.table ?? '';
  const targetWhere = values['target-where'] ?? values.where;
  const request: VerifyRequest = {
    source: { url: values.source ?? '', table, ...(values.where ? { where: values.where } : {}), ...(values['source-tz'] ? { timeZone: values['source-tz'] } : {}) },
    target: {
      url: values.target ?? '',
      table: values['target-table'] ?? table,
      ...(targetWhere ? { where: targetWhere } : {}),
      ...(values['target-tz'] ? { timeZone: values['target-tz'] } : {}),
    },
    fixSql: values['fix-sql'],
  };
  const key = list(values.key);
  const columns = list(values.columns);
  if (key) request.key = key;
  if (columns) request.columns = columns;
  const minAge = whole(values['min-age'], '--min-age');
  if (minAge !== undefined) request.minAgeSeconds = minAge;
  if (values['update-column']) request.updateColumn = values['update-column'];
  const numbers = [
    ['segments', '--segments'],
    ['bisectionFactor', '--factor'],
    ['bisectionThreshold', '--threshold'],
    ['maxDifferences', '--max-differences'],
    ['parallel', '--parallel'],
  ] as const;
  const raw: Record<(typeof numbers)[number][0], string | undefined> = {
    segments: values.segments,
    bisectionFactor: values.factor,
    bisectionThreshold: values.threshold,
    maxDifferences: values['max-differences'],
    parallel: values.parallel,
  };
  for (const [field, flag] of numbers) {
    const value = whole(raw[field], flag);
    if (value !== undefined) request[field] = value;
  }
  return { request, json: values.json, verbose: values.verbose };
}

function progressLine(progress: VerifyProgress): string {
  return `\r${progress.phase}: ${progress.segmentsDone}/${progress.segmentsTotal} segments, ${progress.rowsCompared.toLocaleString('en-US')} rows matched   `;
}

/** `ferry verify`: exit 0 when the tables are equal, 1 when they differ, 2 on any error (usage, connection, SQL). */
export async function runVerifyCommand(argv: readonly string[]): Promise<number> {
  let json = argv.includes('--json');
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  const service = new VerifyService();
  const controller = { runId: `cli-${process.pid}-${Date.now()}` };
  const interrupt = (): void => void service.cancel(controller.runId);
  process.once('SIGINT', interrupt);
  const showProgress = !json && process.stderr.isTTY;
  const subscription = showProgress ? service.onDidProgress((event) => process.stderr.write(progressLine(event))) : undefined;
  try {
    const parsed = parseVerifyArgs(argv);
    json = parsed.json;
    if (parsed.verbose) setLogSink(stderrSink, 'debug');
    for (const [side, flag] of [['source', '--source'], ['target', '--target']] as const) {
      const endpoint = parsed.request[side];
      if (!isProfileName(endpoint.url)) continue;
      const resolved = await profileUrl(endpoint.url, flag);
      if (resolved.warning) process.stderr.write(`warning: ${resolved.warning}\n`);
      endpoint.url = resolved.url;
    }
    const report = await service.run({ ...parsed.request, runId: controller.runId });
    if (showProgress) process.stderr.write('\r\x1b[K');
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.equal ? 0 : 1;
  } catch (error) {
    if (showProgress) process.stderr.write('\r\x1b[K');
    const code = isEngineError(error) ? error.code : error instanceof VerifyUsageError || (error instanceof TypeError && 'code' in error) ? 'VERIFY_USAGE' : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    process.stderr.write(`ferry verify: ${message}\n${code === 'VERIFY_USAGE' ? 'Run `ferry verify --help` for the options.\n' : ''}`);
    return 2;
  } finally {
    subscription?.dispose();
    process.removeListener('SIGINT', interrupt);
    service.dispose();
  }
}

import { isEngineError } from '../../shared/errors';
import { countBySeverity, type PipelineParseResult, type Problem } from '../config/index';
import { readConfigFilesWithProfiles } from './cliProfiles';

/**
 * `ferry validate <file>… [--json]`: reads the files as `ferry run` and `ferry replicate` do (readConfigFiles), so
 * the three agree on every form of configuration. Exit codes: 0 no errors (warnings allowed), 1 errors, 2 the file cannot be
 * read. Problems go to stdout so scripts can capture them; --json prints one object and nothing else.
 */
export function formatProblem(problem: Problem): string {
  return `${problem.severity}  ${problem.path}  ${problem.message}${problem.hint ? `  (hint: ${problem.hint})` : ''}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(file: string, result: PipelineParseResult): string {
  const { errors, warnings } = countBySeverity(result.problems);
  if (errors > 0) return `${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}; fix the errors and run \`ferry validate ${file}\` again.`;
  const connectors = [...(result.config?.connectors ?? []), ...(result.config?.replicators ?? [])];
  const what = `pipeline "${result.config?.name ?? ''}" with ${plural(connectors.length, 'connector')} (${connectors.map((c) => `${c.name}: ${c.role}`).join(', ')})`;
  return `${file}: ${what} is valid${warnings > 0 ? `, with ${plural(warnings, 'warning')}` : ''}.`;
}

export function validateJson(file: string, result: PipelineParseResult): Record<string, unknown> {
  const { errors, warnings } = countBySeverity(result.problems);
  return {
    file,
    valid: errors === 0,
    errors,
    warnings,
    problems: result.problems,
    // Names and roles only: the resolved config holds secrets.
    connectors: (result.config?.connectors ?? []).map((c) => ({ name: c.name, connectorClass: c.connectorClass, role: c.role, ...('dialect' in c ? { dialect: c.dialect } : {}) })),
    replicators: (result.config?.replicators ?? []).map((r) => ({ name: r.name, connectorClass: r.connectorClass, role: r.role })),
  };
}

export async function runValidateCommand(files: string | readonly string[], json: boolean): Promise<number> {
  const paths = typeof files === 'string' ? [files] : files;
  const file = paths.join(' ');
  let result: PipelineParseResult;
  try {
    result = await readConfigFilesWithProfiles(paths);
  } catch (error) {
    if (isEngineError(error) && error.code === 'CONFIG_FILE_UNREADABLE') {
      process.stderr.write(`ferry: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(validateJson(file, result), null, 2)}\n`);
  } else {
    for (const problem of result.problems) process.stdout.write(`${formatProblem(problem)}\n`);
    process.stdout.write(`${summaryLine(file, result)}\n`);
  }
  return countBySeverity(result.problems).errors > 0 ? 1 : 0;
}

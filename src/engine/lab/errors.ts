import { EngineError } from '../../shared/errors';

/** Stable codes scripts and the UI can branch on; never rename one, add new ones instead. */
export type LabErrorCode =
  | 'LAB_MISSING_BINARY'
  | 'LAB_JAVA_TOO_OLD'
  | 'LAB_MAVEN_FAILED'
  | 'LAB_PORT_BUSY'
  | 'LAB_START_FAILED'
  | 'LAB_STOP_FAILED'
  | 'LAB_BUSY'
  | 'LAB_CANCELLED'
  | 'LAB_BAD_CONFIG'
  | 'LAB_DIR_NOT_ACCESSIBLE'
  | 'LAB_NO_POSTGRES_USER'
  | 'LAB_STATE_CORRUPT';

export interface MissingBinary {
  binary: string;
  debianPackage: string;
}

export interface BusyPort {
  port: number;
  service: string;
}

export function labError(
  code: LabErrorCode,
  message: string,
  options: { retriable?: boolean; detail?: unknown; cause?: unknown } = {},
): EngineError {
  return new EngineError(code, message, options);
}

export function missingBinaryError(missing: readonly MissingBinary[], searched: readonly string[]): EngineError {
  const names = missing.map((m) => m.binary).join(', ');
  const packages = [...new Set(missing.map((m) => m.debianPackage))].join(' ');
  const where = searched.length > 0 ? `PATH or ${searched.join(', ')}` : 'PATH';
  return labError(
    'LAB_MISSING_BINARY',
    `The lab needs ${names}, which ${missing.length === 1 ? 'was' : 'were'} not found in ${where}. ` +
      `Install ${missing.length === 1 ? 'it' : 'them'} (Debian/Ubuntu: apt-get install ${packages}) or add ${missing.length === 1 ? 'its' : 'their'} directory to PATH, then run the lab again.`,
    { detail: { missing } },
  );
}

export function javaTooOldError(javaPath: string, version: string): EngineError {
  return labError(
    'LAB_JAVA_TOO_OLD',
    `Kafka 4 needs Java 17 or newer, but ${javaPath} is version ${version}. ` +
      'Install a newer JDK (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) and put it first in PATH or set JAVA_HOME.',
    { detail: { javaPath, version } },
  );
}

export function portBusyError(busy: readonly BusyPort[]): EngineError {
  const list = busy.map((b) => `127.0.0.1:${b.port} (${b.service})`).join(', ');
  return labError(
    'LAB_PORT_BUSY',
    `Port${busy.length === 1 ? '' : 's'} ${list} ${busy.length === 1 ? 'is' : 'are'} already in use by another program, so the lab cannot start there. ` +
      'Stop that program, or move every lab port with FERRY_LAB_PORT_OFFSET (e.g. FERRY_LAB_PORT_OFFSET=100 turns 13306 into 13406).',
    { retriable: true, detail: { busy } },
  );
}

/**
 * A service did not come up. `logFile` is the first thing a user should open; `lines` are the relevant tail of it
 * so the message is often enough on its own.
 */
export function startFailedError(service: string, reason: string, logFile: string, lines: readonly string[]): EngineError {
  const excerpt = lines.length > 0 ? `\nLast relevant lines of ${logFile}:\n  ${lines.join('\n  ')}` : '';
  return labError(
    'LAB_START_FAILED',
    `${service} did not start: ${reason}. Read ${logFile} for the details; after fixing the cause run the lab again ` +
      `(\`ferry lab reset\` wipes the lab's data if it is damaged).${excerpt}`,
    { retriable: true, detail: { service, logFile, lines } },
  );
}

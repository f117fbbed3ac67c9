/**
 * Namespaced logger with a pluggable sink. Hosts decide where lines go (stderr for the CLI, a file for the app);
 * the engine only names what it logs. Never pass secrets: messages and fields are written as given.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  time: string;
  level: LogLevel;
  namespace: string;
  message: string;
  fields?: Record<string, unknown>;
}

export type LogSink = (entry: LogEntry) => void;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let currentSink: LogSink = () => {};
let currentLevel: LogLevel = 'info';

export function setLogSink(sink: LogSink, level: LogLevel = 'info'): void {
  currentSink = sink;
  currentLevel = level;
}

export function stderrSink(entry: LogEntry): void {
  const fields = entry.fields ? ` ${JSON.stringify(entry.fields)}` : '';
  process.stderr.write(`${entry.time} ${entry.level.padEnd(5)} [${entry.namespace}] ${entry.message}${fields}\n`);
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(namespace: string): Logger;
}

export function createLogger(namespace: string): Logger {
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[currentLevel]) return;
    const entry: LogEntry = { time: new Date().toISOString(), level, namespace, message };
    if (fields) entry.fields = fields;
    currentSink(entry);
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (child) => createLogger(`${namespace}.${child}`),
  };
}

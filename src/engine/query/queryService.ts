import type { DatabaseProfile, StoredProfile } from '../../shared/api/connections';
import type { DatabaseEndpoint } from '../../shared/api/lab';
import type { IQueryApi, QueryCompareRequest, QueryDatabase, QueryRequest, QueryResult } from '../../shared/api/query';
import type { VerifyReport, VerifyRequest } from '../../shared/api/verify';
import { hasDatabase } from '../config';
import { formatDsn } from '../db/connectionFailure';
import { describeTarget, type SqlConnectionSettings } from '../db';
import { connectionSettingsOf, verifyUrlOf } from '../trace/connectionSettings';
import type { PipelineCatalog } from '../trace/pipelineCatalog';
import { queryError } from './errors';
import { DEFAULT_STATEMENT_TIMEOUT_MS, runSql } from './sqlRunner';
import { classifyStatement, requireOneStatement } from './statements';

export const DEFAULT_MAX_ROWS = 1000;
export const MAX_ROWS_LIMIT = 100_000;
export const MAX_TIMEOUT_MS = 3_600_000;

/** What the query pane needs from the rest of the engine, injected so this layer imports nothing above it. */
export interface QueryServiceOptions {
  catalog: PipelineCatalog;
  /** The engine's verify service (`verify.run`), so progress and cancel work as for any verify run. */
  verify: (request: VerifyRequest) => Promise<VerifyReport>;
  /** The lab's databases while it runs. */
  labDatabases: () => Promise<{ mariadb?: DatabaseEndpoint; postgres?: DatabaseEndpoint }>;
  /** The pipeline the demo runs, so its PGlite databases are labelled as the demo's. */
  demoPipeline: () => Promise<string | undefined>;
  databaseProfiles: () => Promise<StoredProfile[]>;
  profileSettings: (id: string) => SqlConnectionSettings;
  /** Throws for a write to a prod-coloured profile that the user did not confirm. */
  requireWriteConfirmation: (id: string, confirmed: boolean | undefined, action: string) => void;
}

interface ResolvedDatabase {
  database: QueryDatabase;
  settings: SqlConnectionSettings;
  /** The zone of zone-less timestamps (a connector's db.timezone), for Verify. */
  zone: string;
  profileId?: string;
}

function labSettings(dialect: 'mysql' | 'postgres', endpoint: DatabaseEndpoint): SqlConnectionSettings {
  return { dialect, host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, database: endpoint.database, ssl: false };
}

/**
 * The `query` namespace: the query pane's databases, read-only-by-default statements with a row cap, and Verify
 * between two of them. It is its own namespace rather than part of `connections` because most of its databases are
 * not profiles (pipeline connectors, the demo's PGlite, the lab), and passwords must stay in the engine: the UI names
 * a database by id and never sees a password.
 */
export class QueryService implements IQueryApi {
  constructor(private readonly options: QueryServiceOptions) {}

  /** Runs in progress by runId, so `cancel` can stop them. */
  private readonly running = new Map<string, AbortController>();
  private anonymousRuns = 0;

  async databases(): Promise<QueryDatabase[]> {
    return (await this.resolveAll()).map((entry) => entry.database);
  }

  private async resolveAll(): Promise<ResolvedDatabase[]> {
    const out: ResolvedDatabase[] = [];
    const demo = await this.options.demoPipeline().catch(() => undefined);
    for (const known of await this.options.catalog.refresh()) {
      const isDemo = demo !== undefined && known.pipeline.name === demo;
      // Object-store sinks have no database to query.
      for (const connector of known.pipeline.connectors.filter(hasDatabase)) {
        const status = known.status?.connectors.find((entry) => entry.name === connector.name);
        const role = connector.role;
        out.push({
          database: {
            id: `pipeline/${known.pipeline.name}/${connector.name}`,
            kind: 'pipeline',
            label: isDemo ? `Demo ${role} (PGlite)` : `${connector.name} (${role})`,
            group: isDemo ? 'Demo' : `Pipeline ${known.pipeline.name}`,
            dialect: connector.dialect,
            display: connector.connection.display,
            pipeline: known.pipeline.name,
            connector: connector.name,
            role,
            ...(status?.tables ? { tables: status.tables.map((table) => ({ table: table.table, topic: table.topic })) } : {}),
            running: known.running,
          },
          settings: connectionSettingsOf(connector.connection),
          zone: connector.dbTimezone,
        });
      }
    }
    const lab = await this.options.labDatabases().catch(() => ({}) as { mariadb?: DatabaseEndpoint; postgres?: DatabaseEndpoint });
    for (const [name, dialect, label] of [['mariadb', 'mysql', 'MariaDB'], ['postgres', 'postgres', 'PostgreSQL']] as const) {
      const endpoint = lab[name];
      if (!endpoint) continue;
      const settings = labSettings(dialect, endpoint);
      out.push({ database: { id: `lab/${name}`, kind: 'lab', label: `Lab ${label}`, group: 'Local lab', dialect, display: describeTarget(settings) }, settings, zone: 'UTC' });
    }
    for (const profile of await this.options.databaseProfiles().catch(() => [] as StoredProfile[])) {
      if (profile.kind !== 'database') continue;
      const database = profile as DatabaseProfile & StoredProfile;
      out.push({
        database: {
          id: `profile/${database.id}`,
          kind: 'profile',
          label: database.name,
          group: 'Profiles',
          dialect: database.product,
          display: formatDsn({ scheme: database.product, user: database.user, host: database.host, port: database.port, database: database.database }),
          environment: database.environment,
        },
        settings: this.options.profileSettings(database.id),
        zone: 'UTC',
        profileId: database.id,
      });
    }
    return out;
  }

  private async resolve(id: string, what = 'database'): Promise<ResolvedDatabase> {
    if (typeof id !== 'string' || id.trim() === '') throw queryError('QUERY_BAD_REQUEST', `Choose a ${what} to run against.`);
    const all = await this.resolveAll();
    const found = all.find((entry) => entry.database.id === id);
    if (!found) {
      throw queryError(
        'QUERY_UNKNOWN_DATABASE',
        `No database "${id}" is available: ${all.length > 0 ? `choose one of ${all.map((entry) => entry.database.id).join(', ')}` : 'start a pipeline, the demo or the lab, or save a database profile'}.`,
      );
    }
    return found;
  }

  async run(request: QueryRequest): Promise<QueryResult> {
    if (!request || typeof request.sql !== 'string') throw queryError('QUERY_BAD_REQUEST', 'Give the SQL statement to run ("sql").');
    const maxRows = request.maxRows ?? DEFAULT_MAX_ROWS;
    if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > MAX_ROWS_LIMIT) {
      throw queryError('QUERY_BAD_REQUEST', `maxRows must be a whole number from 1 to ${MAX_ROWS_LIMIT}, got ${String(request.maxRows)}.`);
    }
    const timeoutMs = request.timeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
      throw queryError('QUERY_BAD_REQUEST', `timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (an hour), got ${String(request.timeoutMs)}.`);
    }
    if (request.runId !== undefined && (typeof request.runId !== 'string' || request.runId.trim() === '')) {
      throw queryError('QUERY_BAD_REQUEST', 'runId must be a non-empty text that names the run (for cancel), or left out.');
    }
    if (request.runId !== undefined && this.running.has(request.runId)) {
      throw queryError('QUERY_BAD_REQUEST', `A query run with id "${request.runId}" is already in progress; choose another runId.`);
    }
    // Registered before anything slow, so a Cancel pressed at once is not lost; runs without a runId are tracked
    // too, so dispose() stops them.
    const runKey = request.runId ?? `anonymous-${++this.anonymousRuns}`;
    const controller = new AbortController();
    this.running.set(runKey, controller);
    try {
      return await this.runRegistered(request, maxRows, timeoutMs, controller.signal);
    } finally {
      this.running.delete(runKey);
    }
  }

  private async runRegistered(request: QueryRequest, maxRows: number, timeoutMs: number, signal: AbortSignal): Promise<QueryResult> {
    const target = await this.resolve(request.database);
    const statement = requireOneStatement(request.sql, target.settings.dialect);
    const kind = classifyStatement(statement, target.settings.dialect);
    if (kind.kind === 'write' && !request.allowWrite) {
      throw queryError(
        'QUERY_WRITE_REFUSED',
        `This statement writes (${kind.reason ?? 'it changes data'}), and the query pane is read-only unless "Allow writes" is on. Turn it on to run it against ${target.database.display}.`,
      );
    }
    if (request.allowWrite && target.profileId) this.options.requireWriteConfirmation(target.profileId, request.confirmed, `run a writing statement on ${target.database.label}`);
    const started = performance.now();
    const outcome = await runSql(target.settings, statement, { maxRows, readOnly: !request.allowWrite, timeoutMs, signal });
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const notes: string[] = [];
    if (outcome.truncated) notes.push(`Only the first ${maxRows} rows are shown; the statement has more.`);
    if (target.settings.dialect !== 'sqlserver' && outcome.columns.some((column) => column.kind === 'temporal')) notes.push('Zoned timestamps are shown in UTC (ending in Z); zone-less ones as stored.');
    if (target.settings.dialect === 'sqlserver' && !request.allowWrite) notes.push('SQL Server has no read-only transaction: only the statement\'s keywords were checked.');
    return {
      database: target.database.id,
      display: target.database.display,
      columns: outcome.columns,
      rows: outcome.rows,
      truncated: outcome.truncated,
      ...(outcome.affectedRows === undefined ? {} : { affectedRows: outcome.affectedRows }),
      statementKind: kind.kind,
      durationMs,
      notes,
    };
  }

  async cancel(runId: string): Promise<boolean> {
    const controller = this.running.get(runId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /** Stops every run in progress (the engine is shutting down). */
  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  async compare(request: QueryCompareRequest): Promise<VerifyReport> {
    if (!request?.source || !request.target) throw queryError('QUERY_BAD_REQUEST', 'Choose the source and the target database and table to compare.');
    const [source, target] = await Promise.all([this.resolve(request.source.database, 'source database'), this.resolve(request.target.database, 'target database')]);
    const { source: sourceSide, target: targetSide, ...rest } = request;
    const side = (resolved: ResolvedDatabase, spec: QueryCompareRequest['source']): VerifyRequest['source'] => {
      const { database: _database, ...verifySide } = spec;
      const timeZone = spec.timeZone ?? resolved.zone;
      return { ...verifySide, url: verifyUrlOf(resolved.settings, timeZone), timeZone };
    };
    return this.options.verify({ ...rest, source: side(source, sourceSide), target: side(target, targetSide) });
  }
}

import type pg from 'pg';
import type { TableId } from '../../../model';
import { sourceError } from '../../errors';
import { compareLsn } from './postgresLogicalPosition';

/** Debezium's `publication.autocreate.mode`. */
export type PublicationAutocreateMode = 'disabled' | 'all_tables' | 'filtered';

export interface ReplicationSetupOptions {
  slotName: string;
  publicationName: string;
  autocreate: PublicationAutocreateMode;
  /** The captured tables, for a `filtered` publication. */
  tables: readonly TableId[];
  /** True when resuming from a checkpoint: a missing slot then means changes were lost, not a first start. */
  resuming: boolean;
  /**
   * Where an interrupted snapshot began, when this start redoes it (LogCapture.begin's replayFrom). The slot must
   * still hold the log from there: only that log deletes, in the target, rows the interrupted snapshot delivered and
   * the source deleted since. So a missing, invalidated or further confirmed slot refuses, as when resuming.
   */
  interruptedSnapshotLsn?: string;
}

/** A replication slot as the server reports it. */
export interface SlotState {
  exists: boolean;
  plugin?: string;
  active?: boolean;
  /** `reserved`, `extended`, `unreserved` or `lost` (PostgreSQL 13+). */
  walStatus?: string;
  confirmedFlushLsn?: string;
  /** WAL the slot keeps on the server, in bytes. */
  retainedWalBytes?: number;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Checks what logical decoding needs and creates what is missing (slot, publication), refusing with one message
 * naming every problem and its fix. Returns the slot as found or made.
 */
export async function prepareReplication(client: pg.Client, options: ReplicationSetupOptions, endpoint: string): Promise<SlotState> {
  const problems: string[] = [];
  const walLevel = (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]?.wal_level;
  if (walLevel !== 'logical') problems.push(`wal_level is ${walLevel ?? 'unknown'}, not logical: ALTER SYSTEM SET wal_level = logical; then restart the server`);
  const role = (await client.query<{ rolname: string; can: boolean }>('SELECT rolname, (rolreplication OR rolsuper) AS can FROM pg_roles WHERE rolname = current_user')).rows[0];
  if (!role?.can) problems.push(`the user ${role?.rolname ?? '(unknown)'} may not replicate: ALTER ROLE ${quoteIdent(role?.rolname ?? 'user')} WITH REPLICATION`);
  if (problems.length > 0) throw prerequisitesError(problems, endpoint);

  const interrupted = options.interruptedSnapshotLsn;
  const resuming = options.resuming || interrupted !== undefined;
  let slot = await readSlot(client, options.slotName);
  if (slot.walStatus === 'lost' && !resuming && !slot.active) {
    // No checkpoint to resume (a first start, or snapshot.mode=when_needed starting over): an invalidated slot holds
    // nothing this start needs, and the snapshot covers what it lost. Debezium would fail; making it again is the way back.
    await client.query('SELECT pg_drop_replication_slot($1)', [options.slotName]);
    slot = { exists: false };
  }
  if (slot.exists && slot.plugin !== 'pgoutput') {
    throw sourceError('SOURCE_BAD_OPTIONS', `The replication slot "${options.slotName}" on ${endpoint} uses the ${slot.plugin ?? 'unknown'} plugin, not pgoutput. Choose another slot.name, or drop it: SELECT pg_drop_replication_slot('${options.slotName}').`);
  }
  if (slot.walStatus === 'lost' && interrupted !== undefined) {
    throw interruptedSnapshotLogGone(options.slotName, endpoint, interrupted, 'was invalidated (wal_status lost: the server removed WAL it still needed; raise max_slot_wal_keep_size so a stopped pipeline\'s slot survives)');
  }
  if (slot.walStatus === 'lost') {
    throw sourceError(
      'SOURCE_BAD_POSITION',
      `The replication slot "${options.slotName}" on ${endpoint} was invalidated (wal_status lost: the server removed WAL it still needed, see max_slot_wal_keep_size), so changes since its last confirmed position are gone. ` +
        `Set snapshot.mode=when_needed to make the slot again and take a new snapshot (or delete the pipeline's checkpoint, or drop the slot: SELECT pg_drop_replication_slot('${options.slotName}')); raise max_slot_wal_keep_size so a stopped pipeline's slot survives.`,
    );
  }
  if (!slot.exists && interrupted !== undefined) throw interruptedSnapshotLogGone(options.slotName, endpoint, interrupted, 'no longer exists');
  if (!slot.exists && options.resuming) {
    throw sourceError(
      'SOURCE_BAD_POSITION',
      `The replication slot "${options.slotName}" no longer exists on ${endpoint}, but the pipeline has a checkpoint: the changes made since the slot was dropped cannot be read. ` +
        "Set snapshot.mode=when_needed to create the slot and take a new snapshot, or delete the pipeline's checkpoint.",
    );
  }
  if (interrupted !== undefined && slot.confirmedFlushLsn !== undefined && compareLsn(slot.confirmedFlushLsn, interrupted) > 0) {
    // The slot would stream from its confirmed position, silently skipping the log in between.
    throw sourceError(
      'SOURCE_BAD_POSITION',
      `The replication slot "${options.slotName}" on ${endpoint} is confirmed up to ${slot.confirmedFlushLsn}, past where the interrupted snapshot began (${interrupted}): ` +
        'something else advanced it (another reader using the same slot.name, or pg_replication_slot_advance), so the log from there can no longer be read. ' +
        'Give each pipeline its own slot.name.',
      { detail: { slot: options.slotName, confirmedFlushLsn: slot.confirmedFlushLsn, snapshotStartedLsn: interrupted } },
    );
  }

  await ensurePublication(client, options, endpoint);
  if (slot.exists) return slot;
  await client.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [options.slotName]);
  return readSlot(client, options.slotName);
}

/**
 * The slot that held the log from where an interrupted snapshot began is gone: redoing the snapshot without it would
 * leave deleted rows behind. What that means for the target, and the way out, the log source adds (LogSource.begin),
 * for every database alike.
 */
function interruptedSnapshotLogGone(slotName: string, endpoint: string, lsn: string, what: string): Error {
  return sourceError(
    'SOURCE_BAD_POSITION',
    `The replication slot "${slotName}" on ${endpoint}, which held the log from where the interrupted snapshot began (${lsn}), ${what}.`,
    { detail: { slot: slotName, snapshotStartedLsn: lsn } },
  );
}

export async function readSlot(client: pg.Client, slotName: string): Promise<SlotState> {
  const result = await client.query<{ plugin: string; active: boolean; wal_status: string | null; confirmed_flush_lsn: string | null; retained: string | null }>(
    'SELECT plugin, active, wal_status, confirmed_flush_lsn::text, (pg_current_wal_lsn() - restart_lsn)::text AS retained FROM pg_replication_slots WHERE slot_name = $1',
    [slotName],
  );
  const row = result.rows[0];
  if (!row) return { exists: false };
  const state: SlotState = { exists: true, plugin: row.plugin, active: row.active };
  if (row.wal_status !== null) state.walStatus = row.wal_status;
  if (row.confirmed_flush_lsn !== null) state.confirmedFlushLsn = row.confirmed_flush_lsn;
  if (row.retained !== null) state.retainedWalBytes = Number(row.retained);
  return state;
}

async function ensurePublication(client: pg.Client, options: ReplicationSetupOptions, endpoint: string): Promise<void> {
  const existing = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [options.publicationName]);
  if (existing.rowCount) return;
  const tables = options.tables.map((table) => (table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.table)}` : quoteIdent(table.table)));
  const statement =
    options.autocreate === 'filtered'
      ? `CREATE PUBLICATION ${quoteIdent(options.publicationName)} FOR TABLE ${tables.join(', ')}`
      : `CREATE PUBLICATION ${quoteIdent(options.publicationName)} FOR ALL TABLES`;
  if (options.autocreate === 'disabled') {
    throw sourceError(
      'SOURCE_BAD_OPTIONS',
      `The publication "${options.publicationName}" does not exist on ${endpoint} and publication.autocreate.mode is disabled. Create it (${statement}) or set publication.autocreate.mode to filtered.`,
    );
  }
  if (options.autocreate === 'filtered' && tables.length === 0) {
    throw sourceError('SOURCE_TABLE_NOT_FOUND', `No table matches the include lists on ${endpoint}, so there is nothing to publish. Check table.include.list.`);
  }
  try {
    await client.query(statement);
  } catch (error) {
    throw sourceError('SOURCE_BAD_OPTIONS', `Creating the publication on ${endpoint} failed (${(error as Error).message}). Run as a superuser or the tables' owner: ${statement}`, { cause: error });
  }
}

function prerequisitesError(problems: string[], endpoint: string): Error {
  return sourceError(
    'SOURCE_BAD_OPTIONS',
    `Log-based capture cannot read ${endpoint}: ${problems.map((problem, index) => `${index + 1}. ${problem}`).join('; ')}. Fix these, or capture by polling (connector.class PostgresSource / JdbcSourceConnector).`,
    { detail: { problems } },
  );
}

/**
 * Drops a slot (and the publication when asked): the server stops keeping WAL for it. A slot in use by a running
 * reader is refused with the process that holds it, never terminated.
 */
export async function dropReplication(client: pg.Client, options: { slotName: string; publicationName: string; dropPublication: boolean }, endpoint: string): Promise<{ slotDropped: boolean; publicationDropped: boolean }> {
  const slot = (await client.query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [options.slotName])).rows[0];
  if (slot?.active_pid) {
    throw sourceError('SOURCE_BAD_OPTIONS', `The replication slot "${options.slotName}" on ${endpoint} is in use by server process ${slot.active_pid} (a pipeline or Debezium still reading it). Stop that reader first, then drop the slot.`);
  }
  if (slot) await client.query('SELECT pg_drop_replication_slot($1)', [options.slotName]);
  let publicationDropped = false;
  if (options.dropPublication) {
    const existing = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [options.publicationName]);
    if (existing.rowCount) {
      await client.query(`DROP PUBLICATION ${quoteIdent(options.publicationName)}`);
      publicationDropped = true;
    }
  }
  return { slotDropped: slot !== undefined, publicationDropped };
}

import type { ReplicationSlotDrop, ReplicationSlotInfo } from '../../shared/api/pipelines';
import { requireValidPipeline } from '../config';
import { dropReplicationSlotsOf, replicationSlotsOf } from '../connectors/replicationSlots';
import { readConfigFilesWithProfiles } from './cliProfiles';

/** Bytes as people read them (SI): 912 B, 14.2 kB, 3.1 MB. */
function bytes(value: number): string {
  if (value < 1000) return `${value} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let scaled = value / 1000;
  let unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  return `${scaled.toFixed(scaled >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function slotLine(slot: ReplicationSlotInfo): string {
  if (!slot.exists) return `${slot.connector}: no slot ${slot.slot} on ${slot.database} (the next run creates it)`;
  const wal = slot.retainedWalBytes === undefined ? '' : `, keeps ${bytes(slot.retainedWalBytes)} of WAL`;
  const status = slot.walStatus ? ` (${slot.walStatus}${slot.walStatus === 'lost' ? ': invalidated; snapshot.mode=when_needed makes it again with a new snapshot' : ''})` : '';
  const publication = slot.publicationExists ? `; publication ${slot.publication}${slot.dropsPublication ? '' : ' (made by hand: kept by drop)'}` : '';
  return `${slot.connector}: slot ${slot.slot} on ${slot.database}, ${slot.active ? 'active (a reader holds it)' : 'inactive'}${wal}${status}${publication}`;
}

export function dropLine(drop: ReplicationSlotDrop): string {
  const what = [drop.slotDropped ? `dropped the slot ${drop.slot}` : `no slot ${drop.slot} to drop`, drop.publicationDropped ? `dropped the publication ${drop.publication}` : undefined].filter(Boolean).join(', ');
  return `${drop.connector}: ${what}${drop.checkpointCleared ? "; cleared its checkpoint, so the next run takes a new snapshot" : ''}${drop.note ? ` (${drop.note})` : ''}.`;
}

/**
 * `ferry slots FILE… [--json]` lists the PostgreSQL replication slots of a pipeline's log sources with the WAL each
 * keeps; `ferry slots drop FILE… [--json]` drops them (and the publications Ferry may have made) and clears those
 * sources' checkpoints. A slot a running pipeline holds is refused. Exit codes: 0 done, 1 failed, 2 bad usage.
 */
export async function runSlotsCommand(files: readonly string[], options: { drop: boolean; json: boolean }): Promise<number> {
  const pipeline = requireValidPipeline(await readConfigFilesWithProfiles(files), files.join(' '));
  if (!options.drop) {
    const slots = await replicationSlotsOf(pipeline);
    if (options.json) process.stdout.write(`${JSON.stringify({ pipeline: pipeline.name, slots }, null, 2)}\n`);
    else if (slots.length === 0) process.stdout.write(`Pipeline "${pipeline.name}" has no PostgreSQL log source, so it keeps no replication slot.\n`);
    else for (const slot of slots) process.stdout.write(`${slotLine(slot)}\n`);
    return 0;
  }
  const dropped = await dropReplicationSlotsOf(pipeline);
  if (options.json) process.stdout.write(`${JSON.stringify({ pipeline: pipeline.name, dropped }, null, 2)}\n`);
  else if (dropped.length === 0) process.stdout.write(`Pipeline "${pipeline.name}" has no PostgreSQL log source, so there is no slot to drop.\n`);
  else for (const drop of dropped) process.stdout.write(`${dropLine(drop)}\n`);
  return 0;
}

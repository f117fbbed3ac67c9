import { isLogSource, type ResolvedLogSource, type ResolvedPipeline } from '../config';
import { createLogCapture } from '../sources';
import { CheckpointStore } from '../store';
import type { ReplicationSlotDrop, ReplicationSlotInfo } from '../../shared/api/pipelines';
import { logCaptureInit } from './sourceOptions';

/**
 * The PostgreSQL replication slots a pipeline's log sources keep on their databases (issue 12: "a slot is never left
 * behind silently"). A slot keeps WAL on the server until it is dropped, also while the pipeline is stopped or
 * deleted; these list them with the WAL they keep and drop them (with the publication, unless it was made by hand),
 * clearing the sources' checkpoints so the next start snapshots again instead of failing on the missing slot.
 */

function postgresLogSources(pipeline: ResolvedPipeline, connector?: string): ResolvedLogSource[] {
  return pipeline.connectors.filter((candidate): candidate is ResolvedLogSource => isLogSource(candidate) && candidate.dialect === 'postgres' && (connector === undefined || candidate.name === connector));
}

export async function replicationSlotsOf(pipeline: ResolvedPipeline): Promise<ReplicationSlotInfo[]> {
  const out: ReplicationSlotInfo[] = [];
  for (const source of postgresLogSources(pipeline)) {
    const capture = createLogCapture(logCaptureInit(source));
    try {
      const slot = await capture.replicationSlot?.();
      if (slot) out.push({ connector: source.name, database: source.connection.display, ...slot });
    } finally {
      await capture.close().catch(() => undefined);
    }
  }
  return out;
}

/** Drops the slots (refused for a slot a reader still holds) and clears those sources' checkpoints in `dataDir`. */
export async function dropReplicationSlotsOf(pipeline: ResolvedPipeline, options: { dataDir?: string; connector?: string } = {}): Promise<ReplicationSlotDrop[]> {
  const out: ReplicationSlotDrop[] = [];
  for (const source of postgresLogSources(pipeline, options.connector)) {
    const capture = createLogCapture(logCaptureInit(source));
    try {
      const dropped = await capture.dropReplicationSlot?.();
      if (!dropped) continue;
      const checkpoints = new CheckpointStore(pipeline.name, options.dataDir);
      const hadCheckpoint = Object.keys(checkpoints.positions(source.name)).length > 0;
      if (hadCheckpoint) {
        checkpoints.reset(source.name);
        await checkpoints.flush();
      }
      const notes = [
        dropped.slotDropped ? undefined : `the slot ${source.slotName} was not there`,
        source.publicationAutocreate === 'disabled' ? `the publication ${source.publicationName} is kept (publication.autocreate.mode=disabled: it was made by hand)` : undefined,
      ].filter((note): note is string => note !== undefined);
      out.push({
        connector: source.name,
        slot: source.slotName,
        slotDropped: dropped.slotDropped,
        publication: source.publicationName,
        publicationDropped: dropped.publicationDropped,
        checkpointCleared: hadCheckpoint,
        ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      });
    } finally {
      await capture.close().catch(() => undefined);
    }
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import { compareLsn, lsnFromString, lsnToString } from './cdcStatements';
import { type CdcQueryRunner, checkResumable, type ResumeTable } from './sqlServerLogCapture';

// The resume check of SqlServerLogCapture.begin against a fake SQL Server: each capture instance has a low endpoint
// (what sys.fn_cdc_get_min_lsn / cdc.change_tables.start_lsn return: cleanup advances it), a create_date and the
// commit LSNs in its change table; cdc.lsn_time_mapping maps LSNs to commit times. The fake answers the statements
// the check sends by what they name, so the statements themselves are pinned in cdcStatements.test.ts.

interface FakeInstance {
  min: string;
  created: string;
  changes?: string[];
}

function fakeServer(instances: Record<string, FakeInstance>, lsnTimes: Record<string, string>): CdcQueryRunner & { sent: string[] } {
  const sent: string[] = [];
  const lsn = (text: string): Buffer => lsnFromString(text) as Buffer;
  const literal = (hex: string): Buffer => Buffer.from(hex, 'hex');
  const answer = (command: string): Record<string, unknown>[] => {
    const changeTable = /FROM cdc\.\[(.+)_CT\] WHERE __\$start_lsn > 0x([0-9a-f]{20}) AND __\$start_lsn < 0x([0-9a-f]{20})/.exec(command);
    if (changeTable) {
      const [, name = '', after = '', before = ''] = changeTable;
      return (instances[name]?.changes ?? [])
        .map(lsn)
        .filter((change) => compareLsn(change, literal(after)) > 0 && compareLsn(change, literal(before)) < 0)
        .slice(0, 1)
        .map((change) => ({ lsn: change }));
    }
    const name = /fn_cdc_get_min_lsn\(N'([^']+)'\)/.exec(command)?.[1] ?? '';
    const instance = instances[name];
    if (!instance) return [];
    const mapped = /fn_cdc_map_lsn_to_time\(0x([0-9a-f]{20})\)/.exec(command)?.[1];
    const time = mapped ? lsnTimes[lsnToString(literal(mapped))] : undefined;
    // Named as each statement names its columns (the min LSN was `lsn` when it was read alone).
    return [{ lsn: lsn(instance.min), min_lsn: lsn(instance.min), create_date: new Date(instance.created), lsn_time: time ? new Date(time) : null }];
  };
  return {
    sent,
    request: () => ({
      query: <T>(command: string): Promise<{ recordset: T[] }> => {
        sent.push(command);
        return Promise.resolve({ recordset: answer(command) as T[] });
      },
    }),
  };
}

const resumeAt = lsnFromString('00000027:00000100:0001') as Buffer;
const times = { '00000027:00000100:0001': '2026-12-06T11:00:00.000Z' };
const orders: ResumeTable = { id: { catalog: 'shop', schema: 'dbo', table: 'orders' }, captureInstance: 'dbo_orders', olderInstances: [] };
const refunds: ResumeTable = { id: { catalog: 'shop', schema: 'dbo', table: 'refunds' }, captureInstance: 'dbo_refunds', olderInstances: [] };

async function refusal(promise: Promise<void>): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe('SQL Server CDC resume from a saved LSN', () => {
  it('reads an instance created after the LSN (a table added, CDC enabled since) from its own minimum instead of taking it for cleaned up', async () => {
    const server = fakeServer(
      {
        dbo_orders: { min: '00000027:00000050:0001', created: '2026-12-06T10:00:00.000Z' },
        // Its low endpoint is past the LSN only because it began capturing later: nothing of it was cleaned up.
        dbo_refunds: { min: '00000027:00000300:0001', created: '2026-12-06T12:00:00.000Z' },
      },
      times,
    );
    await expect(checkResumable(server, [orders, refunds], resumeAt)).resolves.toBeUndefined();
  });

  it('stops on an instance that existed at the LSN and whose changes after it the cleanup job removed, naming the table, instance and LSN and what to do', async () => {
    const server = fakeServer({ dbo_orders: { min: '00000027:00000200:0001', created: '2026-12-06T10:00:00.000Z' } }, times);
    const error = await refusal(checkResumable(server, [orders], resumeAt));
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toContain('00000027:00000100:0001');
    expect(error.message).toContain('dbo.orders');
    expect(error.message).toContain('dbo_orders');
    expect(error.message).toContain('00000027:00000200:0001');
    expect(error.message).toMatch(/cleanup job removed changes Ferry never read/);
    expect(error.message).toMatch(/snapshot\.mode=when_needed/);
  });

  it('an instance whose low endpoint is the LSN\'s successor or older lost nothing', async () => {
    const server = fakeServer({ dbo_orders: { min: '00000027:00000100:0002', created: '2026-12-06T10:00:00.000Z' } }, times);
    await expect(checkResumable(server, [orders], resumeAt)).resolves.toBeUndefined();
  });

  it('counts an instance past the LSN as cleaned up when the LSN\'s commit time is gone from cdc.lsn_time_mapping (cleanup removed it too)', async () => {
    const server = fakeServer({ dbo_refunds: { min: '00000027:00000300:0001', created: '2026-12-06T12:00:00.000Z' } }, {});
    const error = await refusal(checkResumable(server, [refunds], resumeAt));
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toContain('dbo_refunds');
  });

  it('an instance re-created after the LSN: stops only when the older instance, which Ferry does not read, holds changes between the LSN and the new one', async () => {
    const recreated: ResumeTable = { ...orders, captureInstance: 'dbo_orders_v2', olderInstances: ['dbo_orders'] };
    const instances = (olderChanges: string[]): Record<string, FakeInstance> => ({
      dbo_orders_v2: { min: '00000027:00000300:0001', created: '2026-12-06T12:00:00.000Z' },
      dbo_orders: { min: '00000027:00000050:0001', created: '2026-12-06T10:00:00.000Z', changes: olderChanges },
    });
    // Its changes up to the LSN were read; those from the new instance's start on are in the new one too.
    await expect(checkResumable(fakeServer(instances(['00000027:00000100:0001', '00000027:00000300:0001']), times), [recreated], resumeAt)).resolves.toBeUndefined();

    const error = await refusal(checkResumable(fakeServer(instances(['00000027:00000180:0003']), times), [recreated], resumeAt));
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toContain('dbo.orders');
    expect(error.message).toContain('dbo_orders_v2');
    expect(error.message).toContain('00000027:00000100:0001');
    expect(error.message).toMatch(/snapshot\.mode=when_needed/);

    // The older instance cleaned up past the LSN: what it held up to the new instance's start may be gone.
    const cleaned = { ...instances([]), dbo_orders: { min: '00000027:00000200:0001', created: '2026-12-06T10:00:00.000Z' } };
    const lost = await refusal(checkResumable(fakeServer(cleaned, times), [recreated], resumeAt));
    expect(lost.code).toBe('SOURCE_BAD_POSITION');
    expect(lost.message).toMatch(/oldest change of dbo\.orders in capture instance dbo_orders \(00000027:00000200:0001\): the CDC cleanup job removed/);
  });
});

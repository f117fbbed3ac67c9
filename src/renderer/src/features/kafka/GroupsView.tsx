import { useCallback, useEffect, useState } from 'react';
import { type ClusterChoice, type ConsumerGroupDetails, type ConsumerGroupSummary, OFFSET_RESET_TARGETS, type OffsetResetTarget } from '../../../../shared/api';
import { useConfirm } from '../../app/ConfirmDialog';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { confirmWrite } from '../connections/confirmWrite';
import { Field } from '../connections/Field';
import { type Problem, ProblemBox } from './KafkaPane';
import { formatOffset } from './kafkaModel';

const TARGET_LABELS: Record<OffsetResetTarget, string> = { earliest: 'Earliest', latest: 'Latest', timestamp: 'A time', offset: 'An offset' };

/** Every consumer group of the cluster; open one for members and per-partition lag, and reset its offsets when inactive. */
export function GroupsView({ cluster, selected, onSelect }: { cluster: ClusterChoice; selected: string | undefined; onSelect(group: string): void }) {
  const [groups, setGroups] = useState<ConsumerGroupSummary[] | undefined>();
  const [search, setSearch] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>();
  const refresh = useCallback(() => {
    engine.topics.groups(cluster.ref).then(setGroups, (error: unknown) => setProblem(toProblem(error)));
  }, [cluster]);
  useEffect(refresh, [refresh]);
  const shown = (groups ?? []).filter((group) => group.groupId.toLowerCase().includes(search.toLowerCase()));

  return (
    <div className="kafka-split">
      <section className="panel kafka-list" aria-label="Consumer groups">
        <div className="kafka-list-tools">
          <input aria-label="Search groups" placeholder="Search groups" value={search} onChange={(event) => setSearch(event.target.value)} />
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </div>
        <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
        {!groups && <p className="muted">Asking the cluster…</p>}
        {groups && shown.length === 0 && <p className="muted">{groups.length === 0 ? 'No consumer group on this cluster yet.' : 'No group matches.'}</p>}
        <ul className="kafka-items">
          {shown.map((group) => (
            <li key={group.groupId}>
              <button type="button" className={group.groupId === selected ? 'kafka-item active' : 'kafka-item'} onClick={() => onSelect(group.groupId)} data-testid="group-item">
                <span className="kafka-item-name">{group.groupId}</span>
                <span className="muted small">
                  {group.state} · {group.members} member{group.members === 1 ? '' : 's'}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <div className="kafka-detail">{selected ? <GroupDetail key={selected} cluster={cluster} groupId={selected} onChanged={refresh} /> : <p className="muted panel">Pick a group to see its lag per partition.</p>}</div>
    </div>
  );
}

function GroupDetail({ cluster, groupId, onChanged }: { cluster: ClusterChoice; groupId: string; onChanged(): void }) {
  const [details, setDetails] = useState<ConsumerGroupDetails | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const load = useCallback(() => {
    engine.topics.group(cluster.ref, groupId).then(setDetails, (error: unknown) => setProblem(toProblem(error)));
  }, [cluster, groupId]);
  useEffect(load, [load]);
  const active = details !== undefined && details.members > 0;

  return (
    <section className="panel" aria-label={`Group ${groupId}`}>
      <header className="panel-header">
        <div>
          <h2 className="kafka-title">{groupId}</h2>
          {details && (
            <p className="muted small" data-testid="group-summary">
              {details.state} · {details.members} member{details.members === 1 ? '' : 's'} · {details.protocolType || 'no protocol'} · total lag <strong data-testid="group-total-lag">{formatOffset(details.totalLag)}</strong>
            </p>
          )}
        </div>
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              load();
              onChanged();
            }}
          >
            Refresh
          </button>
        </div>
      </header>
      <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
      {notice && (
        <p className="notice-ok" role="status">
          {notice}
        </p>
      )}
      {details && (
        <>
          {details.membersList.length > 0 && (
            <>
              <h3>Members</h3>
              <ul className="kafka-members">
                {details.membersList.map((member) => (
                  <li key={member.memberId}>
                    <code>{member.clientId}</code> <span className="muted small">on {member.host}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Lag per partition</h3>
          {details.partitions.length === 0 ? (
            <p className="muted">The group has committed no offsets.</p>
          ) : (
            <table className="data-table" aria-label="Lag per partition">
              <thead>
                <tr>
                  <th>Topic</th>
                  <th>Partition</th>
                  <th className="num">Committed</th>
                  <th className="num">High offset</th>
                  <th className="num">Lag</th>
                  <th>Consumer</th>
                </tr>
              </thead>
              <tbody>
                {details.partitions.map((partition) => (
                  <tr key={`${partition.topic}/${partition.partition}`} data-testid="lag-row">
                    <td>{partition.topic}</td>
                    <td>{partition.partition}</td>
                    <td className="num">{partition.committed === null ? <span className="muted">none</span> : formatOffset(partition.committed)}</td>
                    <td className="num">{formatOffset(partition.high)}</td>
                    <td className={partition.lag === '0' ? 'num' : 'num lag-positive'}>{formatOffset(partition.lag)}</td>
                    <td className="small">{partition.clientId ?? <span className="muted">–</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <ResetForm
            cluster={cluster}
            details={details}
            active={active}
            onReset={(next, message) => {
              setDetails(next);
              setNotice(message);
              setProblem(undefined);
              onChanged();
            }}
            onProblem={(next) => {
              setProblem(next);
              setNotice(undefined);
            }}
          />
        </>
      )}
    </section>
  );
}

function ResetForm({ cluster, details, active, onReset, onProblem }: { cluster: ClusterChoice; details: ConsumerGroupDetails; active: boolean; onReset(next: ConsumerGroupDetails, message: string): void; onProblem(problem: Problem): void }) {
  const topics = [...new Set(details.partitions.map((partition) => partition.topic))];
  const [topic, setTopic] = useState(topics[0] ?? '');
  const [target, setTarget] = useState<OffsetResetTarget>('earliest');
  const [value, setValue] = useState('');
  const [partitions, setPartitions] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmDialog, confirm] = useConfirm();

  const partitionItems = partitions
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const badPartition = partitionItems.find((item) => !/^\d+$/.test(item));
  const submit = async (): Promise<void> => {
    const where = partitions.trim() === '' ? 'every partition' : `partition ${partitions.trim()}`;
    const to = target === 'timestamp' ? `the first record at or after ${value}` : target === 'offset' ? `offset ${value}` : `the ${target} offset`;
    const go = await confirm({ title: `Reset group ${details.groupId}?`, message: `Its committed offsets on ${topic} (${where}) move to ${to}. Its consumers then re-read or skip records from there.`, confirmLabel: 'Reset offsets' });
    if (!go || !(await confirmWrite(cluster.ref.kind === 'profile' ? cluster.ref.profileId : undefined, `reset the offsets of group ${details.groupId}`))) return;
    setBusy(true);
    try {
      const chosen = partitionItems.map(Number);
      const next = await engine.topics.resetOffsets({
        cluster: cluster.ref,
        groupId: details.groupId,
        topic,
        to: target,
        ...(chosen.length > 0 ? { partitions: chosen } : {}),
        ...(target === 'timestamp' ? { timestamp: value } : {}),
        ...(target === 'offset' ? { offset: value } : {}),
        confirmed: true,
      });
      onReset(next, `Offsets of ${details.groupId} on ${topic} moved to ${to}. Total lag is now ${formatOffset(next.totalLag)}.`);
    } catch (error) {
      onProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  if (topics.length === 0) return null;
  return (
    <form
      className="kafka-form reset-form"
      aria-label="Reset offsets"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3>Reset offsets</h3>
      {active && (
        <p className="notice-warn small" data-testid="reset-active-note">
          This group has running members: Kafka moves only an inactive group&apos;s offsets. Stop its consumers (for a pipeline&apos;s sink, stop the pipeline) first.
        </p>
      )}
      <div className="control-row">
        <Field label="Topic">
          <select value={topic} onChange={(event) => setTopic(event.target.value)}>
            {topics.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </Field>
        <Field label="Partitions" hint="Empty: all; or e.g. 0,2" {...(badPartition === undefined ? {} : { error: `"${badPartition}" is not a partition number: list them as 0,2,3.` })}>
          <input value={partitions} onChange={(event) => setPartitions(event.target.value)} />
        </Field>
        <Field label="Reset to">
          <select value={target} onChange={(event) => setTarget(event.target.value as OffsetResetTarget)}>
            {OFFSET_RESET_TARGETS.map((entry) => (
              <option key={entry} value={entry}>
                {TARGET_LABELS[entry]}
              </option>
            ))}
          </select>
        </Field>
        {target === 'timestamp' && (
          <Field label="Time" hint="ISO time, e.g. 2026-01-31T12:00:00Z">
            <input value={value} onChange={(event) => setValue(event.target.value)} />
          </Field>
        )}
        {target === 'offset' && (
          <Field label="Offset">
            <input value={value} inputMode="numeric" onChange={(event) => setValue(event.target.value)} />
          </Field>
        )}
      </div>
      <button type="submit" className="danger" disabled={busy || badPartition !== undefined || ((target === 'timestamp' || target === 'offset') && value.trim() === '')}>
        {busy ? 'Resetting…' : 'Reset offsets…'}
      </button>
      {confirmDialog}
    </form>
  );
}

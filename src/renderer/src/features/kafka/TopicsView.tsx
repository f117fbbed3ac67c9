import { useCallback, useEffect, useState } from 'react';
import type { ClusterChoice, TopicConfigEntry, TopicOverview, TopicSummary } from '../../../../shared/api';
import { useConfirm } from '../../app/ConfirmDialog';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { confirmWrite } from '../connections/confirmWrite';
import { Field } from '../connections/Field';
import { type Problem, ProblemBox } from './KafkaPane';
import { formatOffset, parseConfigLines } from './kafkaModel';

const profileOf = (cluster: ClusterChoice): string | undefined => (cluster.ref.kind === 'profile' ? cluster.ref.profileId : undefined);

/** Every topic of the cluster; create one; open one for its partitions, offsets and configs. */
export function TopicsView({ cluster, selected, onSelect }: { cluster: ClusterChoice; selected: string | undefined; onSelect(topic: string | undefined): void }) {
  const [topics, setTopics] = useState<TopicSummary[] | undefined>();
  const [search, setSearch] = useState('');
  const [showInternal, setShowInternal] = useState(false);
  const [creating, setCreating] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();

  const refresh = useCallback(() => {
    engine.topics.list(cluster.ref).then(setTopics, (error: unknown) => setProblem(toProblem(error)));
  }, [cluster]);
  useEffect(refresh, [refresh]);

  const shown = (topics ?? []).filter((topic) => (showInternal || !topic.internal) && topic.name.toLowerCase().includes(search.toLowerCase()));
  return (
    <div className="kafka-split">
      <section className="panel kafka-list" aria-label="Topics">
        <div className="kafka-list-tools">
          <input aria-label="Search topics" placeholder="Search topics" value={search} onChange={(event) => setSearch(event.target.value)} />
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create topic
          </button>
        </div>
        <label className="field-inline small">
          <input type="checkbox" checked={showInternal} onChange={(event) => setShowInternal(event.target.checked)} /> Show internal topics
        </label>
        <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
        {!topics && <p className="muted">Asking the cluster…</p>}
        {topics && shown.length === 0 && <p className="muted">{topics.length === 0 ? 'This cluster has no topics yet.' : 'No topic matches.'}</p>}
        <ul className="kafka-items">
          {shown.map((topic) => (
            <li key={topic.name}>
              <button type="button" className={topic.name === selected ? 'kafka-item active' : 'kafka-item'} onClick={() => onSelect(topic.name)} data-testid="topic-item">
                <span className="kafka-item-name">{topic.name}</span>
                <span className="muted small">{topic.partitions} partition{topic.partitions === 1 ? '' : 's'}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <div className="kafka-detail">
        {creating && (
          <CreateTopicForm
            cluster={cluster}
            onCancel={() => setCreating(false)}
            onCreated={(name) => {
              setCreating(false);
              refresh();
              onSelect(name);
            }}
          />
        )}
        {!creating && selected && (
          <TopicDetail
            key={selected}
            cluster={cluster}
            topic={selected}
            onDeleted={() => {
              refresh();
              onSelect(undefined);
            }}
          />
        )}
        {!creating && !selected && <p className="muted panel">Pick a topic to see its partitions, offsets and configs, or create one.</p>}
      </div>
    </div>
  );
}

function CreateTopicForm({ cluster, onCancel, onCreated }: { cluster: ClusterChoice; onCancel(): void; onCreated(name: string): void }) {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('1');
  const [replication, setReplication] = useState('');
  const [configText, setConfigText] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const parsed = parseConfigLines(configText);

  const submit = async (): Promise<void> => {
    if ('error' in parsed) return;
    const confirmed = await confirmWrite(profileOf(cluster), `create topic ${name}`);
    if (!confirmed) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await engine.topics.create({
        cluster: cluster.ref,
        topic: name.trim(),
        partitions: Number(partitions),
        ...(replication.trim() === '' ? {} : { replicationFactor: Number(replication) }),
        configs: parsed.configs,
        confirmed: true,
      });
      onCreated(name.trim());
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="panel kafka-form"
      aria-label="Create topic"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>Create topic</h2>
      <div className="control-row">
        <Field label="Topic name" className="grow" hint="Letters, digits, '.', '_' and '-'">
          <input value={name} onChange={(event) => setName(event.target.value)} required />
        </Field>
        <Field label="Partitions">
          <input type="number" min={1} value={partitions} onChange={(event) => setPartitions(event.target.value)} />
        </Field>
        <Field label="Replication factor" hint="Empty: the cluster default">
          <input type="number" min={1} value={replication} onChange={(event) => setReplication(event.target.value)} />
        </Field>
      </div>
      <Field label="Configs" hint="One name=value per line, e.g. cleanup.policy=compact" {...('error' in parsed ? { error: parsed.error } : {})}>
        <textarea rows={3} value={configText} onChange={(event) => setConfigText(event.target.value)} spellCheck={false} />
      </Field>
      <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || name.trim() === '' || 'error' in parsed}>
          {busy ? 'Creating…' : 'Create'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function TopicDetail({ cluster, topic, onDeleted }: { cluster: ClusterChoice; topic: string; onDeleted(): void }) {
  const [overview, setOverview] = useState<TopicOverview | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [editing, setEditing] = useState<{ name: string; value: string } | undefined>();
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [onlyOverrides, setOnlyOverrides] = useState(false);
  const [confirmDialog, confirm] = useConfirm();

  const load = useCallback(() => {
    engine.topics.overview(cluster.ref, topic).then(setOverview, (error: unknown) => setProblem(toProblem(error)));
  }, [cluster, topic]);
  useEffect(load, [load]);

  const change = async (request: { set?: Record<string, string>; reset?: string[] }, action: string): Promise<void> => {
    if (!(await confirmWrite(profileOf(cluster), action))) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const configs = await engine.topics.alterConfigs({ cluster: cluster.ref, topic, ...request, confirmed: true });
      setOverview((current) => (current ? { ...current, configs } : current));
      setEditing(undefined);
      setAdding(false);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (): Promise<void> => {
    const go = await confirm({
      title: `Delete topic ${topic}?`,
      message: `Every record of ${topic} is deleted on ${cluster.label}, for good. Producers and pipelines writing to it may create it again.`,
      confirmLabel: 'Delete topic',
    });
    if (!go || !(await confirmWrite(profileOf(cluster), `delete topic ${topic}`))) return;
    setBusy(true);
    try {
      await engine.topics.delete({ cluster: cluster.ref, topic, confirmed: true });
      onDeleted();
    } catch (error) {
      setProblem(toProblem(error));
      setBusy(false);
    }
  };

  const configs = (overview?.configs ?? []).filter((entry) => !onlyOverrides || entry.source === 'topic');
  return (
    <section className="panel" aria-label={`Topic ${topic}`}>
      <header className="panel-header">
        <div>
          <h2 className="kafka-title">{topic}</h2>
          {overview && (
            <p className="muted small" data-testid="topic-summary">
              {overview.partitions.length} partitions · replication {overview.replicationFactor} · {formatOffset(overview.records)} records kept ·{' '}
              <span title={overview.sizeNote}>size: {overview.sizeBytes ?? 'not reported'}</span>
            </p>
          )}
        </div>
        <div className="actions">
          <a className="button-link" href={`#messages/${encodeURIComponent(topic)}`}>
            Open in Messages
          </a>
          <button type="button" onClick={load} disabled={busy}>
            Refresh
          </button>
          <button type="button" className="danger" onClick={() => void remove()} disabled={busy}>
            Delete…
          </button>
        </div>
      </header>
      <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
      {!overview && !problem && <p className="muted">Asking the cluster…</p>}
      {overview && (
        <>
          {overview.sizeNote && <p className="muted small">{overview.sizeNote}</p>}
          <h3>Partitions</h3>
          <table className="data-table" aria-label="Partitions">
            <thead>
              <tr>
                <th>Partition</th>
                <th className="num">Low offset</th>
                <th className="num">High offset</th>
                <th className="num">Records</th>
                <th>Leader</th>
                <th>Replicas</th>
                <th>In sync</th>
              </tr>
            </thead>
            <tbody>
              {overview.partitions.map((partition) => {
                const leader = overview.leaders.find((entry) => entry.partition === partition.partition);
                return (
                  <tr key={partition.partition}>
                    <td>{partition.partition}</td>
                    <td className="num">{formatOffset(partition.low)}</td>
                    <td className="num">{formatOffset(partition.high)}</td>
                    <td className="num">{formatOffset((BigInt(partition.high) - BigInt(partition.low)).toString())}</td>
                    <td>{leader?.leader ?? '–'}</td>
                    <td>{leader?.replicas.join(', ') ?? '–'}</td>
                    <td>{leader?.isr.join(', ') ?? '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="kafka-configs-header">
            <h3>Configs</h3>
            <label className="field-inline small">
              <input type="checkbox" checked={onlyOverrides} onChange={(event) => setOnlyOverrides(event.target.checked)} /> Only set on this topic
            </label>
            <button type="button" onClick={() => setAdding(true)} disabled={busy}>
              Set a config…
            </button>
          </div>
          {adding && <AddConfigForm configs={overview.configs} busy={busy} onCancel={() => setAdding(false)} onSave={(name, value) => void change({ set: { [name]: value } }, `set ${name} on topic ${topic}`)} />}
          <table className="data-table" aria-label="Configs">
            <thead>
              <tr>
                <th>Name</th>
                <th>Value</th>
                <th>Source</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {configs.map((entry) => (
                <ConfigRow
                  key={entry.name}
                  entry={entry}
                  editing={editing?.name === entry.name ? editing.value : undefined}
                  busy={busy}
                  onEdit={(value) => setEditing(value === undefined ? undefined : { name: entry.name, value })}
                  onSave={(value) => void change({ set: { [entry.name]: value } }, `set ${entry.name} on topic ${topic}`)}
                  onReset={() => void change({ reset: [entry.name] }, `reset ${entry.name} on topic ${topic}`)}
                />
              ))}
            </tbody>
          </table>
        </>
      )}
      {confirmDialog}
    </section>
  );
}

const SOURCE_LABELS: Record<TopicConfigEntry['source'], string> = { topic: 'topic', broker: 'broker', default: 'default', other: 'other' };

function ConfigRow({ entry, editing, busy, onEdit, onSave, onReset }: { entry: TopicConfigEntry; editing: string | undefined; busy: boolean; onEdit(value: string | undefined): void; onSave(value: string): void; onReset(): void }) {
  return (
    <tr data-testid={`config-${entry.name}`} className={entry.source === 'topic' ? 'config-override' : undefined}>
      <td>
        <code>{entry.name}</code>
      </td>
      <td>
        {editing === undefined ? (
          <span className="config-value">{entry.sensitive ? '(sensitive)' : entry.value}</span>
        ) : (
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              onSave(editing);
            }}
          >
            <input aria-label={`Value of ${entry.name}`} value={editing} onChange={(event) => onEdit(event.target.value)} autoFocus />
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => onEdit(undefined)}>
              Cancel
            </button>
          </form>
        )}
      </td>
      <td>
        <span className={entry.source === 'topic' ? 'badge badge-paused' : 'badge'}>{SOURCE_LABELS[entry.source]}</span>
      </td>
      <td className="row-actions">
        {!entry.readOnly && !entry.sensitive && editing === undefined && (
          <button type="button" className="link-button" onClick={() => onEdit(entry.value ?? '')} aria-label={`Edit ${entry.name}`}>
            Edit
          </button>
        )}
        {entry.source === 'topic' && editing === undefined && (
          <button type="button" className="link-button" onClick={onReset} disabled={busy} aria-label={`Reset ${entry.name} to the default`}>
            Reset
          </button>
        )}
      </td>
    </tr>
  );
}

function AddConfigForm({ configs, busy, onCancel, onSave }: { configs: TopicConfigEntry[]; busy: boolean; onCancel(): void; onSave(name: string, value: string): void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const known = configs.find((entry) => entry.name === name);
  return (
    <form
      className="inline-form kafka-add-config"
      aria-label="Set a config"
      onSubmit={(event) => {
        event.preventDefault();
        onSave(name.trim(), value);
      }}
    >
      <Field label="Config" hint={known ? `now ${known.value ?? '(sensitive)'} (${known.source})` : 'e.g. retention.ms'}>
        <input list="topic-config-names" value={name} onChange={(event) => setName(event.target.value)} />
      </Field>
      <datalist id="topic-config-names">
        {configs
          .filter((entry) => !entry.readOnly)
          .map((entry) => (
            <option key={entry.name} value={entry.name} />
          ))}
      </datalist>
      <Field label="Value">
        <input value={value} onChange={(event) => setValue(event.target.value)} />
      </Field>
      <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
        Set
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

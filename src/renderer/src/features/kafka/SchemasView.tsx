import { useEffect, useMemo, useState } from 'react';
import { type ClusterChoice, COMPATIBILITY_LEVEL_NAMES, type CompatibilityLevel, type RegistryRef, type SchemaDiff, type StoredProfile, type SubjectCompatibility, type SubjectVersion } from '../../../../shared/api';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { Field } from '../connections/Field';
import { type Problem, ProblemBox } from './KafkaPane';

interface RegistryChoice {
  key: string;
  label: string;
  ref: RegistryRef;
}

function registryKey(ref: RegistryRef): string {
  return ref.kind === 'url' ? `url:${ref.url}` : ref.kind === 'profile' ? `profile:${ref.profileId}` : `pipeline:${ref.pipeline}`;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text) as unknown, null, 2);
  } catch {
    return text;
  }
}

/** Subjects of a Schema Registry (the lab's default, a profile, or a URL): versions, a diff of any two, the compatibility level. */
export function SchemasView({ clusters, selected, onSelect }: { clusters: readonly ClusterChoice[]; selected: string | undefined; onSelect(subject: string): void }) {
  const [profiles, setProfiles] = useState<StoredProfile[]>([]);
  const [registry, setRegistry] = useState<string>('');
  const [customUrl, setCustomUrl] = useState('');
  const [search, setSearch] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>();

  useEffect(() => {
    engine.connections.list().then(
      (list) => setProfiles(list.filter((profile) => profile.kind === 'schemaRegistry')),
      (error: unknown) => setProblem(toProblem(error)),
    );
  }, []);

  const choices = useMemo(() => {
    const found: RegistryChoice[] = [];
    for (const profile of profiles) found.push({ key: `profile:${profile.id}`, label: `${profile.name} (profile)`, ref: { kind: 'profile', profileId: profile.id } });
    for (const cluster of clusters) {
      if (cluster.defaultRegistry?.kind === 'url' && !found.some((choice) => choice.key === registryKey(cluster.defaultRegistry as RegistryRef))) {
        found.push({ key: registryKey(cluster.defaultRegistry), label: `${cluster.defaultRegistry.url} (lab default)`, ref: cluster.defaultRegistry });
      }
    }
    found.push({ key: 'custom', label: 'Another URL…', ref: { kind: 'url', url: customUrl } });
    return found;
  }, [profiles, clusters, customUrl]);
  const chosen = choices.find((choice) => choice.key === registry) ?? choices[0];
  const ref = useMemo(() => (chosen?.key === 'custom' ? (customUrl.trim() === '' ? undefined : { kind: 'url' as const, url: customUrl.trim() }) : chosen?.ref), [chosen, customUrl]);
  const refKey = ref ? registryKey(ref) : '';
  const [loaded, setLoaded] = useState<{ key: string; subjects: string[] } | undefined>();
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!ref) return;
    let current = true;
    const key = registryKey(ref);
    engine.schemas.subjects(ref).then(
      (list) => {
        if (!current) return;
        setLoaded({ key, subjects: list });
        // A failure of the registry chosen before (e.g. the lab default while the demo is stopped) is no longer the news.
        setProblem(undefined);
      },
      (error: unknown) => {
        if (!current) return;
        setLoaded({ key, subjects: [] });
        setProblem(toProblem(error));
      },
    );
    return () => {
      current = false;
    };
  }, [ref, generation]);
  const subjects = loaded?.key === refKey ? loaded.subjects : undefined;
  const refresh = (): void => {
    setProblem(undefined);
    setLoaded(undefined);
    setGeneration((value) => value + 1);
  };

  const shown = (subjects ?? []).filter((subject) => subject.toLowerCase().includes(search.toLowerCase()));
  return (
    <div className="kafka-split">
      <section className="panel kafka-list" aria-label="Subjects">
        <Field label="Schema Registry">
          <select value={chosen?.key ?? ''} onChange={(event) => setRegistry(event.target.value)}>
            {choices.map((choice) => (
              <option key={choice.key} value={choice.key}>
                {choice.label}
              </option>
            ))}
          </select>
        </Field>
        {chosen?.key === 'custom' && (
          <Field label="Registry URL">
            <input value={customUrl} placeholder="http://localhost:8081" onChange={(event) => setCustomUrl(event.target.value)} />
          </Field>
        )}
        <div className="kafka-list-tools">
          <input aria-label="Search subjects" placeholder="Search subjects" value={search} onChange={(event) => setSearch(event.target.value)} />
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </div>
        <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
        {ref && !subjects && <p className="muted">Asking the registry…</p>}
        {subjects && shown.length === 0 && !problem && <p className="muted">{subjects.length === 0 ? 'This registry has no subjects.' : 'No subject matches.'}</p>}
        <ul className="kafka-items">
          {shown.map((subject) => (
            <li key={subject}>
              <button type="button" className={subject === selected ? 'kafka-item active' : 'kafka-item'} onClick={() => onSelect(subject)} data-testid="subject-item">
                <span className="kafka-item-name">{subject}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <div className="kafka-detail">
        {ref && selected ? <SubjectDetail key={`${registryKey(ref)} ${selected}`} registry={ref} subject={selected} /> : <p className="muted panel">Pick a subject to see its versions, diffs and compatibility level.</p>}
      </div>
    </div>
  );
}

function SubjectDetail({ registry, subject }: { registry: RegistryRef; subject: string }) {
  const [versions, setVersions] = useState<number[] | undefined>();
  const [version, setVersion] = useState<number | undefined>();
  const [schema, setSchema] = useState<SubjectVersion | undefined>();
  const [compatibility, setCompatibility] = useState<SubjectCompatibility | undefined>();
  const [from, setFrom] = useState<number | undefined>();
  const [to, setTo] = useState<number | undefined>();
  const [diff, setDiff] = useState<SchemaDiff | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const fail = (error: unknown): void => setProblem(toProblem(error));

  useEffect(() => {
    engine.schemas.versions(registry, subject).then((list) => {
      setVersions(list);
      const latest = list.at(-1);
      setVersion(latest);
      setTo(latest);
      setFrom(list.length > 1 ? list.at(-2) : latest);
    }, fail);
    engine.schemas.compatibility(registry, subject).then(setCompatibility, fail);
  }, [registry, subject]);
  useEffect(() => {
    if (version !== undefined) engine.schemas.get(registry, subject, version).then(setSchema, fail);
  }, [registry, subject, version]);

  const compare = (): void => {
    if (from === undefined || to === undefined) return;
    engine.schemas.diff(registry, subject, from, to).then(setDiff, fail);
  };
  const setLevel = (level: CompatibilityLevel): void => {
    engine.schemas.setCompatibility(registry, subject, level).then(setCompatibility, fail);
  };

  return (
    <section className="panel" aria-label={`Subject ${subject}`}>
      <header className="panel-header">
        <div>
          <h2 className="kafka-title">{subject}</h2>
          <p className="muted small" data-testid="subject-summary">
            {versions ? `${versions.length} version${versions.length === 1 ? '' : 's'}` : '…'}
            {schema ? ` · version ${schema.version} has id ${schema.id} · ${schema.schemaType}` : ''}
          </p>
        </div>
        {compatibility && (
          <Field label="Compatibility" hint={compatibility.own ? 'set on this subject' : `the registry's global level (${compatibility.global})`}>
            <select value={compatibility.level} onChange={(event) => setLevel(event.target.value as CompatibilityLevel)}>
              {COMPATIBILITY_LEVEL_NAMES.map((level) => (
                <option key={level}>{level}</option>
              ))}
            </select>
          </Field>
        )}
      </header>
      <ProblemBox problem={problem} onDismiss={() => setProblem(undefined)} />
      {versions && (
        <>
          <div className="control-row">
            <Field label="Version">
              <select value={version} onChange={(event) => setVersion(Number(event.target.value))}>
                {versions.map((entry) => (
                  <option key={entry} value={entry}>
                    {entry}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          {schema && (
            <pre className="schema-text" aria-label={`Schema version ${schema.version}`}>
              {prettyJson(schema.schema)}
            </pre>
          )}
          <h3>Compare versions</h3>
          <form
            className="control-row"
            aria-label="Compare versions"
            onSubmit={(event) => {
              event.preventDefault();
              compare();
            }}
          >
            <Field label="From">
              <select value={from} onChange={(event) => setFrom(Number(event.target.value))}>
                {versions.map((entry) => (
                  <option key={entry} value={entry}>
                    {entry}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="To">
              <select value={to} onChange={(event) => setTo(Number(event.target.value))}>
                {versions.map((entry) => (
                  <option key={entry} value={entry}>
                    {entry}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" className="primary">
              Show diff
            </button>
          </form>
          {diff && <DiffView diff={diff} />}
        </>
      )}
    </section>
  );
}

function DiffView({ diff }: { diff: SchemaDiff }) {
  const changed = diff.lines.some((line) => line.kind !== 'same');
  return (
    <div className="schema-diff" aria-label={`Diff of versions ${diff.from.version} and ${diff.to.version}`} data-testid="schema-diff">
      {diff.changes.length > 0 && (
        <ul className="diff-changes">
          {diff.changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
      )}
      {!changed && <p className="muted">Versions {diff.from.version} and {diff.to.version} are the same schema.</p>}
      <pre className="diff-lines">
        {diff.lines.map((line, index) => (
          <div key={index} className={`diff-line diff-${line.kind}`}>
            <span className="diff-gutter">{line.fromLine ?? ''}</span>
            <span className="diff-gutter">{line.toLine ?? ''}</span>
            <span className="diff-mark">{line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' '}</span>
            <span>{line.text}</span>
          </div>
        ))}
      </pre>
    </div>
  );
}

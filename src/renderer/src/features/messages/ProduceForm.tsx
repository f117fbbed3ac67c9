import { useEffect, useState } from 'react';
import type { ProduceResult } from '../../../../shared/api';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { confirmWrite } from '../connections/confirmWrite';
import { Field } from '../connections/Field';
import { registryFor, selectedCluster, useMessagesStore } from './messagesStore';

type Format = 'avro' | 'json' | 'text';

/** A test record: Avro-encoded with a subject's schema and validated in the engine before it is sent. */
export function ProduceForm() {
  const state = useMessagesStore();
  const cluster = selectedCluster(state);
  const registry = registryFor(state);
  const topic = state.query.topic.trim();
  const [format, setFormat] = useState<Format>('avro');
  const [subject, setSubject] = useState('');
  const [subjects, setSubjects] = useState<string[]>([]);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('{\n  \n}');
  const [headers, setHeaders] = useState('');
  const [result, setResult] = useState<ProduceResult | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (format !== 'avro' || !registry) return;
    let live = true;
    engine.schemas.subjects(registry).then(
      (list) => live && setSubjects(list),
      () => live && setSubjects([]),
    );
    return () => {
      live = false;
    };
    // The registry object is rebuilt each render; its identity is its JSON.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [format, JSON.stringify(registry)]);

  const fillFromSchema = async (): Promise<void> => {
    if (!registry) return;
    try {
      const found = await engine.schemas.get(registry, subject || `${topic}-value`);
      const schema = JSON.parse(found.schema) as { fields?: { name: string; type: unknown; default?: unknown }[] };
      const skeleton = Object.fromEntries((schema.fields ?? []).map((field) => [field.name, field.default ?? (Array.isArray(field.type) && field.type.includes('null') ? null : '')]));
      setValue(JSON.stringify(skeleton, null, 2));
      setProblem(undefined);
    } catch (error) {
      setProblem(toProblem(error).message);
    }
  };

  const send = async (dryRun: boolean): Promise<void> => {
    if (!cluster || !topic) {
      setProblem('Choose a cluster and a topic above first.');
      return;
    }
    setBusy(true);
    setProblem(undefined);
    setResult(undefined);
    try {
      const profileId = cluster.ref.kind === 'profile' ? cluster.ref.profileId : undefined;
      const confirmed = dryRun ? false : await confirmWrite(profileId, `produce a test record to topic ${topic}`);
      if (!dryRun && profileId && !confirmed) return;
      const parsedHeaders = headers
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const at = line.indexOf('=');
          return at < 0 ? { name: line, value: '' } : { name: line.slice(0, at).trim(), value: line.slice(at + 1).trim() };
        });
      setResult(
        await engine.topics.produce({
          cluster: cluster.ref,
          topic,
          format,
          value,
          ...(key ? { key } : {}),
          headers: parsedHeaders,
          ...(format === 'avro' && registry ? { registry } : {}),
          ...(format === 'avro' && subject ? { subject } : {}),
          dryRun,
          confirmed,
        }),
      );
    } catch (error) {
      setProblem(toProblem(error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="panel produce">
      <summary>Produce a test record{topic ? ` to ${topic}` : ''}</summary>
      <div className="produce-grid">
        <Field label="Format">
          <select value={format} onChange={(event) => setFormat(event.target.value as Format)}>
            <option value="avro">Avro (Schema Registry)</option>
            <option value="json">JSON</option>
            <option value="text">Text</option>
          </select>
        </Field>
        {format === 'avro' && (
          <>
          <Field label="Subject">
            <input list="produce-subjects" value={subject} placeholder={topic ? `${topic}-value` : 'topic-value'} onChange={(event) => setSubject(event.target.value)} />
          </Field>
            <datalist id="produce-subjects">
              {subjects.map((name) => (
                <option key={name} value={name} />
              ))}
            </datalist>
          </>
        )}
        <Field label="Key (text, optional)">
          <input value={key} onChange={(event) => setKey(event.target.value)} />
        </Field>
        <Field label="{format === 'text' ? 'Value' : 'Value (JSON)'}" className="wide">
          <textarea rows={6} value={value} spellCheck={false} onChange={(event) => setValue(event.target.value)} />
        </Field>
        <Field label="Headers (name=value per line)">
          <textarea rows={3} value={headers} spellCheck={false} onChange={(event) => setHeaders(event.target.value)} />
        </Field>
      </div>
      <div className="editor-actions">
        {format === 'avro' && (
          <button type="button" onClick={() => void fillFromSchema()} disabled={!registry || busy}>
            Fill from schema
          </button>
        )}
        <button type="button" onClick={() => void send(true)} disabled={busy}>
          Validate
        </button>
        <button type="button" className="primary" onClick={() => void send(false)} disabled={busy}>
          {busy ? 'Sending…' : 'Send record'}
        </button>
        {format === 'avro' && !registry && <span className="muted small">Choose a Schema Registry above to encode Avro.</span>}
      </div>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      {result && !result.valid && (
        <div className="problem" role="alert">
          <strong>Not sent: the record does not fit the schema{result.schemaId !== undefined ? ` (id ${result.schemaId})` : ''}</strong>
          <ul>
            {result.problems.map((item) => (
              <li key={`${item.path}-${item.message}`}>
                <code>{item.path}</code>: {item.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result?.valid && (
        <p className="produce-ok" role="status">
          {result.offset === undefined ? 'Valid: the record fits the schema.' : `Sent to partition ${result.partition ?? '?'} at offset ${result.offset}.`}
          {result.schemaId !== undefined ? ` Schema id ${result.schemaId}.` : ''}
        </p>
      )}
    </details>
  );
}

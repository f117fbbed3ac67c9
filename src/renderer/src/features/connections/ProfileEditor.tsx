import type { DatabaseProduct, StoredProfile } from '../../../../shared/api';
import { useConnectionsStore } from './connectionsStore';
import { Field, FieldGroup } from './Field';
import { DEFAULT_PORTS, type FormState, KIND_LABELS, PRODUCT_LABELS, secretLabel } from './profileForm';
import { TestResults } from './TestResults';

/** The form of one profile: kind, connection fields, secret, environment colour; Test, Save and Delete. */
export function ProfileEditor({ registries }: { registries: StoredProfile[] }) {
  const { form, secret, dirty, busy, testResult, problem, notice, storage, profiles, edit, setSecret, save, test, remove, dismiss } = useConnectionsStore();
  const stored = form.id ? profiles.find((profile) => profile.id === form.id) : undefined;
  const fieldError = (field: string): string | undefined => problem?.fields?.find((item) => item.field === field)?.message;
  const text = (field: keyof FormState, placeholder = '') => ({
    value: String(form[field] ?? ''),
    placeholder,
    onChange: (event: { target: { value: string } }) => edit({ [field]: event.target.value } as Partial<FormState>),
  });
  const kafkaSasl = form.kind === 'kafka' && (form.preset === 'confluentCloud' || form.securityProtocol.startsWith('SASL_'));
  const needsSecret = form.kind === 'database' || kafkaSasl || ((form.kind === 'schemaRegistry' || form.kind === 'connect') && form.basicAuthUser.trim() !== '');

  return (
    <form
      className={`panel profile-editor editor-env-${form.environment}`}
      aria-label="Profile"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <header className="panel-header">
        <h2>{form.id ? `Edit ${stored?.name ?? form.name}` : `New ${KIND_LABELS[form.kind]} profile`}</h2>
        {form.environment === 'prod' && <span className="badge badge-failed">PRODUCTION</span>}
      </header>

      {!form.id && (
        <div className="segmented" role="radiogroup" aria-label="Profile kind">
          {(['kafka', 'schemaRegistry', 'database', 'connect'] as const).map((kind) => (
            <button key={kind} type="button" role="radio" aria-checked={form.kind === kind} className={form.kind === kind ? 'active' : ''} onClick={() => edit({ kind })}>
              {KIND_LABELS[kind]}
            </button>
          ))}
        </div>
      )}

      <div className="form-grid">
        <Field label="Name" error={fieldError('name')}>
          <input {...text('name', form.kind === 'database' ? 'orders-db (staging)' : form.kind === 'kafka' ? 'orders cluster' : form.kind === 'connect' ? 'connect (staging)' : 'registry')} />
        </Field>
        <FieldGroup label="Environment" hint="prod asks before anything writes through this profile">
          <div className="env-picker" role="radiogroup" aria-label="Environment">
            {(['dev', 'test', 'prod'] as const).map((environment) => (
              <button key={environment} type="button" role="radio" aria-checked={form.environment === environment} className={`env-choice choice-${environment} ${form.environment === environment ? 'active' : ''}`} onClick={() => edit({ environment })}>
                {environment}
              </button>
            ))}
          </div>
        </FieldGroup>

        {form.kind === 'kafka' && (
          <>
            <Field label="Preset">
              <select value={form.preset} onChange={(event) => edit({ preset: event.target.value as FormState['preset'] })}>
                <option value="custom">Self-managed / local Kafka</option>
                <option value="confluentCloud">Confluent Cloud (API key + secret)</option>
              </select>
            </Field>
            <Field label="Bootstrap servers" error={fieldError('bootstrapServers')} hint="host:port, comma-separated">
              <input {...text('bootstrapServers', form.preset === 'confluentCloud' ? 'pkc-xxxxx.westeurope.azure.confluent.cloud:9092' : '127.0.0.1:19092')} />
            </Field>
            {form.preset === 'custom' && (
              <Field label="Security protocol" error={fieldError('securityProtocol')}>
                <select value={form.securityProtocol} onChange={(event) => edit({ securityProtocol: event.target.value as FormState['securityProtocol'] })}>
                  <option value="PLAINTEXT">PLAINTEXT</option>
                  <option value="SSL">SSL</option>
                  <option value="SASL_PLAINTEXT">SASL_PLAINTEXT</option>
                  <option value="SASL_SSL">SASL_SSL</option>
                </select>
              </Field>
            )}
            {form.preset === 'custom' && kafkaSasl && (
              <Field label="SASL mechanism">
                <select value={form.saslMechanism} onChange={(event) => edit({ saslMechanism: event.target.value as FormState['saslMechanism'] })}>
                  <option value="PLAIN">PLAIN</option>
                  <option value="SCRAM-SHA-256">SCRAM-SHA-256</option>
                  <option value="SCRAM-SHA-512">SCRAM-SHA-512</option>
                </select>
              </Field>
            )}
            {kafkaSasl && (
              <Field label={form.preset === 'confluentCloud' ? 'API key' : 'SASL user name'} error={fieldError('saslUsername')}>
                <input {...text('saslUsername')} autoComplete="off" />
              </Field>
            )}
            {form.preset === 'custom' && form.securityProtocol.endsWith('SSL') && (
              <Field label="CA certificate (PEM, optional)" error={fieldError('sslCaPem')} hint="only for brokers signed by a private CA">
                <textarea rows={3} {...text('sslCaPem', '-----BEGIN CERTIFICATE-----')} />
              </Field>
            )}
            <Field label="Schema Registry profile" hint="decodes this cluster's Avro records in the message viewer">
              <select value={form.schemaRegistryProfileId} onChange={(event) => edit({ schemaRegistryProfileId: event.target.value })}>
                <option value="">None</option>
                {registries.map((registry) => (
                  <option key={registry.id} value={registry.id}>
                    {registry.name}
                  </option>
                ))}
              </select>
            </Field>
          </>
        )}

        {form.kind === 'schemaRegistry' && (
          <>
            <Field label="URL" error={fieldError('url')}>
              <input {...text('url', 'https://psrc-xxxxx.westeurope.azure.confluent.cloud')} />
            </Field>
            <Field label="Basic auth user (optional)" error={fieldError('basicAuthUser')} hint="Confluent Cloud: the Schema Registry API key">
              <input {...text('basicAuthUser')} autoComplete="off" />
            </Field>
          </>
        )}

        {form.kind === 'connect' && (
          <>
            <Field label="REST URL" error={fieldError('url')} hint="Any worker of the cluster; the lab's is http://127.0.0.1:18083">
              <input {...text('url', 'http://connect-1:8083')} spellCheck={false} />
            </Field>
            <Field label="Basic auth user (optional)" error={fieldError('basicAuthUser')} hint="If the REST API asks for credentials (BasicAuthSecurityRestExtension)">
              <input {...text('basicAuthUser')} autoComplete="off" spellCheck={false} />
            </Field>
          </>
        )}

        {form.kind === 'database' && (
          <>
            <Field label="Database system">
              <select
                value={form.product}
                onChange={(event) => {
                  const product = event.target.value as DatabaseProduct;
                  edit({ product, ...(form.port === DEFAULT_PORTS[form.product] || form.port === '' ? { port: DEFAULT_PORTS[product] } : {}) });
                }}
              >
                {(['mysql', 'postgres', 'sqlserver'] as const).map((product) => (
                  <option key={product} value={product}>
                    {PRODUCT_LABELS[product]}
                  </option>
                ))}
              </select>
            </Field>
            <div className="field-pair">
              <Field label="Host" error={fieldError('host')}>
                <input {...text('host', '127.0.0.1')} />
              </Field>
              <Field label="Port" error={fieldError('port')}>
                <input inputMode="numeric" {...text('port')} />
              </Field>
            </div>
            <Field label="Database" error={fieldError('database')}>
              <input {...text('database', 'shop')} />
            </Field>
            <Field label="User" error={fieldError('user')}>
              <input {...text('user')} autoComplete="off" />
            </Field>
            <Field label="TLS">
              <select value={form.tls} onChange={(event) => edit({ tls: event.target.value as FormState['tls'] })}>
                <option value="disable">Off</option>
                <option value="require">Require (encrypt, accept any certificate)</option>
                <option value="verify">Verify (encrypt and check the certificate)</option>
              </select>
            </Field>
            <Field label="Tables to check (optional)" error={fieldError('checkTables')} hint="Test checks it may SELECT from each, e.g. orders, public.customers">
              <input {...text('checkTables')} />
            </Field>
          </>
        )}

        {needsSecret && (
          <Field
            label={secretLabel(form)}
            hint={
              stored?.hasSecret
                ? 'Stored. Leave empty to keep it, or type a new one.'
                : storage?.mode === 'memory'
                  ? 'Kept only in the engine’s memory (see above).'
                  : 'Stored encrypted or in a file only you can read (see above).'
            }
          >
            <input type="password" value={secret} autoComplete="new-password" onChange={(event) => setSecret(event.target.value)} placeholder={stored?.hasSecret ? '•••••••• (stored)' : ''} />
          </Field>
        )}
      </div>

      <div className="editor-actions">
        <button type="button" onClick={() => void test()} disabled={busy !== undefined}>
          {busy === 'test' ? (
            <span className="progress-text">
              <span className="spinner" aria-hidden="true" /> Testing…
            </span>
          ) : (
            'Test connection'
          )}
        </button>
        <button type="submit" className="primary" disabled={busy !== undefined || (!dirty && form.id !== undefined)}>
          {busy === 'save' ? 'Saving…' : 'Save'}
        </button>
        {form.id && (
          <button
            type="button"
            className="danger"
            disabled={busy !== undefined}
            onClick={() => {
              if (window.confirm(`Delete the profile "${form.name}"? Its stored secret goes too.`)) void remove();
            }}
          >
            Delete
          </button>
        )}
        <span className="status-line" aria-live="polite">
          {notice}
        </span>
      </div>

      {problem && (
        <div className="problem" role="alert">
          <strong>{problem.code}</strong>
          {problem.fields ? (
            <ul>
              {problem.fields.map((item) => (
                <li key={`${item.field}-${item.message}`}>{item.message}</li>
              ))}
            </ul>
          ) : (
            <p>{problem.message}</p>
          )}
          <button type="button" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      )}
      {testResult && <TestResults result={testResult} />}
    </form>
  );
}

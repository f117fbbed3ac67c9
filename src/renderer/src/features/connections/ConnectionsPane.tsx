import { useEffect, useRef } from 'react';
import type { StoredProfile } from '../../../../shared/api';
import { useConnectionsStore } from './connectionsStore';
import { KIND_LABELS, PRODUCT_LABELS } from './profileForm';
import { ProfileEditor } from './ProfileEditor';
import './connections.css';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Saved connections to Kafka, Schema Registries and databases, each with a Test that names what fails. */
/** Whether the profile logs in with a secret (a database user, SASL, registry basic auth). */
function needsSecret(profile: StoredProfile): boolean {
  return profile.kind === 'database' ? profile.user !== '' : profile.kind === 'kafka' ? Boolean(profile.saslUsername) : Boolean(profile.basicAuthUser);
}

/** The last Test's outcome beside the environment colour, so "prod" and "failing" never share one dot. */
function TestMark({ result }: { result: { ok: boolean; code?: string; at: number } | undefined }) {
  if (!result) return <span className="test-mark untested" title="Not tested in this session" aria-label="not tested" />;
  const when = new Date(result.at).toLocaleTimeString();
  return (
    <span className={`test-mark ${result.ok ? 'ok' : 'failed'}`} title={result.ok ? `Last Test passed (${when})` : `Last Test failed: ${result.code ?? 'error'} (${when})`} aria-label={result.ok ? 'last test passed' : 'last test failed'}>
      {result.ok ? '✓' : '✗'}
    </span>
  );
}

export function ConnectionsPane() {
  const { profiles, loaded, storage, form, busy, lastTests, connect, select, startNew, setStorage, exportProfiles, importProfiles } = useConnectionsStore();
  useEffect(() => connect(), [connect]);
  const importInput = useRef<HTMLInputElement>(null);
  const registries = profiles.filter((profile) => profile.kind === 'schemaRegistry');

  return (
    <div className="pane connections-pane">
      <header className="pane-header">
        <div>
          <h1>Connections</h1>
          <p className="muted">Kafka clusters, Schema Registries and databases you work with. Test tells you exactly what fails and how long each step took.</p>
        </div>
        <div className="actions">
          <button type="button" onClick={() => startNew(form.kind)}>
            New profile
          </button>
          <button
            type="button"
            disabled={busy !== undefined || profiles.length === 0}
            onClick={() => void exportProfiles().then((text) => text && download(`ferry-profiles-${new Date().toISOString().slice(0, 10)}.json`, text))}
          >
            Export
          </button>
          <button type="button" disabled={busy !== undefined} onClick={() => importInput.current?.click()}>
            Import…
          </button>
          <input
            ref={importInput}
            type="file"
            accept="application/json,.json"
            className="visually-hidden"
            aria-label="Import profiles file"
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) void file.text().then(importProfiles);
              event.target.value = '';
            }}
          />
        </div>
      </header>

      {storage && (
        <section className={`secret-storage storage-${storage.mode}`} aria-label="Where secrets are kept" data-testid="secret-storage">
          <div>
            <strong>{storage.mode === 'os' ? 'Secrets encrypted by the OS keychain' : storage.mode === 'file' ? 'Secrets in a file only you can read' : 'Secrets kept in memory only'}</strong>
            <p className="muted small">
              {storage.description}
              {storage.file ? ` (${storage.file})` : ''} Exports never contain secrets.
            </p>
          </div>
          {storage.available.includes('file') && (
            <label className="toggle">
              <input type="checkbox" checked={storage.mode === 'file'} onChange={(event) => void setStorage(event.target.checked ? 'file' : 'memory')} />
              Keep secrets in a file readable only by me (0600, not encrypted)
            </label>
          )}
        </section>
      )}

      <div className="connections-layout">
        <nav className="panel profile-list" aria-label="Saved profiles">
          {!loaded && <p className="muted">Asking the engine…</p>}
          {loaded && profiles.length === 0 && (
            <div className="empty-state compact">
              <h2>No profiles yet</h2>
              <p className="muted small">Fill in the form to add your first connection, press Test, then Save. Or import a file exported from another machine.</p>
            </div>
          )}
          {(['kafka', 'schemaRegistry', 'database', 'connect'] as const).map((kind) => {
            const ofKind = profiles.filter((profile) => profile.kind === kind);
            if (ofKind.length === 0) return null;
            return (
              <div key={kind} className="profile-group">
                <h3 className="group-title">{KIND_LABELS[kind]}</h3>
                <ul>
                  {ofKind.map((profile) => (
                    <li key={profile.id}>
                      <button type="button" className={`profile-item ${profile.id === form.id ? 'active' : ''}`} aria-current={profile.id === form.id ? 'true' : undefined} onClick={() => select(profile.id)}>
                        <span className={`env-dot dot-${profile.environment}`} aria-label={profile.environment} title={profile.environment} />
                        <TestMark result={lastTests[profile.id]} />
                        <span className="profile-name">{profile.name}</span>
                        <span className="profile-meta">
                          {profile.kind === 'database' ? PRODUCT_LABELS[profile.product] : profile.kind === 'kafka' ? (profile.preset === 'confluentCloud' ? 'Confluent Cloud' : profile.securityProtocol) : new URL(profile.url).host}
                          {!profile.hasSecret && needsSecret(profile) ? ' · password not stored' : ''}
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </nav>
        <ProfileEditor registries={registries} />
      </div>
    </div>
  );
}

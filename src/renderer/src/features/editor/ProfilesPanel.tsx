import type { LabStatus, StoredProfile } from '../../../../shared/api';
import { applyProfile, fillFromLab, type ProfileSlot, profileSlots } from './profileText';

const PRODUCT_LABEL = { mysql: 'MySQL/MariaDB', postgres: 'PostgreSQL', sqlserver: 'SQL Server' } as const;
const KIND_OF_SLOT = { kafka: 'kafka', schemaRegistry: 'schemaRegistry', database: 'database' } as const;

interface Choice {
  value: string;
  label: string;
}

function labChoices(slot: ProfileSlot, lab: LabStatus | undefined): Choice[] {
  const running = (name: string): boolean => lab?.services.some((service) => service.name === name && service.state === 'running') ?? false;
  if (slot.kind === 'kafka') {
    return (['a', 'b'] as const).filter((cluster) => running(`kafka-${cluster}`)).map((cluster) => ({ value: `lab:kafka-${cluster}`, label: `Lab Kafka "${cluster}" (${lab?.endpoints.kafka[cluster].bootstrap ?? ''})` }));
  }
  if (slot.kind === 'schemaRegistry') {
    return (['a', 'b'] as const)
      .filter((cluster) => running(`registry-${cluster}`) && lab?.endpoints.kafka[cluster].schemaRegistry !== undefined)
      .map((cluster) => ({ value: `lab:registry-${cluster}`, label: `Lab Schema Registry "${cluster}" (${lab?.endpoints.kafka[cluster].schemaRegistry?.url ?? ''})` }));
  }
  if (slot.kind !== 'database') return [];
  const out: Choice[] = [];
  if (slot.product !== 'postgres' && slot.product !== 'sqlserver' && running('mariadb') && lab) out.push({ value: 'lab:mariadb', label: `Lab MariaDB (${lab.endpoints.mariadb.host}:${lab.endpoints.mariadb.port})` });
  if (slot.product !== 'mysql' && slot.product !== 'sqlserver' && running('postgres') && lab) out.push({ value: 'lab:postgres', label: `Lab PostgreSQL (${lab.endpoints.postgres.host}:${lab.endpoints.postgres.port})` });
  return out;
}

function profileChoices(slot: ProfileSlot, profiles: readonly StoredProfile[]): Choice[] {
  return profiles
    .filter((profile) => profile.kind === KIND_OF_SLOT[slot.kind])
    .filter((profile) => profile.kind !== 'database' || slot.product === undefined || profile.product === slot.product)
    .map((profile) => {
      const needsSecret = profile.kind === 'database' ? profile.user !== '' : profile.kind === 'kafka' ? Boolean(profile.saslUsername) : Boolean(profile.basicAuthUser);
      return { value: profile.name, label: `${profile.name} (${profile.environment})${needsSecret && !profile.hasSecret ? ' · password not stored' : ''}` };
    });
}

/**
 * The Connections tab of the editor: for the Kafka cluster, the Schema Registry and each connector, a profile to take
 * the connection and credentials from (saved profiles and the running lab's services), and "Fill from the lab".
 */
export function ProfilesPanel({
  text,
  currentText,
  profiles,
  lab,
  onChange,
}: {
  text: string;
  /** The editor's text now: `text` is the last validated one, which lags behind typing and pasting. */
  currentText: () => string;
  profiles: readonly StoredProfile[];
  lab: LabStatus | undefined;
  onChange: (text: string, note: string) => void;
}) {
  const slots = profileSlots(text);
  if (!slots) return <p className="muted">The file is not valid JSON yet; fix it to pick profiles.</p>;
  const fill = (): void => {
    const filled = fillFromLab(currentText());
    if (!filled) return;
    onChange(filled.text, `Filled from the lab: the file names the lab's services (lab:…), resolved when it runs.${filled.skipped.length > 0 ? ` Not filled (no lab service for them): ${filled.skipped.join(', ')}.` : ''}`);
  };
  const labUp = lab?.services.some((service) => service.state === 'running') ?? false;
  return (
    <div className="profiles-panel" data-testid="profiles-panel">
      <p className="muted small">
        Name a profile instead of writing hosts and passwords: the file then holds no secret, and <code>ferry run</code> and the app take the connection from the profile (<code>"ferry.profile"</code>) when it runs.
      </p>
      <div className="preview-toolbar">
        <button type="button" onClick={fill} disabled={!labUp} title={labUp ? 'Use the running lab\'s Kafka, MariaDB and PostgreSQL' : 'The lab is not running'}>
          Fill from the lab
        </button>
        {!labUp && <span className="muted small">The lab is not running (Lab pane).</span>}
      </div>
      <ul className="profile-slots">
        {slots.map((slot) => {
          const choices = [...profileChoices(slot, profiles), ...labChoices(slot, lab)];
          const known = slot.current === undefined || choices.some((choice) => choice.value === slot.current);
          return (
            <li key={slot.id} className="profile-slot">
              <label>
                <span className="profile-slot-label">
                  {slot.label}
                  <span className="muted small"> {slot.kind === 'database' ? (slot.product ? PRODUCT_LABEL[slot.product] : 'database') : slot.kind === 'kafka' ? 'Kafka' : 'registry'}</span>
                </span>
                <select
                  aria-label={`Use profile for ${slot.label}`}
                  value={slot.current ?? ''}
                  onChange={(event) => {
                    const value = event.target.value === '' ? undefined : event.target.value;
                    const next = applyProfile(currentText(), slot.id, value);
                    if (next) onChange(next, value ? `${slot.label} uses profile "${value}".` : `${slot.label} no longer names a profile: write its connection keys.`);
                  }}
                >
                  <option value="">{slot.current ? 'No profile (write the keys)' : 'Keys in the file'}</option>
                  {!known && slot.current && <option value={slot.current}>{slot.current} (not found)</option>}
                  {choices.map((choice) => (
                    <option key={choice.value} value={choice.value}>
                      {choice.label}
                    </option>
                  ))}
                </select>
              </label>
            </li>
          );
        })}
      </ul>
      {profiles.length === 0 && (
        <p className="muted small">
          No saved profile yet: create one in <a href="#connections">Connections</a>.
        </p>
      )}
    </div>
  );
}

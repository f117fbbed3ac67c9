import type { DatabaseProduct, ProfileDraft, ProfileKind, StoredProfile } from '../../../../shared/api';

/** The form's state: every field as text, so inputs stay controlled; converted to a ProfileDraft on save or test. */
export interface FormState {
  id?: string;
  kind: ProfileKind;
  name: string;
  environment: 'dev' | 'test' | 'prod';
  notes: string;
  // kafka
  preset: 'custom' | 'confluentCloud';
  bootstrapServers: string;
  securityProtocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  saslMechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  saslUsername: string;
  sslCaPem: string;
  schemaRegistryProfileId: string;
  // schema registry, Kafka Connect
  url: string;
  basicAuthUser: string;
  // database
  product: DatabaseProduct;
  host: string;
  port: string;
  database: string;
  user: string;
  tls: 'disable' | 'require' | 'verify';
  checkTables: string;
}

export const DEFAULT_PORTS: Record<DatabaseProduct, string> = { mysql: '3306', postgres: '5432', sqlserver: '1433' };

export function emptyForm(kind: ProfileKind = 'kafka'): FormState {
  return {
    kind,
    name: '',
    environment: 'dev',
    notes: '',
    preset: 'custom',
    bootstrapServers: '',
    securityProtocol: 'PLAINTEXT',
    saslMechanism: 'PLAIN',
    saslUsername: '',
    sslCaPem: '',
    schemaRegistryProfileId: '',
    url: '',
    basicAuthUser: '',
    product: 'postgres',
    host: '',
    port: DEFAULT_PORTS.postgres,
    database: '',
    user: '',
    tls: 'disable',
    checkTables: '',
  };
}

export function formFromProfile(profile: StoredProfile): FormState {
  const form: FormState = { ...emptyForm(profile.kind), id: profile.id, name: profile.name, environment: profile.environment, notes: profile.notes ?? '' };
  switch (profile.kind) {
    case 'kafka':
      return {
        ...form,
        preset: profile.preset,
        bootstrapServers: profile.bootstrapServers,
        securityProtocol: profile.securityProtocol,
        saslMechanism: profile.saslMechanism ?? 'PLAIN',
        saslUsername: profile.saslUsername ?? '',
        sslCaPem: profile.sslCaPem ?? '',
        schemaRegistryProfileId: profile.schemaRegistryProfileId ?? '',
      };
    case 'schemaRegistry':
    case 'connect':
      return { ...form, url: profile.url, basicAuthUser: profile.basicAuthUser ?? '' };
    case 'database':
      return {
        ...form,
        product: profile.product,
        host: profile.host,
        port: String(profile.port),
        database: profile.database,
        user: profile.user,
        tls: profile.tls,
        checkTables: (profile.checkTables ?? []).join(', '),
      };
  }
}

export function draftFromForm(form: FormState): ProfileDraft {
  const common = { ...(form.id ? { id: form.id } : {}), name: form.name, environment: form.environment, ...(form.notes.trim() ? { notes: form.notes } : {}) };
  switch (form.kind) {
    case 'kafka':
      return {
        ...common,
        kind: 'kafka',
        preset: form.preset,
        bootstrapServers: form.bootstrapServers,
        securityProtocol: form.securityProtocol,
        saslMechanism: form.saslMechanism,
        saslUsername: form.saslUsername,
        ...(form.sslCaPem.trim() ? { sslCaPem: form.sslCaPem } : {}),
        ...(form.schemaRegistryProfileId ? { schemaRegistryProfileId: form.schemaRegistryProfileId } : {}),
      };
    case 'schemaRegistry':
      return { ...common, kind: 'schemaRegistry', url: form.url, ...(form.basicAuthUser.trim() ? { basicAuthUser: form.basicAuthUser } : {}) };
    case 'connect':
      return { ...common, kind: 'connect', url: form.url, ...(form.basicAuthUser.trim() ? { basicAuthUser: form.basicAuthUser } : {}) };
    case 'database':
      return {
        ...common,
        kind: 'database',
        product: form.product,
        host: form.host,
        port: Number(form.port),
        database: form.database,
        user: form.user,
        tls: form.tls,
        checkTables: form.checkTables.split(',').map((table) => table.trim()).filter(Boolean),
      };
  }
}

/** What the secret field is called for this profile, so the label says exactly what to paste. */
export function secretLabel(form: FormState): string {
  if (form.kind === 'database') return 'Password';
  if (form.kind === 'schemaRegistry') return form.basicAuthUser ? 'Password / API secret' : 'Password (only with basic auth)';
  if (form.kind === 'connect') return form.basicAuthUser ? 'Basic auth password' : 'Password (only with basic auth)';
  if (form.preset === 'confluentCloud') return 'API secret';
  return form.securityProtocol.startsWith('SASL_') ? 'SASL password' : 'Password (only with SASL)';
}

export const KIND_LABELS: Record<ProfileKind, string> = { kafka: 'Kafka', schemaRegistry: 'Schema Registry', database: 'Database', connect: 'Kafka Connect' };
export const PRODUCT_LABELS: Record<DatabaseProduct, string> = { mysql: 'MySQL / MariaDB', postgres: 'PostgreSQL', sqlserver: 'SQL Server' };

import type { Event } from '../event';

/** Environment colour of a profile, as DBeaver's connection types: prod asks before anything writes to it. */
export type ProfileEnvironment = 'dev' | 'test' | 'prod';
export const PROFILE_ENVIRONMENTS: readonly ProfileEnvironment[] = ['dev', 'test', 'prod'];

export type ProfileKind = 'kafka' | 'schemaRegistry' | 'database' | 'connect';

export type KafkaSecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type KafkaSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** `mysql` covers MariaDB too (same protocol and driver). */
export type DatabaseProduct = 'mysql' | 'postgres' | 'sqlserver';

/** TLS to a database: off, encrypted without checking the certificate (self-signed test servers), or verified. */
export type DatabaseTlsMode = 'disable' | 'require' | 'verify';

interface ProfileCommon {
  /** Stable id the engine assigns; absent in a draft that was never saved. */
  id: string;
  name: string;
  environment: ProfileEnvironment;
  notes?: string;
}

export interface KafkaProfile extends ProfileCommon {
  kind: 'kafka';
  /** `confluentCloud` fixes SASL_SSL + PLAIN and calls the credentials API key and secret. */
  preset: 'custom' | 'confluentCloud';
  /** Comma-separated host:port list. */
  bootstrapServers: string;
  securityProtocol: KafkaSecurityProtocol;
  saslMechanism?: KafkaSaslMechanism;
  /** SASL user name (Confluent Cloud: the API key). The password/API secret is the profile's secret. */
  saslUsername?: string;
  /** PEM of a private CA the brokers' certificates chain to. */
  sslCaPem?: string;
  /** Schema Registry profile used to decode this cluster's Avro records. */
  schemaRegistryProfileId?: string;
}

export interface SchemaRegistryProfile extends ProfileCommon {
  kind: 'schemaRegistry';
  url: string;
  /** Basic-auth user (Confluent Cloud: the Schema Registry API key). The password/secret is the profile's secret. */
  basicAuthUser?: string;
}

export interface DatabaseProfile extends ProfileCommon {
  kind: 'database';
  product: DatabaseProduct;
  host: string;
  port: number;
  database: string;
  user: string;
  tls: DatabaseTlsMode;
  /** Tables the Test button checks it can read (e.g. the ones a source will capture), as `table` or `schema.table`. */
  checkTables?: string[];
}

/** A Kafka Connect cluster's REST endpoint (any worker). The basic-auth password is the profile's secret. */
export interface ConnectProfile extends ProfileCommon {
  kind: 'connect';
  /** http(s)://host:port, without credentials. */
  url: string;
  basicAuthUser?: string;
}

export type ConnectionProfile = KafkaProfile | SchemaRegistryProfile | DatabaseProfile | ConnectProfile;

/** A profile as the engine returns it: never with its secret, only whether one is stored. */
export type StoredProfile = ConnectionProfile & { hasSecret: boolean; updatedAt: string };

/** A profile being edited: the id is absent until the first save. */
export type ProfileDraft =
  | (Omit<KafkaProfile, 'id'> & { id?: string })
  | (Omit<SchemaRegistryProfile, 'id'> & { id?: string })
  | (Omit<DatabaseProfile, 'id'> & { id?: string })
  | (Omit<ConnectProfile, 'id'> & { id?: string });

export interface SaveProfileRequest {
  profile: ProfileDraft;
  /** The password / API secret. Absent keeps the stored one; '' removes it. */
  secret?: string;
}

/** Where secrets live, so the UI can say so. */
export interface SecretStorageInfo {
  /** `os`: encrypted with the OS keychain (Electron safeStorage). `memory`: only in the engine process, lost on restart. `file`: a file readable by the user only (0600), not encrypted. */
  mode: 'os' | 'memory' | 'file';
  /** Modes the user may switch to on this host (the web host offers memory and file). */
  available: ('os' | 'memory' | 'file')[];
  /** One sentence for the UI. */
  description: string;
  /** The secrets file, when mode is `file` or `os`. */
  file?: string;
}

export type ProfileTestStepName = 'settings' | 'dns' | 'tcp' | 'tls' | 'auth' | 'cluster' | 'brokers' | 'topics' | 'registry' | 'privileges' | 'sinkLoad' | 'table' | 'server' | 'plugins';
export type ProfileTestStepStatus = 'ok' | 'failed' | 'warning' | 'skipped';

export interface ProfileTestStep {
  step: ProfileTestStepName;
  /** What was checked, e.g. "TCP connect to 127.0.0.1:19092". */
  label: string;
  status: ProfileTestStepStatus;
  /** Milliseconds this step took. */
  ms: number;
  /** What was found or what failed, written for the user (never a secret). */
  detail: string;
  /** Stable code of a failure, e.g. CONNECTION_TCP_REFUSED, CONNECTION_AUTH, CONNECTION_PRIVILEGE. */
  code?: string;
  /** What to do about a failure or warning. */
  hint?: string;
}

export interface ProfileTestResult {
  ok: boolean;
  profileName: string;
  /** Where the test connected, without credentials. */
  target: string;
  steps: ProfileTestStep[];
  totalMs: number;
  /** The first failed step's code, for scripts and tests. */
  failure?: { step: ProfileTestStepName; code: string; message: string };
}

export interface TestProfileRequest {
  /** A saved profile (its stored secret is used unless `secret` is given). */
  id?: string;
  /** Unsaved form values; wins over the stored profile. */
  profile?: ProfileDraft;
  secret?: string;
}

export interface ProfilesExport {
  format: 'ferry-profiles';
  version: 1;
  exportedAt: string;
  /** Never with secrets: the importer types them again. */
  profiles: ConnectionProfile[];
}

export interface ImportProfilesResult {
  imported: StoredProfile[];
  /** Entries that were skipped and why. */
  problems: string[];
}

export interface WriteCheckRequest {
  profileId: string;
  /** What is about to write, for the prompt, e.g. "produce a record to topic orders". */
  action: string;
}

export interface WriteCheck {
  environment: ProfileEnvironment;
  /** True for prod: the caller must ask the user and pass `confirmed: true` to the write. */
  confirmationRequired: boolean;
  /** The question to put to the user. */
  prompt: string;
}

export interface IConnectionsApi {
  list(): Promise<StoredProfile[]>;
  /** Validates and saves; errors name the field and what to do (code PROFILE_INVALID, detail: the problems). */
  save(request: SaveProfileRequest): Promise<StoredProfile>;
  delete(id: string): Promise<void>;
  /** Connects step by step and reports each step's outcome and duration; never throws for a failed connection. */
  test(request: TestProfileRequest): Promise<ProfileTestResult>;
  /** JSON of the given profiles (all when omitted), without secrets. */
  export(ids?: string[]): Promise<ProfilesExport>;
  /** Accepts what `export` produced (object or its JSON text). */
  import(document: ProfilesExport | string): Promise<ImportProfilesResult>;
  secretStorage(): Promise<SecretStorageInfo>;
  /** Web host: opt in to (or out of) keeping secrets in a file readable by the user only. */
  setSecretStorage(mode: 'memory' | 'file'): Promise<SecretStorageInfo>;
  /** Whether a write to the profile needs the user's confirmation (prod). Writers enforce it in the engine too. */
  checkWrite(request: WriteCheckRequest): Promise<WriteCheck>;
  readonly onDidChangeProfiles: Event<StoredProfile[]>;
}

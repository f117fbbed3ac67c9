/**
 * The pipeline's `kafka` block: Kafka client keys as Java and librdkafka users write them, plus Confluent
 * Cloud's `kafka.api.key`/`kafka.api.secret` as aliases of the SASL username/password (reference §7).
 */
import type { JsonObject } from './jsonText';
import { enumKey, intKey, listKey, passwordKey, stringKey } from './keys';
import { defineRule, type JsonPath, type ProblemList } from './problems';
import { Secret } from './secret';
import type { ResolvedKafka, SaslMechanism, SecurityProtocol } from './types';
import { validateKeys } from './validateKeys';

const GROUP = 'Kafka cluster';

export const KAFKA_KEYS = [
  listKey('bootstrap.servers', {
    doc: 'Brokers to connect to first, as `host:port` (comma-separated or an array). Confluent Cloud: `pkc-….<region>.<cloud>.confluent.cloud:9092`; the lab: `ferry lab status --json` → kafka.a.bootstrap.',
    group: GROUP,
    example: ['127.0.0.1:19092'],
  }),
  enumKey('security.protocol', ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], {
    doc: 'How to talk to the brokers. Confluent Cloud needs `SASL_SSL`.',
    group: GROUP,
    defaultDoc: '`SASL_SSL` when credentials are given, `SSL` when only TLS files are, else `PLAINTEXT`',
  }),
  enumKey('sasl.mechanism', ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], {
    aliases: ['sasl.mechanisms'],
    doc: 'SASL mechanism. Confluent Cloud API keys use `PLAIN`. (`sasl.mechanisms` is librdkafka\'s spelling.)',
    group: GROUP,
    default: 'PLAIN',
  }),
  stringKey('sasl.username', {
    aliases: ['kafka.api.key'],
    doc: 'SASL username; for Confluent Cloud, the Kafka API key.',
    group: GROUP,
  }),
  passwordKey('sasl.password', {
    aliases: ['kafka.api.secret'],
    doc: 'SASL password; for Confluent Cloud, the Kafka API secret.',
    group: GROUP,
  }),
  passwordKey('sasl.jaas.config', {
    doc: 'Java-style JAAS line (`…PlainLoginModule required username="…" password="…";`); Ferry reads the username and password from it when `sasl.username` is not set.',
    group: GROUP,
  }),
  stringKey('ssl.ca.location', {
    doc: 'PEM file of the CA that signed the brokers\' certificates; not needed for Confluent Cloud (public CAs).',
    group: GROUP,
  }),
  stringKey('ssl.certificate.location', {
    doc: 'PEM client certificate for mutual TLS.',
    group: GROUP,
  }),
  stringKey('ssl.key.location', {
    doc: 'PEM private key of the client certificate.',
    group: GROUP,
  }),
  passwordKey('ssl.key.password', {
    doc: 'Password of the private key, if it is encrypted.',
    group: GROUP,
  }),
  enumKey('ssl.endpoint.identification.algorithm', ['https', 'none'], {
    doc: '`https` checks that the broker certificate matches its host name; `none` (or empty) skips that check, for test clusters only.',
    group: GROUP,
    default: 'https',
    valueAliases: { '': 'none' },
  }),
  stringKey('ssl.truststore.location', {
    doc: 'Java keystore of trusted CAs. Node cannot read JKS files: export the CA as PEM and use `ssl.ca.location`.',
    group: GROUP,
    check: () => ({
      severity: 'error',
      message: 'Ferry cannot read Java keystores (`ssl.truststore.location`)',
      hint: 'Export the CA certificate as PEM (keytool -exportcert -rfc) and set `ssl.ca.location` instead.',
    }),
  }),
  stringKey('client.id', {
    doc: 'Client id shown in broker logs and quotas.',
    group: GROUP,
    default: 'ferry',
  }),
  intKey('request.timeout.ms', {
    doc: 'How long to wait for a broker response, in milliseconds.',
    group: GROUP,
    default: 30000,
    min: 1,
  }),
] as const;

export const KAFKA_RULES = {
  bootstrapMissing: defineRule('kafka.bootstrap-missing', 'error', 'The pipeline names no Kafka brokers (`kafka.bootstrap.servers`).'),
  bootstrapInvalid: defineRule('kafka.bootstrap-invalid', 'error', 'Every bootstrap server is `host:port`.'),
  protocolInferred: defineRule('kafka.protocol-inferred', 'warning', '`security.protocol` is missing but credentials are given, so SASL_SSL is assumed.'),
  cloudNeedsSaslSsl: defineRule('kafka.confluent-cloud-needs-sasl-ssl', 'error', 'Confluent Cloud brokers accept only SASL_SSL.'),
  credentialsMissing: defineRule('kafka.sasl-credentials-missing', 'error', 'SASL protocols need a username and password (API key and secret).'),
  credentialsIgnored: defineRule('kafka.credentials-ignored', 'warning', 'Credentials are given but the protocol does not use SASL.'),
  connectorCredentialsIgnored: defineRule('kafka.connector-credentials-ignored', 'warning', 'A connector\'s `kafka.api.key` has no effect when the cluster does not use SASL.'),
  serviceAccount: defineRule('kafka.service-account', 'warning', '`kafka.auth.mode=SERVICE_ACCOUNT` cannot be used outside Confluent Cloud; the pipeline\'s credentials are used.'),
  serviceAccountNoCredentials: defineRule('kafka.service-account-no-credentials', 'error', 'A SERVICE_ACCOUNT connector needs credentials in the pipeline\'s kafka block.'),
  jaasUnreadable: defineRule('kafka.jaas-unreadable', 'error', '`sasl.jaas.config` must contain username="…" and password="…".'),
};

export const LAB_BOOTSTRAP_HINT = 'For the local lab, run `ferry lab status --json` and use kafka.a.bootstrap (e.g. "127.0.0.1:19092").';

/** username="…" password="…" from a JAAS line; the values may contain escaped quotes. */
export function parseJaas(jaas: string): { username: string; password: string } | undefined {
  const read = (name: string): string | undefined => {
    const match = new RegExp(`\\b${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas);
    return match?.[1]?.replace(/\\(.)/g, '$1');
  };
  const username = read('username');
  const password = read('password');
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

export interface KafkaBlockResult {
  kafka: ResolvedKafka;
  /** Secrets found inside other values (the JAAS password), for the scrubber. */
  secrets: string[];
}

export function resolveKafkaBlock(raw: JsonObject, path: JsonPath, problems: ProblemList): KafkaBlockResult {
  const v = validateKeys(KAFKA_KEYS, raw, problems, { path, owner: 'the kafka block', docs: 'docs/connectors/README.md' });
  const values = v.values;
  const secrets: string[] = [];
  const servers = values['bootstrap.servers'] ?? [];
  if (servers.length === 0) {
    problems.report(KAFKA_RULES.bootstrapMissing, v.given.has('bootstrap.servers') ? v.pathOf('bootstrap.servers') : path, 'No Kafka brokers: `bootstrap.servers` is missing or empty', `Add "bootstrap.servers": "host:port" to the kafka block. ${LAB_BOOTSTRAP_HINT}`);
  }
  for (const server of servers) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(server)) {
      problems.report(KAFKA_RULES.bootstrapInvalid, v.pathOf('bootstrap.servers'), `"${server}" is not host:port`, server.includes('://') ? 'Drop the protocol prefix: write host:port (the protocol is `security.protocol`).' : 'Write it as host:port, e.g. "broker1:9092".');
    }
  }
  const confluentCloud = servers.some((s) => /\.confluent\.cloud:\d+$/i.test(s));

  let username = values['sasl.username'];
  let password = values['sasl.password'];
  const jaas = values['sasl.jaas.config'];
  if (jaas) {
    const parsed = parseJaas(jaas.reveal());
    if (!parsed) {
      problems.report(KAFKA_RULES.jaasUnreadable, v.pathOf('sasl.jaas.config'), 'Ferry could not find username="…" and password="…" in `sasl.jaas.config` (its text is not shown: it holds a secret)', 'Set `sasl.username` and `sasl.password` instead.');
    } else {
      secrets.push(parsed.password);
      username ??= parsed.username;
      password ??= new Secret(parsed.password);
    }
  }
  const hasCredentials = username !== undefined || password !== undefined;
  const hasTlsFiles = values['ssl.ca.location'] !== undefined || values['ssl.certificate.location'] !== undefined;

  let protocol: SecurityProtocol;
  const given = values['security.protocol'];
  if (given) protocol = given;
  else if (hasCredentials) {
    protocol = 'SASL_SSL';
    if (!confluentCloud) {
      problems.report(KAFKA_RULES.protocolInferred, path, '`security.protocol` is not set; Ferry assumes SASL_SSL because credentials are given', 'Set "security.protocol" explicitly (SASL_SSL or SASL_PLAINTEXT).');
    }
  } else protocol = hasTlsFiles || confluentCloud ? 'SSL' : 'PLAINTEXT';

  if (confluentCloud && protocol !== 'SASL_SSL') {
    problems.report(KAFKA_RULES.cloudNeedsSaslSsl, given ? v.pathOf('security.protocol') : path, `Confluent Cloud brokers accept only SASL_SSL, but the protocol is ${protocol}`, 'Set "security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN" and the Kafka API key/secret as sasl.username/sasl.password.');
  }
  const sasl = protocol === 'SASL_SSL' || protocol === 'SASL_PLAINTEXT';
  if (sasl && (username === undefined || password === undefined)) {
    problems.report(KAFKA_RULES.credentialsMissing, path, `${protocol} needs ${username === undefined ? 'a username' : 'a password'} (\`sasl.${username === undefined ? 'username' : 'password'}\`)`, 'Set "sasl.username" and "sasl.password" (Confluent Cloud: the Kafka API key and secret, also accepted as kafka.api.key/kafka.api.secret).');
  }
  if (!sasl && hasCredentials && given) {
    problems.report(KAFKA_RULES.credentialsIgnored, v.pathOf('security.protocol'), `SASL credentials are set but \`security.protocol\` is ${protocol}, which does not use them`, 'Use SASL_SSL (or SASL_PLAINTEXT), or remove the credentials.');
  }
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  return {
    secrets,
    kafka: {
      bootstrapServers: servers,
      securityProtocol: protocol,
      sasl: sasl && username !== undefined && password !== undefined ? { mechanism: values['sasl.mechanism'] as SaslMechanism, username, password } : undefined,
      tls: tls
        ? {
            caLocation: values['ssl.ca.location'],
            certificateLocation: values['ssl.certificate.location'],
            keyLocation: values['ssl.key.location'],
            keyPassword: values['ssl.key.password'],
            verifyHostname: values['ssl.endpoint.identification.algorithm'] === 'https',
          }
        : undefined,
      clientId: values['client.id'],
      requestTimeoutMs: values['request.timeout.ms'],
      confluentCloud,
    },
  };
}

export interface ConnectorKafkaInput {
  authMode: 'KAFKA_API_KEY' | 'SERVICE_ACCOUNT';
  apiKey: string | undefined;
  apiSecret: Secret | undefined;
  apiKeyPath: JsonPath;
  authModePath: JsonPath;
  connectorPath: JsonPath;
}

/**
 * The cluster as one connector sees it. Confluent Cloud runs each managed connector with its own API key, so a
 * connector's `kafka.api.key`/`kafka.api.secret` replace the pipeline's credentials for that connector; the
 * brokers and protocol always come from the pipeline.
 */
export function connectorKafka(pipeline: ResolvedKafka, input: ConnectorKafkaInput, problems: ProblemList): ResolvedKafka {
  if (input.authMode === 'SERVICE_ACCOUNT') {
    if (pipeline.sasl === undefined && pipeline.securityProtocol.startsWith('SASL')) {
      problems.report(KAFKA_RULES.serviceAccountNoCredentials, input.authModePath, 'This connector authenticates as a Confluent Cloud service account, which Ferry cannot do, and the pipeline has no Kafka credentials to use instead', 'Create an API key for the service account and set it as sasl.username/sasl.password in the pipeline\'s kafka block.');
    } else {
      problems.report(KAFKA_RULES.serviceAccount, input.authModePath, '`kafka.auth.mode=SERVICE_ACCOUNT` is resolved by Confluent Cloud only; Ferry uses the pipeline\'s Kafka credentials for this connector', 'Nothing to do if the pipeline\'s credentials may write these topics.');
    }
    return pipeline;
  }
  if (input.apiKey === undefined && input.apiSecret === undefined) return pipeline;
  if (!pipeline.securityProtocol.startsWith('SASL')) {
    problems.report(KAFKA_RULES.connectorCredentialsIgnored, input.apiKeyPath, `The connector's Kafka API key is not used: the pipeline's cluster uses ${pipeline.securityProtocol}`, 'Fine when running against a local cluster; for Confluent Cloud set "security.protocol": "SASL_SSL" in the kafka block.');
    return pipeline;
  }
  if (input.apiKey === undefined || input.apiSecret === undefined) {
    problems.report(KAFKA_RULES.credentialsMissing, input.apiKeyPath, `The connector sets ${input.apiKey === undefined ? '`kafka.api.secret` but not `kafka.api.key`' : '`kafka.api.key` but not `kafka.api.secret`'}`, 'Set both, or neither to use the pipeline\'s credentials.');
    return pipeline;
  }
  return { ...pipeline, sasl: { mechanism: pipeline.sasl?.mechanism ?? 'PLAIN', username: input.apiKey, password: input.apiSecret } };
}

import type { Kafka, KafkaConfig, LogEntry as KafkaLogEntry, SASLOptions } from 'kafkajs';
import { createLogger } from '../base/logger';
import { kafkaError } from './errors';
import { KafkajsClient } from './kafkajsAdapter';
import { kafkajs } from './kafkajsRuntime';
import type { KafkaClient } from './port';

const { logLevel } = kafkajs;

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** Client settings in Kafka's own vocabulary, already parsed from a pipeline file or a connection profile. */
export interface KafkaClientSettings {
  bootstrapServers: readonly string[];
  securityProtocol?: SecurityProtocol;
  saslMechanism?: SaslMechanism;
  saslUsername?: string;
  saslPassword?: string;
  /** PEM text of the CA to trust, when the brokers' certificates are not signed by a public CA. */
  sslCaPem?: string;
  clientId?: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How often kafkajs retries a failed request or connection before giving up (default 8, with backoff). */
  retries?: number;
  /** No client log at all (readiness probes, where refused connections are expected). */
  quiet?: boolean;
}

const log = createLogger('kafka');

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'debug',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through our logger (its INFO chatter demoted to debug) so hosts decide what reaches the user. */
function logCreator() {
  return ({ namespace, level, log: entry }: KafkaLogEntry): void => {
    const { message, ...fields } = entry;
    const method = LEVEL_NAMES[level] ?? 'debug';
    // kafkajs may include SASL settings in connection logs; keep only harmless fields.
    const safe: Record<string, unknown> = {};
    for (const key of ['broker', 'clientId', 'topic', 'partition', 'groupId', 'error', 'retryCount', 'retryTime']) {
      if (key in fields) safe[key] = (fields as Record<string, unknown>)[key];
    }
    log[method](`${namespace}: ${String(message)}`, safe);
  };
}

function saslOptions(settings: KafkaClientSettings): SASLOptions | undefined {
  const protocol = settings.securityProtocol ?? 'PLAINTEXT';
  if (protocol !== 'SASL_PLAINTEXT' && protocol !== 'SASL_SSL') return undefined;
  if (!settings.saslUsername || !settings.saslPassword) {
    throw kafkaError(
      'KAFKA_BAD_SETTINGS',
      `security.protocol ${protocol} needs sasl.username and sasl.password (Confluent Cloud: kafka.api.key and kafka.api.secret).`,
    );
  }
  const username = settings.saslUsername;
  const password = settings.saslPassword;
  switch (settings.saslMechanism ?? 'PLAIN') {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

export function kafkaConfig(settings: KafkaClientSettings): KafkaConfig {
  if (settings.bootstrapServers.length === 0) {
    throw kafkaError('KAFKA_BAD_SETTINGS', 'bootstrap.servers is empty: name at least one broker as host:port.');
  }
  for (const server of settings.bootstrapServers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(server)) {
      throw kafkaError('KAFKA_BAD_SETTINGS', `bootstrap.servers entry "${server}" is not host:port (e.g. 127.0.0.1:19092 or pkc-xxxx.confluent.cloud:9092).`);
    }
  }
  const protocol = settings.securityProtocol ?? 'PLAINTEXT';
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const sasl = saslOptions(settings);
  return {
    clientId: settings.clientId ?? 'ferry',
    brokers: [...settings.bootstrapServers],
    ssl: tls ? (settings.sslCaPem ? { ca: [settings.sslCaPem] } : true) : false,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: settings.connectionTimeoutMs ?? 10_000,
    requestTimeout: settings.requestTimeoutMs ?? 30_000,
    logLevel: settings.quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator,
    retry: { retries: settings.retries ?? 8, initialRetryTime: 200, maxRetryTime: 10_000 },
  };
}

/** A client for one cluster through the Kafka port: what every part of the engine uses. */
export function createKafkaClient(settings: KafkaClientSettings): KafkaClient {
  return new KafkajsClient(new kafkajs.Kafka(kafkaConfig(settings)));
}

/**
 * @deprecated The kafkajs client itself, only for src/engine/pipeline until it moves to createKafkaClient (see
 * /work/notes/kafka-port.md); nothing else may use it.
 */
export function createKafka(settings: KafkaClientSettings): Kafka {
  return new kafkajs.Kafka(kafkaConfig(settings));
}

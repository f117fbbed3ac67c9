import { EngineError } from '../../shared/errors';

export type KafkaErrorCode =
  | 'KAFKA_BAD_SETTINGS'
  | 'KAFKA_DNS'
  | 'KAFKA_UNREACHABLE'
  | 'KAFKA_TLS'
  | 'KAFKA_AUTH'
  | 'KAFKA_NOT_AUTHORIZED'
  | 'KAFKA_TOPIC'
  | 'KAFKA_FAILED';

export function kafkaError(code: KafkaErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
  topic?: unknown;
  errors?: unknown;
}

/**
 * The per-topic errors of a KafkaJSAggregateError ("Topic creation errors" and the like), as
 * `topic "x": <what the code means> (<CODE>)`; undefined when the error carries none.
 */
function perTopicErrors(links: readonly ErrorLike[]): string | undefined {
  for (const link of links) {
    if (!Array.isArray(link.errors)) continue;
    const items = (link.errors as unknown[]).filter((item): item is ErrorLike => typeof item === 'object' && item !== null && typeof (item as ErrorLike).topic === 'string');
    if (items.length === 0) continue;
    return items.map((item) => `topic "${String(item.topic)}": ${String(item.message ?? 'refused')}${typeof item.type === 'string' ? ` (${item.type})` : ''}`).join('; ');
  }
  return undefined;
}

function chain(error: unknown): ErrorLike[] {
  const seen: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && seen.length < 8) {
    const like = current as ErrorLike;
    seen.push(like);
    current = like.originalError ?? like.cause;
  }
  return seen;
}

/**
 * Turns what kafkajs throws (often a KafkaJSConnectionError wrapping a Node socket error, or a protocol error with a
 * `type`) into one error that says what failed — DNS, TCP, TLS, authentication, authorisation — and what to do.
 * The broker list is named; credentials never are.
 */
export function classifyKafkaError(error: unknown, brokers: readonly string[], action: string): EngineError {
  if (error instanceof EngineError) return error;
  const links = chain(error);
  const text = links.map((link) => `${String(link.message ?? '')} ${String(link.code ?? '')} ${String(link.type ?? '')}`).join(' ');
  const where = brokers.join(',');
  if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME/.test(text)) {
    // The same words the databases' connection failures use (db/connectionFailure).
    const hosts = [...new Set(brokers.map((broker) => broker.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')))].map((host) => `"${host}"`).join(', ');
    const why = /EAI_AGAIN/.test(text) ? ': the DNS server did not answer. Check this machine\'s network and DNS settings (a VPN that is down?)' : ' (no such host). Check bootstrap.servers for typos';
    return kafkaError('KAFKA_DNS', `Cannot ${action}: the host name ${hosts} could not be resolved${why}.`, { retriable: true, cause: error });
  }
  if (/SASL_AUTHENTICATION_FAILED|SaslAuthenticationFailed|Authentication failed|SASL/i.test(text)) {
    return kafkaError('KAFKA_AUTH', `Cannot ${action}: the brokers at ${where} refused the credentials (SASL authentication failed). Check sasl.username/sasl.password (Confluent Cloud: kafka.api.key/kafka.api.secret) and sasl.mechanism.`, { cause: error });
  }
  if (/AUTHORIZATION_FAILED|not authorized/i.test(text)) {
    return kafkaError('KAFKA_NOT_AUTHORIZED', `Cannot ${action}: the credentials are valid but lack the permission (ACL) for it on ${where}. Grant the principal access to the topic or group.`, { cause: error });
  }
  if (/CERT|certificate|SSL|TLS|self.signed|wrong version number/i.test(text)) {
    return kafkaError('KAFKA_TLS', `Cannot ${action}: the TLS handshake with ${where} failed (${firstMessage(links)}). Check security.protocol (SSL / SASL_SSL vs PLAINTEXT) and the CA certificate.`, { cause: error });
  }
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Connection timeout|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded|KafkaJSNonRetriableError.*connect/i.test(text)) {
    return kafkaError('KAFKA_UNREACHABLE', `Cannot ${action}: no broker answers at ${where}. Is Kafka running (\`ferry lab up\` for the local one) and is bootstrap.servers right?`, { retriable: true, cause: error });
  }
  const retriable = links.some((link) => link.retriable === true);
  const perTopic = perTopicErrors(links);
  if (perTopic) return kafkaError('KAFKA_TOPIC', `Cannot ${action} on ${where}: ${perTopic}`, { retriable, cause: error });
  return kafkaError('KAFKA_FAILED', `Cannot ${action} on ${where}: ${firstMessage(links)}`, { retriable, cause: error });
}

function firstMessage(links: ErrorLike[]): string {
  const deepest = [...links].reverse().find((link) => typeof link.message === 'string' && link.message !== '');
  return typeof deepest?.message === 'string' ? deepest.message : 'unknown error';
}

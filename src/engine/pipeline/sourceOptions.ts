import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResolvedKafka } from '../config';
import { EngineError } from '../../shared/errors';
import type { KafkaClientSettings } from '../kafka';

/** Moved to the connector plug-ins; re-exported for the callers that build a reader themselves (preview, tests). */
export { pollingOptions, sourceConnection } from '../connectors/sourceOptions';

/** Kafka client settings; TLS file paths resolve against the pipeline file's folder, as the docs say. */
export function kafkaSettings(kafka: ResolvedKafka, baseDir = '.'): KafkaClientSettings {
  const caLocation = kafka.tls?.caLocation;
  let sslCaPem: string | undefined;
  if (caLocation) {
    const path = resolve(baseDir, caLocation);
    try {
      sslCaPem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new EngineError('KAFKA_BAD_SETTINGS', `ssl.ca.location points at ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Fix the path (relative paths start at the pipeline file's folder).`);
    }
  }
  return {
    ...(sslCaPem ? { sslCaPem } : {}),
    bootstrapServers: kafka.bootstrapServers,
    securityProtocol: kafka.securityProtocol,
    clientId: kafka.clientId,
    requestTimeoutMs: kafka.requestTimeoutMs,
    ...(kafka.sasl ? { saslMechanism: kafka.sasl.mechanism, saslUsername: kafka.sasl.username, saslPassword: kafka.sasl.password.reveal() } : {}),
  };
}

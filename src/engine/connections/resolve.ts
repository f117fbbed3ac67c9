import type { DatabaseProfile, KafkaProfile, SchemaRegistryProfile } from '../../shared/api/connections';
import type { KafkaClientSettings } from '../kafka';
import type { SchemaRegistryClientOptions } from '../schema';
import type { SqlConnectionSettings } from '../db';
import { parseBootstrapServers } from '../store';

/** A Kafka profile as client settings; `secret` is the SASL password / Confluent Cloud API secret. */
export function kafkaSettingsOf(profile: KafkaProfile, secret: string | undefined, overrides: Partial<KafkaClientSettings> = {}): KafkaClientSettings {
  return {
    bootstrapServers: parseBootstrapServers(profile.bootstrapServers).servers,
    securityProtocol: profile.securityProtocol,
    ...(profile.saslMechanism ? { saslMechanism: profile.saslMechanism } : {}),
    ...(profile.saslUsername ? { saslUsername: profile.saslUsername } : {}),
    ...(secret ? { saslPassword: secret } : {}),
    ...(profile.sslCaPem ? { sslCaPem: profile.sslCaPem } : {}),
    clientId: 'ferry-workbench',
    ...overrides,
  };
}

export function registryOptionsOf(profile: SchemaRegistryProfile, secret: string | undefined, requestTimeoutMs?: number): SchemaRegistryClientOptions {
  return {
    url: profile.url,
    ...(profile.basicAuthUser ? { basicAuthUserInfo: `${profile.basicAuthUser}:${secret ?? ''}` } : {}),
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  };
}

export function sqlSettingsOf(profile: DatabaseProfile, secret: string | undefined): SqlConnectionSettings {
  return {
    dialect: profile.product,
    host: profile.host,
    port: profile.port,
    user: profile.user,
    password: secret ?? '',
    database: profile.database,
    ssl: profile.tls === 'disable' ? false : { verify: profile.tls === 'verify' },
  };
}

import { describe, expect, it } from 'vitest';
import { createKafka, kafkaConfig } from './client';
import { classifyKafkaError } from './errors';
import { assertValidTopicName } from './topics';

describe('kafka client settings', () => {
  it('maps SASL_SSL PLAIN (Confluent Cloud) to TLS + SASL', () => {
    const config = kafkaConfig({
      bootstrapServers: ['pkc-abc.westeurope.azure.confluent.cloud:9092'],
      securityProtocol: 'SASL_SSL',
      saslMechanism: 'PLAIN',
      saslUsername: 'KEY',
      saslPassword: 'SECRET',
    });
    expect(config.ssl).toBe(true);
    expect(config.sasl).toEqual({ mechanism: 'plain', username: 'KEY', password: 'SECRET' });
  });

  it('refuses SASL without credentials and malformed brokers, naming the key', () => {
    expect(() => kafkaConfig({ bootstrapServers: ['b:9092'], securityProtocol: 'SASL_SSL' })).toThrow(/sasl.username and sasl.password/);
    expect(() => kafkaConfig({ bootstrapServers: ['localhost'] })).toThrow(/"localhost" is not host:port/);
    expect(() => kafkaConfig({ bootstrapServers: [] })).toThrow(/bootstrap.servers is empty/);
  });

  it('rejects topic names Kafka refuses', () => {
    expect(() => assertValidTopicName('shop.orders-v1_x', 'test')).not.toThrow();
    expect(() => assertValidTopicName('shop orders', 'topic.prefix')).toThrow(/"shop orders" \(from topic.prefix\) is not a legal Kafka topic name/);
    expect(() => assertValidTopicName('a'.repeat(250), 'test')).toThrow();
  });
});

describe('kafka connection failures are named', () => {
  it('says no broker answers on a closed port', async () => {
    const kafka = createKafka({ bootstrapServers: ['127.0.0.1:1'], connectionTimeoutMs: 1000, retries: 0 });
    const admin = kafka.admin();
    const error = await admin.connect().then(
      () => undefined,
      (caught: unknown) => classifyKafkaError(caught, ['127.0.0.1:1'], 'connect'),
    );
    await admin.disconnect();
    expect(error).toMatchObject({ code: 'KAFKA_UNREACHABLE', retriable: true });
    expect(error?.message).toContain('127.0.0.1:1');
  });

  it('says the host does not resolve', async () => {
    const kafka = createKafka({ bootstrapServers: ['no-such-broker.invalid:9092'], connectionTimeoutMs: 2000, retries: 0 });
    const admin = kafka.admin();
    const error = await admin.connect().then(
      () => undefined,
      (caught: unknown) => classifyKafkaError(caught, ['no-such-broker.invalid:9092'], 'connect'),
    );
    await admin.disconnect();
    expect(error).toMatchObject({ code: 'KAFKA_DNS' });
    expect(error?.message).toMatch(/the host name "no-such-broker\.invalid" could not be resolved/);
  });
});

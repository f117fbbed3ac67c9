import type { KafkaProfile, ProfileTestResult } from '../../shared/api/connections';
import { isEngineError } from '../../shared/errors';
import { classifyKafkaError, createKafkaClient } from '../kafka';
import { parseBootstrapServers } from '../store';
import { connectionError } from './errors';
import { PROBE_TIMEOUT_MS, probeTcp, probeTls, resolveHost, splitHostPort } from './networkProbes';
import { kafkaSettingsOf } from './resolve';
import { StepRecorder } from './stepRecorder';

/** Maps the Kafka client's error codes onto the test's, keeping its message (which names what to do). */
function asConnectionError(error: unknown, brokers: readonly string[], action: string): Error {
  const classified = classifyKafkaError(error, brokers, action);
  const mapped: Record<string, Parameters<typeof connectionError>[0]> = {
    KAFKA_DNS: 'CONNECTION_DNS',
    KAFKA_UNREACHABLE: 'CONNECTION_TCP_REFUSED',
    KAFKA_TLS: 'CONNECTION_TLS',
    KAFKA_AUTH: 'CONNECTION_AUTH',
    KAFKA_NOT_AUTHORIZED: 'CONNECTION_PRIVILEGE',
    KAFKA_BAD_SETTINGS: 'CONNECTION_SETTINGS',
  };
  return connectionError(mapped[classified.code] ?? 'CONNECTION_FAILED', classified.message, { cause: error });
}

/**
 * DNS → TCP → TLS → Kafka handshake and SASL login → describe cluster → reach every advertised broker → list topics.
 * The advertised-broker step catches the classic "bootstrap works, then nothing does" (advertised.listeners naming
 * an address this machine cannot reach).
 */
export async function testKafkaProfile(profile: KafkaProfile, secret: string | undefined): Promise<ProfileTestResult> {
  const recorder = new StepRecorder(secret ? [secret] : []);
  const { servers } = parseBootstrapServers(profile.bootstrapServers);
  const sasl = profile.securityProtocol.startsWith('SASL_');
  const tls = profile.securityProtocol.endsWith('SSL');
  if (sasl && !secret) {
    recorder.note('settings', 'Credentials', {
      status: 'failed',
      code: 'CONNECTION_SETTINGS',
      detail: profile.preset === 'confluentCloud' ? 'No API secret is stored for this profile.' : 'No SASL password is stored for this profile.',
      hint: 'Type the secret in the profile and test again (secrets kept in memory are lost when the engine restarts).',
    });
    return recorder.result(profile.name, profile.bootstrapServers);
  }

  const hosts = [...new Set(servers.map((server) => splitHostPort(server).host))];
  for (const host of hosts) {
    await recorder.run('dns', `Resolve ${host}`, async () => {
      const addresses = await resolveHost(host);
      return { outcome: { detail: addresses.length === 1 && addresses[0] === host ? 'IP address: no lookup needed.' : `Resolves to ${addresses.join(', ')}.` }, value: addresses };
    });
  }
  for (const server of servers) {
    const { host, port } = splitHostPort(server);
    await recorder.run('tcp', `TCP connect to ${server}`, async () => {
      await probeTcp(host, port);
      return { outcome: { detail: 'Port open.' }, value: true };
    });
  }
  if (tls && servers[0]) {
    const { host, port } = splitHostPort(servers[0]);
    await recorder.run('tls', `TLS handshake with ${servers[0]}`, async () => {
      const info = await probeTls(host, port, profile.sslCaPem ? { caPem: profile.sslCaPem } : {});
      return { outcome: { detail: `${info.protocol}, ${info.cipher}; certificate for ${info.subject} issued by ${info.issuer}, valid to ${info.validTo}.` }, value: info };
    });
  }
  // After a failed network step the Kafka steps are listed as skipped: the user sees what was not tried.
  const kafka = createKafkaClient(kafkaSettingsOf(profile, secret, { connectionTimeoutMs: PROBE_TIMEOUT_MS, requestTimeoutMs: 10_000, retries: 0, clientId: 'ferry-profile-test' }));
  const admin = kafka.admin();
  try {
    await recorder.run('auth', sasl ? `Kafka handshake and SASL ${profile.saslMechanism ?? 'PLAIN'} login` : 'Kafka handshake (no authentication)', async () => {
      try {
        await admin.connect();
      } catch (error) {
        throw asConnectionError(error, servers, 'connect');
      }
      return { outcome: { detail: sasl ? `Logged in as ${profile.saslUsername ?? '?'}.` : 'The broker answered the Kafka protocol.' }, value: true };
    });
    const cluster = await recorder.run('cluster', 'Describe the cluster', async () => {
      try {
        const described = await admin.describeCluster();
        return {
          outcome: { detail: `Cluster ${described.clusterId}: ${described.brokers.length} broker(s), controller ${described.controller ?? 'unknown'}.` },
          value: described,
        };
      } catch (error) {
        throw asConnectionError(error, servers, 'describe the cluster');
      }
    });
    if (cluster) {
      for (const broker of cluster.brokers) {
        await recorder.run('brokers', `Reach advertised broker ${broker.nodeId} at ${broker.host}:${broker.port}`, async () => {
          try {
            await probeTcp(broker.host, broker.port);
          } catch (error) {
            if (isEngineError(error)) {
              throw connectionError(error.code as Parameters<typeof connectionError>[0], `${error.message} The cluster advertises this broker address, but this machine cannot reach it.`, {
                hint: "Fix the brokers' advertised.listeners, or reach the cluster from a network where that address works.",
              });
            }
            throw error;
          }
          return { outcome: { detail: 'Reachable.' }, value: true };
        });
      }
    }
    await recorder.run('topics', 'List topics', async () => {
      try {
        const topics = await admin.listTopics();
        const visible = topics.filter((topic) => !topic.startsWith('__'));
        return { outcome: { detail: `${visible.length} topic(s) visible${visible.length > 0 ? `, e.g. ${visible.slice(0, 3).join(', ')}` : ''}.` }, value: topics };
      } catch (error) {
        const classified = asConnectionError(error, servers, 'list topics');
        if (isEngineError(classified) && classified.code === 'CONNECTION_PRIVILEGE') {
          return {
            outcome: { status: 'warning', code: 'CONNECTION_PRIVILEGE', detail: 'Logged in, but not allowed to list or describe topics.', hint: 'Grant the principal DESCRIBE on the topics it should see (Confluent Cloud: DeveloperRead).' },
            value: [],
          };
        }
        throw classified;
      }
    });
  } finally {
    await admin.disconnect().catch(() => {});
  }
  return recorder.result(profile.name, profile.bootstrapServers);
}

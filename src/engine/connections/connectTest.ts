import type { ConnectProfile, ProfileTestResult } from '../../shared/api/connections';
import { isEngineError } from '../../shared/errors';
import { Secret } from '../config/secret';
import { ConnectRestClient, type ConnectPlugin } from '../deploy/connectRest';
import { connectionError } from './errors';
import { recordHttpEndpointSteps } from './httpEndpointSteps';
import { StepRecorder } from './stepRecorder';

/** The REST client for a Connect profile: the password (the profile's secret) is sent as basic auth, never in the URL. */
export function connectClientOf(profile: Pick<ConnectProfile, 'url' | 'basicAuthUser'>, secret: string | undefined, timeoutMs = 10_000): ConnectRestClient {
  const url = profile.url.replace(/\/+$/, '');
  return new ConnectRestClient(profile.basicAuthUser ? { url, basicAuth: { username: profile.basicAuthUser, password: new Secret(secret ?? '') } } : { url }, timeoutMs);
}

/** A REST failure of GET / or GET /connector-plugins in words: refused, not HTTP, 401/403, or something else answering. */
function connectFailure(profile: ConnectProfile, what: string, error: unknown): Error {
  if (!isEngineError(error)) return error instanceof Error ? error : new Error(String(error));
  const status = (error.detail as { status?: unknown } | undefined)?.status;
  switch (error.code) {
    case 'DEPLOY_CONNECT_UNAUTHORIZED':
      return profile.basicAuthUser
        ? connectionError('CONNECTION_AUTH', `Kafka Connect at ${profile.url} refused ${what} as ${profile.basicAuthUser}: wrong user or password (${/\(403\)/.test(error.message) ? 403 : 401}).`, {
            hint: 'Check the basic auth user and password (the REST extension’s realm, e.g. rest.extension.classes with a JAAS file).',
            cause: error,
          })
        : connectionError('CONNECTION_AUTH', `Kafka Connect at ${profile.url} asks for credentials (401): ${what} was refused without a user.`, { hint: 'Type the basic auth user and password in the profile.', cause: error });
    case 'DEPLOY_CONNECT_UNREACHABLE':
      return connectionError('CONNECTION_PROTOCOL', `${profile.url} accepted the connection but gave no HTTP answer to ${what} (${causeText(error)}): this is not a Kafka Connect REST port.`, {
        hint: 'A Kafka broker or database port closes an HTTP request like this. Give a Connect worker’s REST address (listeners / rest.port, 8083 by default).',
        cause: error,
      });
    case 'DEPLOY_CONNECT_REJECTED':
      return connectionError('CONNECTION_PROTOCOL', `${profile.url} answered ${what} with HTTP ${typeof status === 'number' ? status : '?'}: not a Kafka Connect worker (Connect answers it with its version).`, {
        hint: 'Check the host, port and path: the REST URL is the worker’s root, e.g. http://connect-1:8083, not a proxy path or another service.',
        cause: error,
      });
    default:
      return connectionError('CONNECTION_FAILED', error.message, { cause: error });
  }
}

/** The network error under a fetch failure ("other side closed"), for a message. */
function causeText(error: Error): string {
  let cause: unknown = error.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : 'no answer';
}

function isServerInfo(json: unknown): json is { version: string; commit?: string; kafka_cluster_id: string } {
  return typeof json === 'object' && json !== null && typeof (json as { version?: unknown }).version === 'string' && typeof (json as { kafka_cluster_id?: unknown }).kafka_cluster_id === 'string';
}

function describePlugins(plugins: readonly ConnectPlugin[]): string {
  const connectors = plugins.filter((plugin) => plugin.type === 'source' || plugin.type === 'sink');
  const sources = connectors.filter((plugin) => plugin.type === 'source').length;
  const debezium = connectors.filter((plugin) => plugin.class.startsWith('io.debezium.')).map((plugin) => plugin.class.split('.').at(-1));
  const jdbc = connectors.some((plugin) => /jdbc/i.test(plugin.class));
  return `${connectors.length} connector plugins (${sources} source, ${connectors.length - sources} sink)${debezium.length > 0 ? `; Debezium: ${[...new Set(debezium)].join(', ')}` : '; no Debezium connector'}${jdbc ? '; a JDBC connector' : ''}.`;
}

/** DNS → TCP → TLS (https) → GET / (Connect's version and Kafka cluster) with the credentials → GET /connector-plugins. */
export async function testConnectProfile(profile: ConnectProfile, secret: string | undefined): Promise<ProfileTestResult> {
  const recorder = new StepRecorder(secret ? [secret] : []);
  let url: URL;
  try {
    url = new URL(profile.url);
  } catch {
    recorder.note('settings', 'REST URL', { status: 'failed', code: 'PROFILE_INVALID', detail: `"${profile.url}" is not a URL.`, hint: 'Give a worker’s REST address, e.g. http://127.0.0.1:8083.' });
    return recorder.result(profile.name, profile.url);
  }
  if (profile.basicAuthUser && !secret) {
    recorder.note('settings', 'Credentials', {
      status: 'failed',
      code: 'CONNECTION_SECRET_MISSING',
      detail: `Password not stored: a basic auth user (${profile.basicAuthUser}) is set but no password is kept for this profile.`,
      hint: 'Type the password in the profile and test again.',
    });
    return recorder.result(profile.name, profile.url);
  }
  await recordHttpEndpointSteps(recorder, url);
  const client = connectClientOf(profile, secret);
  await recorder.run('auth', profile.basicAuthUser ? `GET / as ${profile.basicAuthUser} (Connect's version)` : "GET / (Connect's version, no authentication)", async () => {
    let info: unknown;
    try {
      info = await client.serverInfo();
    } catch (error) {
      throw connectFailure(profile, 'GET /', error);
    }
    if (!isServerInfo(info)) {
      const seen = typeof info === 'string' ? `text "${info.slice(0, 60)}"` : JSON.stringify(info)?.slice(0, 80) ?? 'nothing';
      throw connectionError('CONNECTION_PROTOCOL', `${profile.url} answered GET / with ${seen}, not Kafka Connect's {version, commit, kafka_cluster_id}: this is not a Connect worker.`, {
        hint: 'Another HTTP service listens there (a Schema Registry answers {} on /). Give a Connect worker’s REST address (8083 by default; the lab’s is 18083).',
      });
    }
    return { outcome: { detail: `Kafka Connect ${info.version}${info.commit ? ` (commit ${info.commit})` : ''}; its workers use Kafka cluster ${info.kafka_cluster_id}.` }, value: info };
  });
  await recorder.run('plugins', 'GET /connector-plugins (installed connectors)', async () => {
    let plugins: ConnectPlugin[];
    try {
      plugins = await client.plugins();
    } catch (error) {
      throw connectFailure(profile, 'GET /connector-plugins', error);
    }
    if (!Array.isArray(plugins)) throw connectionError('CONNECTION_PROTOCOL', `${profile.url} answered GET /connector-plugins with something that is not a list: not a Connect worker.`);
    const connectors = plugins.filter((plugin) => plugin.type === 'source' || plugin.type === 'sink');
    if (connectors.length === 0) {
      return {
        outcome: { status: 'warning', code: 'CONNECT_NO_PLUGINS', detail: 'No connector plugin is installed: Connect can run nothing Ferry deploys.', hint: 'Install the connectors (Debezium, a JDBC sink) in every worker’s plugin.path and restart the workers.' },
        value: plugins,
      };
    }
    return { outcome: { detail: describePlugins(plugins) }, value: plugins };
  });
  return recorder.result(profile.name, profile.url);
}

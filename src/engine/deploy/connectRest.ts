/**
 * A client for Kafka Connect's REST API (the same on a self-managed cluster, the lab's worker, and Confluent
 * Platform). Errors carry Connect's own message; credentials never appear in an error or a log line.
 */
import type { EngineError } from '../../shared/errors';
import { Secret } from '../config/secret';
import { deployError } from './errors';

export type ConnectorState = 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'UNASSIGNED' | 'RESTARTING';

export interface ConnectTaskStatus {
  id: number;
  state: ConnectorState;
  worker_id: string;
  trace?: string;
}

export interface ConnectConnectorStatus {
  name: string;
  connector: { state: ConnectorState; worker_id: string; trace?: string };
  tasks: ConnectTaskStatus[];
  type?: 'source' | 'sink';
}

export interface ConnectServerInfo {
  version: string;
  commit: string;
  kafka_cluster_id: string;
}

export interface ConnectPlugin {
  class: string;
  type: string;
  version?: string;
}

/** One key of Connect's validation answer (`PUT /connector-plugins/{class}/config/validate`). */
export interface ConnectValidatedKey {
  definition: { name: string; type: string; required: boolean; documentation?: string; group?: string };
  value: { name: string; value: string | null; errors: string[]; visible: boolean };
}

export interface ConnectValidation {
  name: string;
  error_count: number;
  configs: ConnectValidatedKey[];
}

export interface ConnectEndpoint {
  /** http(s)://host:port, without credentials. */
  url: string;
  basicAuth?: { username: string; password: Secret };
}

/**
 * `http://user:pass@host:8083` → the URL without credentials and the credentials apart, so neither the URL we print
 * nor an error can hold the password.
 */
export function parseConnectUrl(text: string, basicAuth?: { username: string; password: Secret }): ConnectEndpoint {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw deployError('DEPLOY_BAD_URL', `"${text.replace(/\/\/[^@/]*@/, '//…@')}" is not a URL; give Kafka Connect's REST address, e.g. http://127.0.0.1:8083 (the lab's: \`ferry lab status --json\`, connect.url).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw deployError('DEPLOY_BAD_URL', `Kafka Connect's REST API is http or https, not ${url.protocol}; e.g. http://127.0.0.1:8083.`);
  }
  const fromUrl = url.username ? { username: decodeURIComponent(url.username), password: new Secret(decodeURIComponent(url.password)) } : undefined;
  url.username = '';
  url.password = '';
  const clean = url.toString().replace(/\/+$/, '');
  const auth = basicAuth ?? fromUrl;
  return auth ? { url: clean, basicAuth: auth } : { url: clean };
}

/** Connect's stack trace → the last "Caused by" line (the root cause), or its first line. */
export function rootCauseOf(trace: string | undefined): string | undefined {
  if (!trace) return undefined;
  const lines = trace.split('\n').map((line) => line.trim());
  const causes = lines.filter((line) => line.startsWith('Caused by:'));
  const last = causes.at(-1) ?? lines[0];
  return last?.replace(/^Caused by:\s*/, '');
}

export class ConnectRestClient {
  constructor(
    readonly endpoint: ConnectEndpoint,
    private readonly timeoutMs = 30_000,
  ) {}

  get url(): string {
    return this.endpoint.url;
  }

  private async request(method: string, path: string, body?: unknown, okStatuses: readonly number[] = []): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const auth = this.endpoint.basicAuth;
    if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password.reveal()}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(`${this.endpoint.url}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      throw deployError('DEPLOY_CONNECT_UNREACHABLE', `Kafka Connect at ${this.endpoint.url} did not answer ${method} ${path} (${cause}). Check the URL and that the workers run (the lab's: \`ferry lab up --connect\`).`, {
        retriable: true,
        cause: error,
      });
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      json = text;
    }
    if (response.ok || okStatuses.includes(response.status)) return { status: response.status, json };
    throw this.failure(method, path, response.status, json);
  }

  private failure(method: string, path: string, status: number, json: unknown): EngineError {
    const message = typeof json === 'object' && json !== null && 'message' in json ? String((json as { message: unknown }).message) : typeof json === 'string' ? json.slice(0, 500) : `HTTP ${status}`;
    if (status === 401 || status === 403) {
      return deployError('DEPLOY_CONNECT_UNAUTHORIZED', `Kafka Connect at ${this.endpoint.url} refused ${method} ${path} (${status}): ${message}. Give the REST user and password (http://user:password@host:port or --connect-user).`);
    }
    // 409: a rebalance is in progress; Connect asks the caller to retry.
    return deployError('DEPLOY_CONNECT_REJECTED', `Kafka Connect refused ${method} ${path} (${status}): ${message}`, { retriable: status === 409 || status >= 500, detail: { status, message } });
  }

  async serverInfo(): Promise<ConnectServerInfo> {
    return (await this.request('GET', '/')).json as ConnectServerInfo;
  }

  async plugins(): Promise<ConnectPlugin[]> {
    return (await this.request('GET', '/connector-plugins?connectorsOnly=false')).json as ConnectPlugin[];
  }

  async validate(connectorClass: string, config: Readonly<Record<string, string>>): Promise<ConnectValidation> {
    return (await this.request('PUT', `/connector-plugins/${encodeURIComponent(connectorClass)}/config/validate`, config)).json as ConnectValidation;
  }

  /** Creates or updates; true when it was created. */
  async putConfig(name: string, config: Readonly<Record<string, string>>): Promise<boolean> {
    const { status } = await this.request('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
    return status === 201;
  }

  async config(name: string): Promise<Record<string, string> | undefined> {
    const { status, json } = await this.request('GET', `/connectors/${encodeURIComponent(name)}/config`, undefined, [404]);
    return status === 404 ? undefined : (json as Record<string, string>);
  }

  async connectors(): Promise<string[]> {
    return (await this.request('GET', '/connectors')).json as string[];
  }

  /** Every connector with its status and class, in one request. */
  async statuses(): Promise<(ConnectConnectorStatus & { connectorClass?: string })[]> {
    const json = (await this.request('GET', '/connectors?expand=status&expand=info')).json as Record<string, { status: ConnectConnectorStatus; info?: { config?: Record<string, string> } }>;
    return Object.values(json).map((entry) => {
      const connectorClass = entry.info?.config?.['connector.class'];
      return connectorClass ? { ...entry.status, connectorClass } : entry.status;
    });
  }

  /** Every connector with its status and whole config, in one request (the lineage reads topics and prefixes from it). */
  async statusesWithConfig(): Promise<{ status: ConnectConnectorStatus; config: Record<string, string>; type?: 'source' | 'sink' }[]> {
    const json = (await this.request('GET', '/connectors?expand=status&expand=info')).json as Record<string, { status: ConnectConnectorStatus; info?: { config?: Record<string, string>; type?: string } }>;
    return Object.values(json).map((entry) => {
      const type = entry.info?.type === 'source' || entry.info?.type === 'sink' ? entry.info.type : entry.status.type;
      return { status: entry.status, config: entry.info?.config ?? {}, ...(type ? { type } : {}) };
    });
  }

  /** The topics a connector has written or read since it was created (Connect's topic tracking); [] when tracking is off. */
  async activeTopics(name: string): Promise<string[]> {
    const { status, json } = await this.request('GET', `/connectors/${encodeURIComponent(name)}/topics`, undefined, [404, 403]);
    if (status !== 200) return [];
    const entry = (json as Record<string, { topics?: unknown }> | null)?.[name];
    return Array.isArray(entry?.topics) ? entry.topics.filter((topic): topic is string => typeof topic === 'string') : [];
  }

  async status(name: string): Promise<ConnectConnectorStatus | undefined> {
    const { status, json } = await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`, undefined, [404]);
    return status === 404 ? undefined : (json as ConnectConnectorStatus);
  }

  /** False when there was no such connector. */
  async delete(name: string): Promise<boolean> {
    const { status } = await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`, undefined, [404]);
    return status !== 404;
  }

  async pause(name: string): Promise<void> {
    await this.request('PUT', `/connectors/${encodeURIComponent(name)}/pause`);
  }

  async resume(name: string): Promise<void> {
    await this.request('PUT', `/connectors/${encodeURIComponent(name)}/resume`);
  }

  /** Restarts the connector and (by default) its failed tasks, as the REST API's includeTasks/onlyFailed do. */
  async restart(name: string, options: { includeTasks?: boolean; onlyFailed?: boolean } = {}): Promise<void> {
    const query = `includeTasks=${String(options.includeTasks ?? true)}&onlyFailed=${String(options.onlyFailed ?? false)}`;
    await this.request('POST', `/connectors/${encodeURIComponent(name)}/restart?${query}`);
  }

  async restartTask(name: string, task: number): Promise<void> {
    await this.request('POST', `/connectors/${encodeURIComponent(name)}/tasks/${task}/restart`);
  }
}

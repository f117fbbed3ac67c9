import { type EngineError, isEngineError } from '../../shared/errors';
import { createLogger, type Logger } from '../base/logger';
import { schemaError } from './errors';

/**
 * Client for Confluent Schema Registry's REST API (Confluent Platform, Confluent Cloud, and Ferry's embedded
 * registry), on the global fetch. Shapes and error codes follow [SR] core/.../rest/exceptions/Errors.java and
 * the client entities (RegisterSchemaResponse, SchemaString, Config, CompatibilityCheckResponse).
 */

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

export const SCHEMA_REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
// What Confluent's Java client sends (RestService.ACCEPT_HEADER).
const ACCEPT = 'application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5';

export interface SchemaRegistryClientOptions {
  /** `schema.registry.url`: one URL or a comma-separated list tried in order; `user:pass@` in it counts as basic auth. */
  url: string;
  /** `schema.registry.basic.auth.user.info`: "<key>:<secret>" (a Confluent Cloud Schema Registry API key). */
  basicAuthUserInfo?: string;
  /** Per request; default 30 s. */
  requestTimeoutMs?: number;
  logger?: Logger;
}

export interface RegistrySchema {
  schema: string;
  schemaType: SchemaType;
}

export interface SubjectVersionSchema extends RegistrySchema {
  subject: string;
  version: number;
  id: number;
}

export interface CompatibilityResult {
  compatible: boolean;
  /** The registry's reasons, when it gives them (verbose=true). */
  messages: string[];
}

interface RequestContext {
  /** For messages: "registering a schema under subject 'x'". */
  operation: string;
  subject?: string;
  id?: number | string;
  version?: number | string;
}

interface Endpoint {
  base: string;
  /** Without credentials: the only form that appears in messages and logs. */
  display: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function hideCredentials(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//');
}

function parseEndpoints(url: string): { endpoints: Endpoint[]; urlUserInfo?: string } {
  let urlUserInfo: string | undefined;
  const endpoints = url
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part): Endpoint => {
      let parsed: URL;
      try {
        parsed = new URL(part);
      } catch {
        throw schemaError(
          'SCHEMA_REGISTRY_CONFIG',
          `schema.registry.url '${hideCredentials(part)}' is not a URL. Use e.g. http://localhost:8081 or https://psrc-xxxxx.<region>.<cloud>.confluent.cloud.`,
        );
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw schemaError('SCHEMA_REGISTRY_CONFIG', `schema.registry.url '${hideCredentials(part)}' must start with http:// or https://.`);
      }
      if (parsed.username !== '' && urlUserInfo === undefined) {
        urlUserInfo = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
      }
      parsed.username = '';
      parsed.password = '';
      const base = parsed.toString().replace(/\/+$/, '');
      return { base, display: base };
    });
  if (endpoints.length === 0) {
    throw schemaError('SCHEMA_REGISTRY_CONFIG', 'schema.registry.url is empty. Set it to the registry address, e.g. http://localhost:8081.');
  }
  return urlUserInfo === undefined ? { endpoints } : { endpoints, urlUserInfo };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer before the timeout';
    const cause = (error as { cause?: unknown }).cause;
    if (isRecord(cause)) {
      const code = typeof cause.code === 'string' ? cause.code : undefined;
      const message = typeof cause.message === 'string' ? cause.message : undefined;
      if (code || message) return [code, message].filter(Boolean).join(': ');
    }
    return error.message;
  }
  return String(error);
}

export class SchemaRegistryClient {
  /** The first registry URL, without credentials (safe to show). */
  readonly url: string;
  private readonly endpoints: Endpoint[];
  private current = 0;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly schemasById = new Map<number, Promise<RegistrySchema>>();
  private readonly schemasByGuid = new Map<string, Promise<RegistrySchema>>();
  private readonly idsBySubjectSchema = new Map<string, Promise<number>>();

  constructor(options: SchemaRegistryClientOptions) {
    const { endpoints, urlUserInfo } = parseEndpoints(options.url);
    this.endpoints = endpoints;
    this.url = endpoints[0]?.display ?? '';
    const userInfo = options.basicAuthUserInfo ?? urlUserInfo;
    if (userInfo !== undefined && userInfo !== '') {
      if (!userInfo.includes(':')) {
        throw schemaError(
          'SCHEMA_REGISTRY_CONFIG',
          'schema.registry.basic.auth.user.info must be "<key>:<secret>" (API key, a colon, then the secret); the value given has no colon.',
        );
      }
      this.authorization = `Basic ${Buffer.from(userInfo, 'utf8').toString('base64')}`;
    }
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.log = options.logger ?? createLogger('schema.registry');
  }

  // ------------------------------------------------------------------------------------------- schemas

  /**
   * Registers `schema` under `subject` (or finds it already there) and returns its global id. Cached per
   * (subject, schema text), and concurrent calls share one request, so the per-record path costs a map lookup.
   */
  register(subject: string, schema: string, options: { schemaType?: SchemaType; normalize?: boolean } = {}): Promise<number> {
    const schemaType = options.schemaType ?? 'AVRO';
    const key = `${subject}\u0000${schemaType}\u0000${options.normalize ? 1 : 0}\u0000${schema}`;
    return this.cached(this.idsBySubjectSchema, key, async () => {
      const query = options.normalize ? '?normalize=true' : '';
      const body = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions${query}`, schemaBody(schema, schemaType), {
        operation: `registering a schema under subject '${subject}'`,
        subject,
      });
      const id = isRecord(body) ? body.id : undefined;
      if (typeof id !== 'number') throw this.badResponse(`POST /subjects/${subject}/versions`, body);
      // The text we sent is this id's schema: decoding our own records then needs no lookup.
      if (!this.schemasById.has(id)) this.schemasById.set(id, Promise.resolve({ schema, schemaType }));
      this.log.debug('registered schema', { subject, id });
      return id;
    });
  }

  /** The schema with this global id (what a deserializer fetches for the id in a record). Cached forever: ids never change. */
  getSchemaById(id: number): Promise<RegistrySchema> {
    return this.cached(this.schemasById, id, async () => {
      const body = await this.request('GET', `/schemas/ids/${id}`, undefined, { operation: `fetching schema id ${id}`, id });
      return this.parseSchemaString(body, `GET /schemas/ids/${id}`);
    });
  }

  /** The schema with this GUID (CP 8.x `__value_schema_id` headers with magic byte 0x01). */
  getSchemaByGuid(guid: string): Promise<RegistrySchema> {
    return this.cached(this.schemasByGuid, guid, async () => {
      const body = await this.request('GET', `/schemas/guids/${encodeURIComponent(guid)}`, undefined, {
        operation: `fetching schema guid ${guid}`,
        id: guid,
      });
      return this.parseSchemaString(body, `GET /schemas/guids/${guid}`);
    });
  }

  /** The version of `subject` that holds `schema`, or null when it is not registered there (nothing is registered). */
  async lookupSchema(subject: string, schema: string, options: { schemaType?: SchemaType } = {}): Promise<SubjectVersionSchema | null> {
    try {
      const body = await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, schemaBody(schema, options.schemaType ?? 'AVRO'), {
        operation: `looking up a schema under subject '${subject}'`,
        subject,
      });
      return this.parseSubjectVersion(body, `POST /subjects/${subject}`);
    } catch (error) {
      if (isEngineError(error) && (error.code === 'SCHEMA_REGISTRY_SUBJECT_NOT_FOUND' || error.code === 'SCHEMA_REGISTRY_SCHEMA_NOT_FOUND')) return null;
      throw error;
    }
  }

  getLatestSchema(subject: string): Promise<SubjectVersionSchema> {
    return this.getSchemaVersion(subject, 'latest');
  }

  async getSchemaVersion(subject: string, version: number | 'latest'): Promise<SubjectVersionSchema> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions/${version}`;
    const body = await this.request('GET', path, undefined, { operation: `reading version ${version} of subject '${subject}'`, subject, version });
    return this.parseSubjectVersion(body, `GET ${path}`);
  }

  async listSubjects(): Promise<string[]> {
    const body = await this.request('GET', '/subjects', undefined, { operation: 'listing subjects' });
    if (!Array.isArray(body) || !body.every((s) => typeof s === 'string')) throw this.badResponse('GET /subjects', body);
    return body as string[];
  }

  async listVersions(subject: string): Promise<number[]> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const body = await this.request('GET', path, undefined, { operation: `listing versions of subject '${subject}'`, subject });
    if (!Array.isArray(body) || !body.every((v) => typeof v === 'number')) throw this.badResponse(`GET ${path}`, body);
    return body as number[];
  }

  /** Soft-deletes (or, after that, with `permanent`, removes) a subject; returns the versions deleted. */
  async deleteSubject(subject: string, options: { permanent?: boolean } = {}): Promise<number[]> {
    const path = `/subjects/${encodeURIComponent(subject)}${options.permanent ? '?permanent=true' : ''}`;
    const body = await this.request('DELETE', path, undefined, { operation: `deleting subject '${subject}'`, subject });
    if (!Array.isArray(body) || !body.every((v) => typeof v === 'number')) throw this.badResponse(`DELETE ${path}`, body);
    for (const key of this.idsBySubjectSchema.keys()) if (key.startsWith(`${subject}\u0000`)) this.idsBySubjectSchema.delete(key);
    return body as number[];
  }

  // ------------------------------------------------------------------------------------------- compatibility

  /** The level that applies to `subject` (its own, else the global one), or the global level without a subject. */
  async getCompatibility(subject?: string): Promise<CompatibilityLevel> {
    const path = subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`;
    const body = await this.request('GET', path, undefined, {
      operation: subject === undefined ? 'reading the global compatibility level' : `reading the compatibility level of subject '${subject}'`,
      ...(subject === undefined ? {} : { subject }),
    });
    // GET answers {"compatibilityLevel": …} while PUT answers {"compatibility": …} ([SR] Config vs ConfigUpdateRequest).
    const level = isRecord(body) ? (body.compatibilityLevel ?? body.compatibility) : undefined;
    if (!isCompatibilityLevel(level)) throw this.badResponse(`GET ${path}`, body);
    return level;
  }

  /** The subject's own level, without falling back to the global one: the registry answers 40408 when it has none. */
  async getSubjectCompatibility(subject: string): Promise<CompatibilityLevel> {
    const path = `/config/${encodeURIComponent(subject)}`;
    const body = await this.request('GET', path, undefined, { operation: `reading the compatibility level set on subject '${subject}'`, subject });
    const level = isRecord(body) ? (body.compatibilityLevel ?? body.compatibility) : undefined;
    if (!isCompatibilityLevel(level)) throw this.badResponse(`GET ${path}`, body);
    return level;
  }

  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<CompatibilityLevel> {
    const path = subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}`;
    const body = await this.request('PUT', path, { compatibility: level }, {
      operation: subject === undefined ? `setting the global compatibility level to ${level}` : `setting compatibility of subject '${subject}' to ${level}`,
      ...(subject === undefined ? {} : { subject }),
    });
    const answered = isRecord(body) ? (body.compatibility ?? body.compatibilityLevel) : undefined;
    if (!isCompatibilityLevel(answered)) throw this.badResponse(`PUT ${path}`, body);
    return answered;
  }

  /** Would registering `schema` under `subject` pass the subject's compatibility check against `version`? */
  async testCompatibility(
    subject: string,
    schema: string,
    options: { version?: number | 'latest'; schemaType?: SchemaType } = {},
  ): Promise<CompatibilityResult> {
    const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${options.version ?? 'latest'}?verbose=true`;
    const body = await this.request('POST', path, schemaBody(schema, options.schemaType ?? 'AVRO'), {
      operation: `testing compatibility of a schema with subject '${subject}'`,
      subject,
      version: options.version ?? 'latest',
    });
    if (!isRecord(body) || typeof body.is_compatible !== 'boolean') throw this.badResponse(`POST ${path}`, body);
    const messages = Array.isArray(body.messages) ? body.messages.map(String) : [];
    return { compatible: body.is_compatible, messages };
  }

  async getMode(): Promise<string> {
    const body = await this.request('GET', '/mode', undefined, { operation: 'reading the registry mode' });
    if (!isRecord(body) || typeof body.mode !== 'string') throw this.badResponse('GET /mode', body);
    return body.mode;
  }

  // ------------------------------------------------------------------------------------------- plumbing

  private cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    const hit = cache.get(key);
    if (hit) return hit;
    const pending = load();
    cache.set(key, pending);
    // A failure must not stay cached: the next record retries.
    pending.catch(() => {
      if (cache.get(key) === pending) cache.delete(key);
    });
    return pending;
  }

  private async request(method: string, path: string, body: unknown, context: RequestContext): Promise<unknown> {
    const headers: Record<string, string> = { Accept: ACCEPT };
    if (body !== undefined) headers['Content-Type'] = SCHEMA_REGISTRY_CONTENT_TYPE;
    if (this.authorization) headers.Authorization = this.authorization;
    const failures: string[] = [];
    // Try each configured URL once, starting with the last one that answered.
    for (let attempt = 0; attempt < this.endpoints.length; attempt += 1) {
      const index = (this.current + attempt) % this.endpoints.length;
      const endpoint = this.endpoints[index] as Endpoint;
      let response: Response;
      try {
        response = await fetch(`${endpoint.base}${path}`, {
          method,
          headers,
          body: body === undefined ? null : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        failures.push(`${endpoint.display} (${describeNetworkError(error)})`);
        this.log.warn('schema registry unreachable', { url: endpoint.display, path, reason: describeNetworkError(error) });
        continue;
      }
      this.current = index;
      const text = await response.text();
      let parsed: unknown = undefined;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      if (response.ok) {
        if (parsed === undefined) throw this.badResponse(`${method} ${path}`, text.slice(0, 200), endpoint.display);
        return parsed;
      }
      throw this.httpError(response.status, parsed, text, context, endpoint.display);
    }
    throw schemaError(
      'SCHEMA_REGISTRY_UNREACHABLE',
      `Cannot reach the Schema Registry while ${context.operation}: ${failures.join('; ')}. ` +
        'Check schema.registry.url, that the registry is running and that this machine can reach it (proxy, firewall, VPN).',
      { retriable: true, detail: { urls: this.endpoints.map((e) => e.display) } },
    );
  }

  private httpError(status: number, parsed: unknown, text: string, context: RequestContext, url: string): EngineError {
    const errorCode = isRecord(parsed) && typeof parsed.error_code === 'number' ? parsed.error_code : status;
    const registryMessage = isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : text.slice(0, 200) || `HTTP ${status}`;
    const detail = { status, errorCode, registryMessage, url, ...context };
    const subject = context.subject === undefined ? '' : ` subject '${context.subject}'`;
    if (status === 401) {
      const fix = this.authorization
        ? 'Check schema.registry.basic.auth.user.info ("<key>:<secret>"). On Confluent Cloud the registry needs its own API key, created for the Schema Registry cluster (lsrc-…), not the Kafka cluster key.'
        : 'The registry requires credentials: set schema.registry.basic.auth.user.info to "<key>:<secret>" (on Confluent Cloud, a Schema Registry API key).';
      return schemaError('SCHEMA_REGISTRY_AUTH', `Schema Registry at ${url} rejected the credentials (HTTP 401) while ${context.operation}. ${fix}`, { detail });
    }
    if (status === 403) {
      return schemaError(
        'SCHEMA_REGISTRY_AUTH',
        `Schema Registry at ${url} denied ${context.operation} (HTTP 403): the credentials are valid but lack permission${subject ? ` on${subject}` : ''}. ` +
          'Grant the key’s account access (in Confluent Cloud e.g. DeveloperWrite on the subject) or use a key that has it.',
        { detail },
      );
    }
    switch (errorCode) {
      case 40401:
        return schemaError(
          'SCHEMA_REGISTRY_SUBJECT_NOT_FOUND',
          `Subject '${context.subject ?? '?'}' does not exist in the Schema Registry at ${url} (${context.operation}). ` +
            "Check the topic name and the subject name strategy (TopicNameStrategy uses '<topic>-value' and '<topic>-key'), or let the producer register it first.",
          { detail },
        );
      case 40402:
        return schemaError(
          'SCHEMA_REGISTRY_VERSION_NOT_FOUND',
          `Version ${context.version ?? '?'} of subject '${context.subject ?? '?'}' does not exist in the Schema Registry at ${url}. ` +
            `List the versions that do (GET /subjects/${context.subject ?? '<subject>'}/versions) and pick one of them.`,
          { detail },
        );
      case 40403:
        return schemaError(
          'SCHEMA_REGISTRY_SCHEMA_NOT_FOUND',
          context.id !== undefined
            ? `Schema ${context.id} is not in the Schema Registry at ${url}. The record was written against another registry, or the schema was deleted permanently; point schema.registry.url at the registry the producer used.`
            : `The schema is not registered under${subject} in the Schema Registry at ${url}. Register it first (or enable auto.register.schemas).`,
          { detail },
        );
      case 40404:
      case 40405:
      case 40406:
      case 40407:
        return schemaError('SCHEMA_REGISTRY_REJECTED', `Schema Registry at ${url} refused ${context.operation}: ${registryMessage}`, { detail });
      case 409:
      case 40901:
        return schemaError(
          'SCHEMA_REGISTRY_INCOMPATIBLE',
          `Schema Registry at ${url} rejected the new schema for${subject} as incompatible with its registered versions: ${registryMessage}. ` +
            'Make the change compatible (add columns as optional or with a default; do not rename columns, drop required ones or narrow types), ' +
            `or, once every consumer can cope, change the subject's level (PUT /config/${context.subject ?? '<subject>'} {"compatibility":"NONE"}).`,
          { detail },
        );
      case 42201:
        return schemaError(
          'SCHEMA_REGISTRY_INVALID_SCHEMA',
          `Schema Registry at ${url} says the schema for${subject} is invalid: ${registryMessage}. Fix the schema (it must parse as Avro) and register again.`,
          { detail },
        );
      default:
        break;
    }
    if (status === 409) {
      // Anything else that conflicts (e.g. older registries used plain 409 for incompatibility).
      return schemaError('SCHEMA_REGISTRY_INCOMPATIBLE', `Schema Registry at ${url} refused ${context.operation}: ${registryMessage}`, { detail });
    }
    if (status >= 500 || status === 429 || status === 408) {
      return schemaError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `Schema Registry at ${url} failed while ${context.operation} (HTTP ${status}: ${registryMessage}). This is usually temporary (the registry or its Kafka store is busy or restarting); it will be retried.`,
        { retriable: true, detail },
      );
    }
    if (status === 404 && errorCode === 404) {
      return schemaError(
        'SCHEMA_REGISTRY_BAD_RESPONSE',
        `${url} answered HTTP 404 for ${context.operation}: it does not look like a Schema Registry (wrong port or path in schema.registry.url?).`,
        { detail },
      );
    }
    return schemaError('SCHEMA_REGISTRY_REJECTED', `Schema Registry at ${url} refused ${context.operation}: ${registryMessage} (error ${errorCode}).`, {
      detail,
    });
  }

  private badResponse(what: string, body: unknown, url: string = this.url): EngineError {
    const shown = typeof body === 'string' ? body : JSON.stringify(body)?.slice(0, 200);
    return schemaError(
      'SCHEMA_REGISTRY_BAD_RESPONSE',
      `${url} gave an unexpected answer to ${what}: ${shown}. Is schema.registry.url a Confluent-compatible Schema Registry?`,
      { detail: { url, what } },
    );
  }

  private parseSchemaString(body: unknown, what: string): RegistrySchema {
    if (!isRecord(body) || typeof body.schema !== 'string') throw this.badResponse(what, body);
    return { schema: body.schema, schemaType: schemaTypeOf(body.schemaType) };
  }

  private parseSubjectVersion(body: unknown, what: string): SubjectVersionSchema {
    if (!isRecord(body) || typeof body.schema !== 'string' || typeof body.id !== 'number' || typeof body.version !== 'number' || typeof body.subject !== 'string') {
      throw this.badResponse(what, body);
    }
    return { subject: body.subject, version: body.version, id: body.id, schema: body.schema, schemaType: schemaTypeOf(body.schemaType) };
  }
}

/** The registry omits schemaType for Avro, the default. */
function schemaTypeOf(value: unknown): SchemaType {
  return value === 'JSON' || value === 'PROTOBUF' ? value : 'AVRO';
}

function schemaBody(schema: string, schemaType: SchemaType): Record<string, string> {
  return schemaType === 'AVRO' ? { schema } : { schema, schemaType };
}

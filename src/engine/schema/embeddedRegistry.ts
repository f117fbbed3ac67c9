import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isEngineError } from '../../shared/errors';
import type { IDisposable } from '../../shared/lifecycle';
import { createLogger, type Logger } from '../base/logger';
import { schemaError } from './errors';
import { type CompatibilityLevel, SCHEMA_REGISTRY_CONTENT_TYPE } from './registryClient';
import { RegistryRefusal, RegistryStore, type SchemaInput, type SchemaReference } from './registryStore';

/**
 * Ferry's own Schema Registry for local work: Confluent's REST API on loopback, so Connect workers, Confluent's
 * serializers and kafkajs tools can use it unchanged. Shapes follow [SR] SubjectVersionsResource,
 * SubjectsResource, SchemasResource, ConfigResource, CompatibilityResource, ContextsResource,
 * ServerMetadataResource and Errors.java; connectors reference §6.1. Only Avro is stored; references work, the
 * only context is the default one (".") and there is no IMPORT mode.
 */

export interface EmbeddedRegistryOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the registry has no TLS, so it listens on loopback unless told otherwise. */
  host?: string;
  /** JSON file that keeps schema ids across restarts; in memory only when absent. */
  storeFile?: string;
  /** Require HTTP basic auth, as Confluent Cloud does: "user:password" or an object. */
  basicAuth?: string | { username: string; password: string };
  /** Global level for a new store (Confluent's default is BACKWARD). */
  defaultCompatibility?: CompatibilityLevel;
  /** The Kafka cluster this registry belongs to, for GET /v1/metadata/id (Confluent reports its own cluster's id). */
  kafkaClusterId?: string;
  logger?: Logger;
}

export interface EmbeddedSchemaRegistry extends IDisposable {
  /** http://127.0.0.1:<port>, for schema.registry.url. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface Request {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

type Reply = { status: number; body: unknown; raw?: string };

const ok = (body: unknown): Reply => ({ status: 200, body });

function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

function schemaField(body: unknown): SchemaInput {
  if (typeof body !== 'object' || body === null || typeof (body as { schema?: unknown }).schema !== 'string') {
    throw new RegistryRefusal(422, 42201, 'Empty schema');
  }
  const request = body as { schema: string; schemaType?: unknown; references?: unknown };
  if (request.schemaType !== undefined && request.schemaType !== null && request.schemaType !== 'AVRO') {
    throw new RegistryRefusal(422, 42201, `Invalid schema type ${String(request.schemaType)}: Ferry's embedded registry stores AVRO schemas only`);
  }
  return { schema: request.schema, references: referencesField(request.references) };
}

/** `references`: [{name, subject, version}], as Confluent's SchemaReference. */
function referencesField(value: unknown): SchemaReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RegistryRefusal(422, 42201, 'Invalid schema: "references" must be an array of {name, subject, version}');
  return value.map((item: unknown, index) => {
    const reference = (typeof item === 'object' && item !== null ? item : {}) as { name?: unknown; subject?: unknown; version?: unknown };
    const version = Number(reference.version);
    if (typeof reference.name !== 'string' || typeof reference.subject !== 'string' || !Number.isSafeInteger(version) || version < 1) {
      throw new RegistryRefusal(422, 42201, `Invalid schema: references[${index}] must be {"name": "<type name>", "subject": "<subject>", "version": <number>}`);
    }
    return { name: reference.name, subject: reference.subject, version };
  });
}

function count(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  const value = text === null ? fallback : Number(text);
  return Number.isSafeInteger(value) ? value : fallback;
}

function notFound(): never {
  throw new RegistryRefusal(404, 404, 'HTTP 404 Not Found');
}

function methodNotAllowed(): never {
  throw new RegistryRefusal(405, 405, 'HTTP 405 Method Not Allowed');
}

/** Routes one request; every path the Confluent clients use plus the listing endpoints of §6.1. */
function route(store: RegistryStore, request: Request, kafkaClusterId: string): Reply {
  const { method, segments: s, query } = request;
  const deleted = flag(query, 'deleted');
  const [head, second, third, fourth, fifth, sixth] = s;
  const id = (text: string | undefined): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new RegistryRefusal(404, 40403, `Schema ${text} not found`);
    return value;
  };
  const only = (allowed: string): void => {
    if (method !== allowed) methodNotAllowed();
  };

  if (s.length === 0) {
    only('GET');
    return ok({});
  }
  if (head === 'schemas') {
    if (s.length === 1) {
      only('GET');
      return ok(
        store.allSchemas({
          prefix: query.get('subjectPrefix') ?? '',
          includeDeleted: deleted,
          latestOnly: flag(query, 'latestOnly'),
          offset: count(query, 'offset', 0),
          limit: count(query, 'limit', -1),
        }),
      );
    }
    if (second === 'types' && s.length === 2) {
      only('GET');
      return ok(['AVRO']);
    }
    if (second === 'ids' && third !== undefined) {
      only('GET');
      const schemaId = id(third);
      if (s.length === 3) return ok(store.schemaViewById(schemaId));
      if (s.length === 4 && fourth === 'schema') return { status: 200, body: undefined, raw: store.schemaById(schemaId) };
      if (s.length === 4 && fourth === 'versions') return ok(store.subjectVersionsForId(schemaId, deleted));
      if (s.length === 4 && fourth === 'subjects') return ok([...new Set(store.subjectVersionsForId(schemaId, deleted).map((v) => v.subject))]);
    }
    if (second === 'guids' && third !== undefined && s.length === 3) {
      only('GET');
      return ok({ schema: store.schemaByGuid(third) });
    }
    notFound();
  }
  if (head === 'subjects') {
    if (s.length === 1) {
      only('GET');
      return ok(store.subjects(deleted, query.get('subjectPrefix') ?? ''));
    }
    const subject = second as string;
    if (s.length === 2) {
      if (method === 'POST') return ok(store.lookup(subject, schemaField(request.body), deleted));
      if (method === 'DELETE') return ok(store.deleteSubject(subject, flag(query, 'permanent')));
      methodNotAllowed();
    }
    if (third === 'versions') {
      if (s.length === 3) {
        if (method === 'POST') return ok({ id: store.register(subject, schemaField(request.body)).id });
        only('GET');
        return ok(store.versions(subject, deleted));
      }
      if (s.length === 4 && method === 'DELETE') return ok(store.deleteVersion(subject, fourth as string, flag(query, 'permanent')));
      only('GET');
      if (s.length === 5 && fifth === 'referencedby') return ok(store.referencedBy(subject, fourth as string));
      const view = store.version(subject, fourth as string, deleted);
      if (s.length === 4) return ok(view);
      if (s.length === 5 && fifth === 'schema') return { status: 200, body: undefined, raw: view.schema };
    }
    notFound();
  }
  if (head === 'contexts' && s.length === 1) {
    only('GET');
    return ok(['.']);
  }
  if (head === 'v1' && second === 'metadata' && third === 'id' && s.length === 3) {
    only('GET');
    return ok({ scope: { path: [], clusters: { 'kafka-cluster': kafkaClusterId, 'schema-registry-cluster': 'schema-registry' } } });
  }
  if (head === 'config') {
    if (s.length === 1) {
      if (method === 'GET') return ok({ compatibilityLevel: store.compatibility() });
      only('PUT');
      return ok({ compatibility: store.setCompatibility(levelField(request.body)) });
    }
    if (s.length === 2) {
      const subject = second as string;
      if (method === 'PUT') return ok({ compatibility: store.setCompatibility(levelField(request.body), subject) });
      if (method === 'DELETE') return ok({ compatibilityLevel: store.deleteCompatibility(subject) });
      only('GET');
      const own = store.compatibility(subject);
      if (own !== undefined) return ok({ compatibilityLevel: own });
      if (flag(query, 'defaultToGlobal')) return ok({ compatibilityLevel: store.compatibility() });
      throw new RegistryRefusal(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);
    }
    notFound();
  }
  if (head === 'mode') {
    if (s.length === 1) {
      if (method === 'GET') return ok({ mode: store.mode() });
      only('PUT');
      const mode = typeof request.body === 'object' && request.body !== null ? (request.body as { mode?: unknown }).mode : undefined;
      return ok({ mode: store.setMode(String(mode)) });
    }
    if (s.length === 2) {
      only('GET');
      if (flag(query, 'defaultToGlobal')) return ok({ mode: store.mode() });
      throw new RegistryRefusal(404, 40409, `Subject '${second}' does not have subject-level mode configured`);
    }
    notFound();
  }
  if (head === 'compatibility' && second === 'subjects' && fourth === 'versions' && (s.length === 4 || s.length === 5) && sixth === undefined) {
    only('POST');
    const problems = store.testCompatibility(third as string, schemaField(request.body), fifth);
    const reply: { is_compatible: boolean; messages?: string[] } = { is_compatible: problems.length === 0 };
    if (flag(query, 'verbose')) reply.messages = problems;
    return ok(reply);
  }
  notFound();
}

function levelField(body: unknown): string {
  const level = typeof body === 'object' && body !== null ? (body as { compatibility?: unknown }).compatibility : undefined;
  if (typeof level !== 'string') {
    throw new RegistryRefusal(
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    );
  }
  return level;
}

function expectedAuthorization(basicAuth: EmbeddedRegistryOptions['basicAuth']): Buffer | undefined {
  if (basicAuth === undefined) return undefined;
  const userInfo = typeof basicAuth === 'string' ? basicAuth : `${basicAuth.username}:${basicAuth.password}`;
  return Buffer.from(`Basic ${Buffer.from(userInfo, 'utf8').toString('base64')}`);
}

function authorized(expected: Buffer | undefined, header: string | undefined): boolean {
  if (expected === undefined) return true;
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RegistryRefusal(413, 413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, text: string, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': SCHEMA_REGISTRY_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, errorCode: number, message: string, extraHeaders: Record<string, string> = {}): void {
  send(res, status, JSON.stringify({ error_code: errorCode, message }), extraHeaders);
}

/** Starts the registry; resolves once it listens. `close()` (or `dispose()`) stops it and drops open connections. */
export async function startEmbeddedSchemaRegistry(options: EmbeddedRegistryOptions = {}): Promise<EmbeddedSchemaRegistry> {
  const log = options.logger ?? createLogger('schema.embeddedRegistry');
  const store = new RegistryStore(options.storeFile, options.defaultCompatibility ?? 'BACKWARD');
  const expectedAuth = expectedAuthorization(options.basicAuth);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(expectedAuth, req.headers.authorization)) {
      sendError(res, 401, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="SchemaRegistry"' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://registry');
    const segments = url.pathname
      .split('/')
      .filter((part) => part.length > 0)
      .map((part) => {
        try {
          return decodeURIComponent(part);
        } catch {
          throw new RegistryRefusal(404, 404, 'HTTP 404 Not Found');
        }
      });
    const method = req.method ?? 'GET';
    let body: unknown;
    if (method === 'POST' || method === 'PUT') {
      const text = await readBody(req);
      if (text.trim().length > 0) {
        try {
          body = JSON.parse(text);
        } catch (error) {
          sendError(res, 400, 400, `Unrecognized request body, expected JSON: ${(error as Error).message}`);
          return;
        }
      }
    }
    const reply = route(store, { method, segments, query: url.searchParams, body }, options.kafkaClusterId ?? '');
    if (method !== 'GET') log.debug('schema registry change', { method, path: url.pathname });
    send(res, reply.status, reply.raw ?? JSON.stringify(reply.body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof RegistryRefusal) return sendError(res, error.status, error.errorCode, error.message);
      if (isEngineError(error) && error.code === 'SCHEMA_REGISTRY_STORE') return sendError(res, 500, 50001, error.message);
      log.error('schema registry request failed', { error: error instanceof Error ? error.message : String(error) });
      sendError(res, 500, 50001, `Error in the embedded Schema Registry: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        schemaError(
          'SCHEMA_REGISTRY_CONFIG',
          error.code === 'EADDRINUSE'
            ? `The embedded Schema Registry cannot listen on ${host}:${options.port}: the port is in use. Pick another port (or 0 for any free one).`
            : `The embedded Schema Registry cannot listen on ${host}:${options.port ?? 0}: ${error.message}`,
          { cause: error, retriable: error.code === 'EADDRINUSE' },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info('embedded Schema Registry listening', { url, store: options.storeFile ?? 'memory', auth: expectedAuth !== undefined });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // fetch keeps connections alive; without this close() would wait for them to time out.
      server.closeAllConnections();
    });
    return closing;
  };
  return {
    url,
    port,
    close,
    dispose: () => {
      void close();
    },
  };
}

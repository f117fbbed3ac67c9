import type { Type } from 'avsc';
import type { DecodedPayload, DecodeMode } from '../../shared/api/topics';
import { isEngineError } from '../../shared/errors';
import { decodeFrame, type RecordHeaders, type SchemaRegistryClient } from '../schema';
import { displayTypeFor, toJsonValue } from './avroValues';

/** A decoded payload with the parsed value kept for the filter (never sent over the API). */
export interface DecodedForFilter extends DecodedPayload {
  parsed?: unknown;
}

interface SchemaEntry {
  type: Type;
  schemaText: string;
}

/** Failed registry look-ups are remembered this long, so a dead registry is not asked once per record. */
const FAILURE_TTL_MS = 5_000;
const HEX_LIMIT = 64 * 1024;

function hex(bytes: Buffer): string {
  const shown = bytes.length > HEX_LIMIT ? bytes.subarray(0, HEX_LIMIT) : bytes;
  return shown.toString('hex').replace(/(.{2})(?=.)/g, '$1 ');
}

function asHex(bytes: Buffer, reason: string): DecodedForFilter {
  return { format: 'hex', text: hex(bytes), size: bytes.length, reason, ...(bytes.length > HEX_LIMIT ? { truncated: true } : {}) };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Buffer): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Control characters other than tab, newline and carriage return mean "binary", not text. */
function looksLikeText(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return false;
  }
  return true;
}

function firstByteNote(bytes: Buffer): string {
  return bytes.length === 0 ? 'empty' : `first byte 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')}`;
}

/**
 * Turns a record's key or value bytes into something a person can read: Avro through the Schema Registry, JSON,
 * text, or hex with the reason decoding failed. Schemas and their subject/version are cached per id.
 */
export class PayloadDecoder {
  private readonly schemas = new Map<number, Promise<SchemaEntry>>();
  private readonly failures = new Map<number, { at: number; reason: string }>();
  private readonly versions = new Map<string, Promise<{ subject: string; version: number } | null | undefined>>();

  constructor(
    private readonly topic: string,
    private readonly registry: SchemaRegistryClient | undefined,
  ) {}

  async decode(bytes: Buffer | null, headers: RecordHeaders | undefined, isKey: boolean, mode: DecodeMode): Promise<DecodedForFilter> {
    if (bytes === null) return { format: 'null', text: 'null', size: 0, parsed: null };
    switch (mode) {
      case 'hex':
        return { format: 'hex', text: hex(bytes), size: bytes.length, ...(bytes.length > HEX_LIMIT ? { truncated: true } : {}) };
      case 'text': {
        const text = utf8(bytes);
        return text === undefined ? asHex(bytes, 'not valid UTF-8 text') : { format: 'text', text, size: bytes.length, parsed: text };
      }
      case 'json':
        return this.decodeJson(bytes) ?? asHex(bytes, `not JSON (${firstByteNote(bytes)})`);
      case 'avro':
        return this.decodeAvro(bytes, headers, isKey);
      case 'auto':
        return this.decodeAuto(bytes, headers, isKey);
    }
  }

  private async decodeAuto(bytes: Buffer, headers: RecordHeaders | undefined, isKey: boolean): Promise<DecodedForFilter> {
    const schemaHeader = headers?.[isKey ? '__key_schema_id' : '__value_schema_id'];
    if (schemaHeader !== undefined || (bytes[0] === 0 && bytes.length >= 5)) return this.decodeAvro(bytes, headers, isKey);
    const json = this.decodeJson(bytes);
    if (json) return json;
    const text = utf8(bytes);
    if (text !== undefined && looksLikeText(text)) return { format: 'text', text, size: bytes.length, parsed: text };
    return asHex(bytes, `no magic byte (${firstByteNote(bytes)}): not Schema Registry Avro, not JSON${text === undefined ? ', not UTF-8 text' : ''}`);
  }

  private decodeJson(bytes: Buffer): DecodedForFilter | undefined {
    const first = bytes[0];
    // Only objects, arrays and strings count as JSON here: "42" or "true" read better as text.
    if (first !== 0x7b && first !== 0x5b && first !== 0x22) return undefined;
    const text = utf8(bytes);
    if (text === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      return { format: 'json', text: JSON.stringify(parsed), size: bytes.length, parsed };
    } catch {
      return undefined;
    }
  }

  private async decodeAvro(bytes: Buffer, headers: RecordHeaders | undefined, isKey: boolean): Promise<DecodedForFilter> {
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(bytes, headers ?? null, isKey);
    } catch (error) {
      // decodeFrame's message already guesses what the bytes are (JSON, text, raw Avro…).
      return asHex(bytes, `no magic byte: ${(error as Error).message.replace(/^not Confluent wire format: /, '')}`);
    }
    if (frame.ref.kind !== 'id') {
      return asHex(bytes, `schema GUID ${frame.ref.guid}: GUID references are not supported by the viewer yet`);
    }
    const schemaId = frame.ref.id;
    if (!this.registry) {
      return { ...asHex(bytes, `Avro with schema id ${schemaId}, but no Schema Registry is chosen: pick one to decode it`), schemaId };
    }
    const entry = await this.schema(schemaId);
    if (typeof entry === 'string') return { ...asHex(bytes, entry), schemaId };
    let value: unknown;
    try {
      value = entry.type.fromBuffer(frame.body);
    } catch (error) {
      return { ...asHex(bytes, `schema id ${schemaId}: the body does not decode with that schema (${(error as Error).message})`), schemaId };
    }
    const parsed = toJsonValue(value);
    const subjectVersion = await this.subjectVersion(schemaId, entry.schemaText, isKey);
    // The registry answered, and this topic's subject has no such schema: the id belongs to another subject there,
    // which is what a record written through another registry looks like (plausible values, wrong meaning).
    const warning =
      subjectVersion === null
        ? `schema id ${schemaId} is not a version of "${this.topic}-${isKey ? 'key' : 'value'}" in the registry at ${this.registry.url}: the record was probably written through another registry (or with a subject naming other than TopicNameStrategy), so these values may be wrong. Pick the registry that wrote the topic.`
        : undefined;
    return {
      format: 'avro',
      text: JSON.stringify(parsed),
      size: bytes.length,
      schemaId,
      ...(subjectVersion ?? {}),
      ...(warning ? { warning } : {}),
      parsed,
    };
  }

  /** The decoding type for an id, or the reason there is none. */
  private async schema(id: number): Promise<SchemaEntry | string> {
    const failure = this.failures.get(id);
    if (failure && Date.now() - failure.at < FAILURE_TTL_MS) return failure.reason;
    let pending = this.schemas.get(id);
    if (!pending) {
      const registry = this.registry;
      if (!registry) return 'no Schema Registry';
      pending = registry.getSchemaById(id).then((found) => {
        if (found.schemaType !== 'AVRO') throw new Error(`schema id ${id} is ${found.schemaType}, which the viewer does not decode yet`);
        return { type: displayTypeFor(found.schema), schemaText: found.schema };
      });
      this.schemas.set(id, pending);
    }
    try {
      return await pending;
    } catch (error) {
      this.schemas.delete(id);
      const reason = isEngineError(error) && error.code === 'SCHEMA_REGISTRY_SCHEMA_NOT_FOUND'
        ? `unknown schema id ${id}: the registry at ${this.registry?.url ?? '?'} does not have it (written against another registry?)`
        : isEngineError(error) && error.code === 'SCHEMA_REGISTRY_UNREACHABLE'
          ? `schema id ${id}: the Schema Registry at ${this.registry?.url ?? '?'} is unreachable`
          : `schema id ${id}: ${(error as Error).message}`;
      this.failures.set(id, { at: Date.now(), reason });
      return reason;
    }
  }

  /**
   * Subject and version under TopicNameStrategy (`<topic>-value` / `<topic>-key`); null when the registry answered
   * that the subject does not hold this schema, undefined when it could not be asked.
   */
  private subjectVersion(id: number, schemaText: string, isKey: boolean): Promise<{ subject: string; version: number } | null | undefined> {
    const key = `${id}:${isKey ? 'key' : 'value'}`;
    let pending = this.versions.get(key);
    if (!pending) {
      const subject = `${this.topic}-${isKey ? 'key' : 'value'}`;
      pending = (this.registry?.lookupSchema(subject, schemaText) ?? Promise.resolve(undefined)).then(
        (found) => (found ? { subject: found.subject, version: found.version } : found === null ? null : undefined),
        () => undefined,
      );
      this.versions.set(key, pending);
    }
    return pending;
  }
}

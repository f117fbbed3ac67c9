/**
 * Schema migration to a destination registry: the subjects of a copied topic are registered again under the
 * destination topic's name (TopicNameStrategy, `<dest topic>-key` / `-value`, as Replicator's
 * DefaultSubjectTranslator renames them with `topic.rename.format`), and each Confluent-framed key or value gets
 * the schema id the destination registry assigned written into bytes 1–4. The Avro body is not touched.
 *
 * Ids are resolved once per (destination subject, source id) and then rewritten from a map, so the per-record
 * cost is a lookup and a 5-byte copy. A payload that starts with 0x00 but whose "id" the source registry does
 * not know is not Confluent-framed (e.g. a raw key) and is copied unchanged.
 */
import { isEngineError } from '../../shared/errors';
import type { ResolvedSchemaRegistry } from '../config';
import { ID_PREFIX_LENGTH, SchemaRegistryClient } from '../schema';
import { replicatorError } from './errors';

const MAGIC_BYTE = 0;
const NOT_FRAMED = -1;

function clientFor(registry: ResolvedSchemaRegistry): SchemaRegistryClient {
  const auth = registry.basicAuth;
  return new SchemaRegistryClient({ url: registry.urls.join(','), ...(auth ? { basicAuthUserInfo: `${auth.username}:${auth.password.reveal()}` } : {}) });
}

function isNotFound(error: unknown): boolean {
  return isEngineError(error) && /NOT_FOUND/.test(error.code);
}

export class SchemaMigrator {
  private readonly source: SchemaRegistryClient;
  private readonly destination: SchemaRegistryClient;
  /** `<dest subject>\0<source id>` → destination id, or NOT_FRAMED. */
  private readonly ids = new Map<string, number>();
  private readonly pending = new Map<string, Promise<number>>();
  /** Subjects registered on the destination (for status and tests). */
  readonly subjects = new Set<string>();

  constructor(registries: { source: ResolvedSchemaRegistry; destination: ResolvedSchemaRegistry }) {
    this.source = clientFor(registries.source);
    this.destination = clientFor(registries.destination);
  }

  /** Copies every version of the source topic's key and value subjects, oldest first, so the history matches. */
  async copySubjects(sourceTopic: string, destinationTopic: string): Promise<void> {
    for (const suffix of ['key', 'value']) {
      const from = `${sourceTopic}-${suffix}`;
      const to = `${destinationTopic}-${suffix}`;
      let versions: number[];
      try {
        versions = await this.source.listVersions(from);
      } catch (error) {
        if (isNotFound(error)) continue;
        throw error;
      }
      for (const version of versions.sort((a, b) => a - b)) {
        const schema = await this.source.getSchemaVersion(from, version);
        const id = await this.destination.register(to, schema.schema, { schemaType: schema.schemaType });
        this.ids.set(`${to}\u0000${schema.id}`, id);
        this.subjects.add(to);
      }
    }
  }

  /** The bytes with the destination's schema id; synchronous once the id is known (the common case). */
  rewrite(destinationTopic: string, isKey: boolean, bytes: Buffer | null): Buffer | null | Promise<Buffer | null> {
    if (bytes === null || bytes.length < ID_PREFIX_LENGTH || bytes[0] !== MAGIC_BYTE) return bytes;
    const sourceId = bytes.readInt32BE(1);
    const subject = `${destinationTopic}-${isKey ? 'key' : 'value'}`;
    const key = `${subject}\u0000${sourceId}`;
    const known = this.ids.get(key);
    if (known !== undefined) return withId(bytes, known);
    return this.resolve(key, subject, sourceId).then((id) => withId(bytes, id));
  }

  private resolve(key: string, subject: string, sourceId: number): Promise<number> {
    let promise = this.pending.get(key);
    if (!promise) {
      promise = (async () => {
        let schema;
        try {
          schema = await this.source.getSchemaById(sourceId);
        } catch (error) {
          if (isNotFound(error)) return NOT_FRAMED;
          throw replicatorError('REPLICATOR_SCHEMA', `Cannot read schema id ${sourceId} from the source registry ${this.source.url}: ${error instanceof Error ? error.message : String(error)}`, { retriable: true, cause: error });
        }
        try {
          const id = await this.destination.register(subject, schema.schema, { schemaType: schema.schemaType });
          this.subjects.add(subject);
          return id;
        } catch (error) {
          throw replicatorError('REPLICATOR_SCHEMA', `Cannot register schema id ${sourceId} under subject '${subject}' on the destination registry ${this.destination.url}: ${error instanceof Error ? error.message : String(error)}. Check the subject's compatibility level there.`, { retriable: !isEngineError(error) || error.retriable, cause: error });
        }
      })();
      this.pending.set(key, promise);
      promise.then(
        (id) => {
          this.ids.set(key, id);
          this.pending.delete(key);
        },
        () => this.pending.delete(key),
      );
    }
    return promise;
  }
}

function withId(bytes: Buffer, id: number): Buffer {
  if (id === NOT_FRAMED || bytes.readInt32BE(1) === id) return bytes;
  const copy = Buffer.from(bytes);
  copy.writeInt32BE(id, 1);
  return copy;
}

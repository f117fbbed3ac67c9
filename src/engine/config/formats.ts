/**
 * Key and value formats of a connector. Managed connectors name a format (`output.data.format`,
 * `input.key.format`, …); self-managed ones name a converter class (`value.converter`). Both map to one
 * ResolvedSerde. Ferry's worker defaults are Confluent Platform's `connect-avro-distributed.properties`:
 * Avro keys and values through the pipeline's Schema Registry.
 */
import { CONVERTERS, type CONVERTER_KEYS } from './connectors/commonKeys';
import type { Flavor, KeyValues } from './keys';
import { defineRule, type JsonPath, type ProblemList } from './problems';
import { REGISTRY_RULES, resolveRegistry } from './schemaRegistry';
import type { KeyFormat, ResolvedSchemaRegistry, ResolvedSerde, ValueFormat } from './types';

export const FORMAT_RULES = {
  unsupported: defineRule('format.unsupported', 'error', 'Ferry reads and writes AVRO and JSON values (Connect\'s JsonConverter, with or without `schemas.enable`) and AVRO, JSON or STRING keys; JSON_SR and PROTOBUF are not supported yet.'),
  conflict: defineRule('format.conflict', 'error', 'A managed format key and a converter class disagree.'),
  registryMissing: defineRule('format.registry-missing', 'error', 'AVRO needs a Schema Registry: `schema.registry.url` at the top of the pipeline file.'),
};

type ConverterValues = KeyValues<typeof CONVERTER_KEYS>;

export interface SerdeInput {
  which: 'key' | 'value';
  flavor: Flavor;
  /** The managed format key's value and name (`output.data.format`, `input.key.format`, …). */
  managedFormat: string | undefined;
  managedFormatKey: string;
  values: ConverterValues;
  given: ReadonlySet<string>;
  pathOf(name: string): JsonPath;
  connectorPath: JsonPath;
  pipelineRegistry: ResolvedSchemaRegistry | undefined;
  kafkaUsername: string | undefined;
  /** Format when nothing is configured; undefined = not decoded at all. */
  fallback: KeyFormat | ValueFormat | undefined;
}

export interface SerdeResult<F extends string> {
  serde: ResolvedSerde<F> | undefined;
  /** AVRO without any registry; reported once for the whole pipeline. */
  missingRegistry: boolean;
  secrets: string[];
}

const SUPPORTED: Record<'key' | 'value', readonly string[]> = { key: ['AVRO', 'JSON', 'STRING'], value: ['AVRO', 'JSON'] };

export function resolveSerde<F extends KeyFormat | ValueFormat>(input: SerdeInput, problems: ProblemList): SerdeResult<F> {
  const { which, values } = input;
  const converterKey = `${which}.converter` as const;
  const converter = values[converterKey];
  const fromConverter: string | undefined = converter ? CONVERTERS[converter] : undefined;
  const none: SerdeResult<F> = { serde: undefined, missingRegistry: false, secrets: [] };

  if (input.managedFormat !== undefined && fromConverter !== undefined && input.managedFormat !== fromConverter) {
    problems.report(
      FORMAT_RULES.conflict,
      input.pathOf(converterKey),
      `\`${input.managedFormatKey}\` says ${input.managedFormat} but \`${converterKey}\` is a ${fromConverter} converter`,
      `Keep one of them (\`${input.managedFormatKey}\` for Confluent Cloud configs, \`${converterKey}\` for Kafka Connect).`,
    );
    return none;
  }
  const format = input.managedFormat ?? fromConverter ?? input.fallback;
  if (format === undefined) return none;
  const formatPath = input.managedFormat !== undefined ? input.pathOf(input.managedFormatKey) : fromConverter !== undefined ? input.pathOf(converterKey) : input.connectorPath;

  if (!SUPPORTED[which].includes(format)) {
    const list = which === 'key' ? 'AVRO, JSON and STRING' : 'AVRO and JSON';
    problems.report(
      FORMAT_RULES.unsupported,
      formatPath,
      `${which === 'key' ? 'Key' : 'Value'} format ${format} is not supported yet; Ferry supports ${list}`,
      `Use AVRO (recommended, with Schema Registry) or JSON${which === 'key' ? ' or STRING' : ''}.`,
    );
    return none;
  }
  let registry: ResolvedSchemaRegistry | undefined;
  let missingRegistry = false;
  const secrets: string[] = [];
  if (format === 'AVRO') {
    const urls = values[`${which}.converter.schema.registry.url`] ?? [];
    const userInfo = values[`${which}.converter.basic.auth.user.info`];
    if (urls.length > 0) {
      const resolved = resolveRegistry(
        { urls, urlsPath: input.pathOf(`${which}.converter.schema.registry.url`), userInfo, userInfoPath: input.pathOf(`${which}.converter.basic.auth.user.info`), kafkaUsername: input.kafkaUsername },
        problems,
      );
      registry = resolved.registry;
      secrets.push(...resolved.secrets);
    } else {
      registry = input.pipelineRegistry;
      missingRegistry = registry === undefined;
    }
    if (userInfo !== undefined && values[`${which}.converter.basic.auth.credentials.source`] !== 'USER_INFO') {
      problems.report(
        REGISTRY_RULES.sourceIgnored,
        input.pathOf(`${which}.converter.basic.auth.user.info`),
        `Kafka Connect ignores \`${which}.converter.basic.auth.user.info\` unless \`${which}.converter.basic.auth.credentials.source\` is USER_INFO; Ferry uses it anyway`,
        `Add "${which}.converter.basic.auth.credentials.source": "USER_INFO" so the config works on Kafka Connect too.`,
      );
    }
  }
  const serde: ResolvedSerde<string> = {
    format,
    schemaRegistry: registry,
    subjectNameStrategy: which === 'key' ? values['key.converter.key.subject.name.strategy'] : values['value.converter.value.subject.name.strategy'],
    autoRegisterSchemas: values[`${which}.converter.auto.register.schemas`],
    useLatestVersion: values[`${which}.converter.use.latest.version`],
    // Connect's JsonConverter wraps each record in {"schema", "payload"} unless schemas.enable=false; a managed
    // connector's JSON format is always schemaless.
    ...(format === 'JSON' ? { jsonSchemas: fromConverter === 'JSON' && input.managedFormat === undefined && values[`${which}.converter.schemas.enable`] } : {}),
  };
  // `format` was checked against SUPPORTED[which], which is exactly F's members.
  return { serde: serde as ResolvedSerde<F>, missingRegistry, secrets };
}

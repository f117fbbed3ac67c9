/**
 * Schema Registry settings, at the pipeline's top level or on a connector's converter (reference §6.5). The
 * Java clients read credentials either from `basic.auth.user.info` ("key:secret") or from the URL
 * (`https://key:secret@host`); Ferry accepts both and keeps the secret wrapped.
 */
import { defineRule, type JsonPath, type ProblemList } from './problems';
import { Secret } from './secret';
import type { ResolvedSchemaRegistry } from './types';

export const REGISTRY_RULES = {
  urlInvalid: defineRule('schema-registry.url-invalid', 'error', 'A Schema Registry URL is http:// or https://.'),
  userInfoInvalid: defineRule('schema-registry.user-info-invalid', 'error', '`basic.auth.user.info` is `<key>:<secret>`.'),
  cloudWithoutAuth: defineRule('schema-registry.confluent-cloud-needs-auth', 'warning', 'Confluent Cloud\'s Schema Registry needs an API key.'),
  kafkaKeyReused: defineRule('schema-registry.kafka-key-reused', 'warning', 'Confluent Cloud\'s Schema Registry needs its own API key, not the Kafka cluster\'s.'),
  sourceIgnored: defineRule('schema-registry.credentials-source', 'warning', 'Kafka Connect ignores `basic.auth.user.info` unless `basic.auth.credentials.source=USER_INFO`.'),
};

export const LAB_REGISTRY_HINT = 'For local work, point it at Ferry\'s embedded Confluent-compatible registry.';

export interface RegistryInput {
  urls: readonly string[];
  urlsPath: JsonPath;
  userInfo: Secret | undefined;
  userInfoPath: JsonPath;
  /** Username of the Kafka credentials, to catch the Confluent Cloud "one key for both" mistake. */
  kafkaUsername: string | undefined;
}

export interface RegistryResult {
  registry: ResolvedSchemaRegistry;
  /** Secrets found inside URLs, for the scrubber. */
  secrets: string[];
}

export function resolveRegistry(input: RegistryInput, problems: ProblemList): RegistryResult {
  const secrets: string[] = [];
  const urls: string[] = [];
  let basicAuth: ResolvedSchemaRegistry['basicAuth'];
  for (const text of input.urls) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      url = new URL('invalid:');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      // Not quoted: a malformed URL may still hold credentials.
      problems.report(REGISTRY_RULES.urlInvalid, input.urlsPath, 'A Schema Registry URL is not a valid http:// or https:// URL', `Write it like https://psrc-xxxxx.<region>.<cloud>.confluent.cloud or http://127.0.0.1:8081. ${LAB_REGISTRY_HINT}`);
      continue;
    }
    if (url.username !== '' || url.password !== '') {
      const password = decodeURIComponent(url.password);
      secrets.push(password, url.password);
      basicAuth ??= { username: decodeURIComponent(url.username), password: new Secret(password) };
      url.username = '';
      url.password = '';
    }
    urls.push(url.toString().replace(/\/$/, ''));
  }
  if (input.userInfo) {
    const text = input.userInfo.reveal();
    const colon = text.indexOf(':');
    if (colon <= 0 || colon === text.length - 1) {
      problems.report(REGISTRY_RULES.userInfoInvalid, input.userInfoPath, 'Schema Registry credentials must be "<api key>:<api secret>" (the value is not shown)', 'Join the Schema Registry API key and secret with a colon.');
    } else {
      secrets.push(text.slice(colon + 1));
      basicAuth = { username: text.slice(0, colon), password: new Secret(text.slice(colon + 1)) };
    }
  }
  const cloud = urls.some((u) => /\.confluent\.cloud(:\d+)?$/i.test(new URL(u).host));
  if (cloud && !basicAuth) {
    problems.report(REGISTRY_RULES.cloudWithoutAuth, input.urlsPath, 'Confluent Cloud\'s Schema Registry answers 401 without credentials', 'Add "schema.registry.basic.auth.user.info": "<SR API key>:<SR API secret>".');
  }
  if (cloud && basicAuth && input.kafkaUsername !== undefined && basicAuth.username === input.kafkaUsername) {
    problems.report(REGISTRY_RULES.kafkaKeyReused, input.userInfoPath, 'The Schema Registry credentials use the Kafka cluster\'s API key; Confluent Cloud\'s registry rejects it with 401', 'Create an API key scoped to the Schema Registry cluster (lsrc-…) and use that one here.');
  }
  return { registry: { urls, basicAuth }, secrets };
}

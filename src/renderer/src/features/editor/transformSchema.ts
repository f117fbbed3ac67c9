/**
 * Completion of `transforms.<alias>.<key>` and `predicates.<alias>.<key>`: aliases are the user's own names, so the
 * engine's schema carries the keys per class (definitions.transformKeys / predicateKeys) and this adds them, for the
 * aliases each connector of the document lists and the type each one names, to that connector's schema.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function aliasesOf(value: Json | undefined): string[] {
  if (typeof value === 'string') return value.split(',').map((alias) => alias.trim()).filter(Boolean);
  if (Array.isArray(value)) return value.filter((alias): alias is string => typeof alias === 'string' && alias.trim() !== '');
  return [];
}

function aliasProperties(config: JsonObject, catalogs: { transforms: JsonObject; predicates: JsonObject }): JsonObject {
  const properties: JsonObject = {};
  for (const [list, catalog] of [['transforms', catalogs.transforms], ['predicates', catalogs.predicates]] as const) {
    for (const alias of aliasesOf(config[list])) {
      const type = config[`${list}.${alias}.type`];
      const keys = typeof type === 'string' ? catalog[type] : undefined;
      if (!isObject(keys)) continue;
      for (const [key, schema] of Object.entries(keys)) properties[`${list}.${alias}.${key}`] = schema;
    }
  }
  return properties;
}

/**
 * The pipeline schema with each listed alias's keys added to its connector (by position in `connectors`). Returns
 * undefined when the text is not JSON (mid-typing): the caller keeps the schema it has.
 */
export function withTransformKeys(schema: unknown, text: string): unknown {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(schema) || !isObject(document) || !Array.isArray(document.connectors)) return schema;
  const definitions = schema.definitions;
  const properties = schema.properties;
  if (!isObject(definitions) || !isObject(properties) || !isObject(properties.connectors)) return schema;
  const catalogs = { transforms: isObject(definitions.transformKeys) ? definitions.transformKeys : {}, predicates: isObject(definitions.predicateKeys) ? definitions.predicateKeys : {} };
  const connectors = properties.connectors;
  const item = connectors.items ?? {};
  const perConnector: Json[] = document.connectors.map((entry: Json) => {
    if (!isObject(entry)) return item;
    const rest = isObject(entry.config);
    const added = aliasProperties(rest ? (entry.config as JsonObject) : entry, catalogs);
    if (Object.keys(added).length === 0) return item;
    return { allOf: [item, rest ? { properties: { config: { properties: added } } } : { properties: added }] };
  });
  return { ...schema, properties: { ...properties, connectors: { ...connectors, items: perConnector, additionalItems: item } } };
}

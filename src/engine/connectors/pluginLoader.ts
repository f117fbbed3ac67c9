import { findConnectorClass, isLogSource, isPollingSource, type ResolvedJdbcSink, type ResolvedObjectStoreSink, type ResolvedSource } from '../config';
import type { EngineError } from '../../shared/errors';
import { connectorError } from './errors';
import type { ResolvedSinkBase, SinkConnector, SinkContext, SourceConnector, SourceContext } from './port';

/** Builds a source plug-in for one connector; the runner lends the context. */
export type SourcePluginFactory = (context: SourceContext) => SourceConnector;
export type SinkPluginFactory = (context: SinkContext) => SinkConnector;

type SourcePluginLoader = (config: ResolvedSource) => Promise<SourcePluginFactory> | undefined;
type SinkPluginLoader = (config: ResolvedSinkBase) => Promise<SinkPluginFactory> | undefined;

export function isJdbcSink(config: ResolvedSinkBase): config is ResolvedJdbcSink {
  return 'tableNameFormat' in config && 'insertMode' in config;
}

export function isObjectStoreSink(config: ResolvedSinkBase): config is ResolvedObjectStoreSink {
  return 'storage' in config && 'layout' in config;
}

export function familyOf(connectorClass: string): string | undefined {
  return findConnectorClass(connectorClass)?.family.id;
}

export function noPlugin(role: string, name: string, connectorClass: string, known: readonly string[]): EngineError {
  return connectorError('CONNECTOR_NO_PLUGIN', `Connector "${name}": Ferry has no ${role} plug-in for connector.class ${connectorClass} (${role} families with one: ${known.join(', ')}).`);
}

/**
 * The plug-ins as a connector's worker thread loads them: only the module of its own plug-in (import() on demand),
 * so a source thread never evaluates the sinks' code and a sink thread never the sources' (each with the driver
 * packages it imports: a PostgreSQL sink's thread had loaded mysql2 and zongji through the MariaDB source's modules).
 * The same families as registry.ts's SOURCE_PLUGINS / SINK_PLUGINS (the host's synchronous map); pluginLoader.test.ts
 * holds them equal.
 */
export const SOURCE_PLUGIN_LOADERS: Readonly<Record<string, SourcePluginLoader>> = {
  'jdbc-source': (config) => (isPollingSource(config) ? import('./pollingSource').then(({ PollingSource }) => (context) => new PollingSource(config, context)) : undefined),
  'log-source': (config) => (isLogSource(config) ? import('./logSource').then(({ LogSource }) => (context) => new LogSource(config, context)) : undefined),
};

const sqlSink = (config: ResolvedSinkBase): Promise<SinkPluginFactory> | undefined =>
  isJdbcSink(config) ? import('./sqlSink').then(({ SqlSink }) => (context) => new SqlSink(config, context)) : undefined;
const objectStoreSink = (config: ResolvedSinkBase): Promise<SinkPluginFactory> | undefined =>
  isObjectStoreSink(config) ? import('./objectStoreSink').then(({ ObjectStoreSink }) => (context) => new ObjectStoreSink(config, context)) : undefined;

export const SINK_PLUGIN_LOADERS: Readonly<Record<string, SinkPluginLoader>> = {
  'jdbc-sink': sqlSink,
  // Debezium's JDBC sink keys are translated onto the JDBC sink's at validation; change events are unwrapped by the runner.
  'debezium-jdbc-sink': sqlSink,
  'azure-blob-sink': objectStoreSink,
  'azure-datalake-gen2-sink': objectStoreSink,
};

export async function loadSourcePlugin(config: ResolvedSource): Promise<SourcePluginFactory> {
  const family = familyOf(config.connectorClass);
  const factory = family === undefined ? undefined : SOURCE_PLUGIN_LOADERS[family]?.(config);
  if (!factory) throw noPlugin('source', config.name, config.connectorClass, Object.keys(SOURCE_PLUGIN_LOADERS));
  return factory;
}

export async function loadSinkPlugin(config: ResolvedSinkBase): Promise<SinkPluginFactory> {
  const family = familyOf(config.connectorClass);
  const factory = family === undefined ? undefined : SINK_PLUGIN_LOADERS[family]?.(config);
  if (!factory) throw noPlugin('sink', config.name, config.connectorClass, Object.keys(SINK_PLUGIN_LOADERS));
  return factory;
}

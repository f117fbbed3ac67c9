import { findConnectorClass, isLogSource, isPollingSource, type ResolvedJdbcSink, type ResolvedObjectStoreSink, type ResolvedSource } from '../config';
import type { EngineError } from '../../shared/errors';
import { connectorError } from './errors';
import { LogSource } from './logSource';
import { ObjectStoreSink } from './objectStoreSink';
import { PollingSource } from './pollingSource';
import type { ResolvedSinkBase, SinkConnector, SinkContext, SourceConnector, SourceContext } from './port';
import { SqlSink } from './sqlSink';

/** Builds a source plug-in for one connector; the runner lends the context. */
export type SourcePluginFactory = (context: SourceContext) => SourceConnector;
export type SinkPluginFactory = (context: SinkContext) => SinkConnector;

type SourcePlugin = (config: ResolvedSource) => SourcePluginFactory | undefined;
type SinkPlugin = (config: ResolvedSinkBase) => SinkPluginFactory | undefined;

function isJdbcSink(config: ResolvedSinkBase): config is ResolvedJdbcSink {
  return 'tableNameFormat' in config && 'insertMode' in config;
}

/**
 * The one place that maps `connector.class` to a plug-in, by the config family the class belongs to
 * (config/connectors/index.ts lists the classes of each family). A new plug-in is one entry here; the runner
 * (pipeline/) never names a plug-in. Each entry checks that the resolved config is the shape it takes.
 */
const SOURCE_PLUGINS: Readonly<Record<string, SourcePlugin>> = {
  'jdbc-source': (config) => (isPollingSource(config) ? (context) => new PollingSource(config, context) : undefined),
  'log-source': (config) => (isLogSource(config) ? (context) => new LogSource(config, context) : undefined),
};

const SINK_PLUGINS: Readonly<Record<string, SinkPlugin>> = {
  'jdbc-sink': (config) => (isJdbcSink(config) ? (context) => new SqlSink(config, context) : undefined),
  // Debezium's JDBC sink keys are translated onto the JDBC sink's at validation; change events are unwrapped by the runner.
  'debezium-jdbc-sink': (config) => (isJdbcSink(config) ? (context) => new SqlSink(config, context) : undefined),
  'azure-blob-sink': (config) => (isObjectStoreSink(config) ? (context) => new ObjectStoreSink(config, context) : undefined),
  'azure-datalake-gen2-sink': (config) => (isObjectStoreSink(config) ? (context) => new ObjectStoreSink(config, context) : undefined),
};

function isObjectStoreSink(config: ResolvedSinkBase): config is ResolvedObjectStoreSink {
  return 'storage' in config && 'layout' in config;
}

function familyOf(connectorClass: string): string | undefined {
  return findConnectorClass(connectorClass)?.family.id;
}

function noPlugin(role: string, name: string, connectorClass: string, known: readonly string[]): EngineError {
  return connectorError('CONNECTOR_NO_PLUGIN', `Connector "${name}": Ferry has no ${role} plug-in for connector.class ${connectorClass} (${role} families with one: ${known.join(', ')}).`);
}

export function sourcePlugin(config: ResolvedSource): SourcePluginFactory {
  const family = familyOf(config.connectorClass);
  const factory = family === undefined ? undefined : SOURCE_PLUGINS[family]?.(config);
  if (!factory) throw noPlugin('source', config.name, config.connectorClass, Object.keys(SOURCE_PLUGINS));
  return factory;
}

export function sinkPlugin(config: ResolvedSinkBase): SinkPluginFactory {
  const family = familyOf(config.connectorClass);
  const factory = family === undefined ? undefined : SINK_PLUGINS[family]?.(config);
  if (!factory) throw noPlugin('sink', config.name, config.connectorClass, Object.keys(SINK_PLUGINS));
  return factory;
}

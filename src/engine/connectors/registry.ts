import type { ResolvedSource } from '../config';
import { isLogSource, isPollingSource } from '../config';
import { LogSource } from './logSource';
import { ObjectStoreSink } from './objectStoreSink';
import { familyOf, isJdbcSink, isObjectStoreSink, noPlugin, type SinkPluginFactory, type SourcePluginFactory } from './pluginLoader';
import { PollingSource } from './pollingSource';
import type { ResolvedSinkBase } from './port';
import { SqlSink } from './sqlSink';

export type { SinkPluginFactory, SourcePluginFactory } from './pluginLoader';

type SourcePlugin = (config: ResolvedSource) => SourcePluginFactory | undefined;
type SinkPlugin = (config: ResolvedSinkBase) => SinkPluginFactory | undefined;

/**
 * The one place that maps `connector.class` to a plug-in, by the config family the class belongs to
 * (config/connectors/index.ts lists the classes of each family). A new plug-in is one entry here and one in
 * pluginLoader.ts (the same map for worker threads, loading only the plug-in a thread runs); the runner (pipeline/)
 * never names a plug-in. Each entry checks that the resolved config is the shape it takes. This map serves connectors
 * that run in the host's thread.
 */
export const SOURCE_PLUGINS: Readonly<Record<string, SourcePlugin>> = {
  'jdbc-source': (config) => (isPollingSource(config) ? (context) => new PollingSource(config, context) : undefined),
  'log-source': (config) => (isLogSource(config) ? (context) => new LogSource(config, context) : undefined),
};

export const SINK_PLUGINS: Readonly<Record<string, SinkPlugin>> = {
  'jdbc-sink': (config) => (isJdbcSink(config) ? (context) => new SqlSink(config, context) : undefined),
  // Debezium's JDBC sink keys are translated onto the JDBC sink's at validation; change events are unwrapped by the runner.
  'debezium-jdbc-sink': (config) => (isJdbcSink(config) ? (context) => new SqlSink(config, context) : undefined),
  'azure-blob-sink': (config) => (isObjectStoreSink(config) ? (context) => new ObjectStoreSink(config, context) : undefined),
  'azure-datalake-gen2-sink': (config) => (isObjectStoreSink(config) ? (context) => new ObjectStoreSink(config, context) : undefined),
};

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

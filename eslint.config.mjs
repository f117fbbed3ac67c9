// Lint rules, including the import rules of the architecture page (section 3). Zones are checked on resolved
// paths by import-x/no-restricted-paths, so a relative import cannot sneak across a boundary.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Engine layers, lowest first: a layer may import only from layers before it (and itself). */
const ENGINE_LAYERS = [
  ['base'],
  // db: one folder per database (driver sessions, error codes, identifier quoting) and what they share (connection
  // failures in words, DSNs), used by config, sources, sinks and the features.
  ['model', 'db'],
  ['config', 'store', 'schema', 'kafka'],
  ['sources', 'sinks'],
  // connectors: the connector port and the plug-ins (polling, log capture, SQL sink) built on sources and sinks.
  ['connectors'],
  // connections (profile tests) and topics (the message viewer) use kafka, schema and db; trace and query (the query
  // pane) look inside pipelines and reuse verify.
  ['pipeline', 'replicator', 'verify', 'connections', 'topics', 'trace', 'query'],
  ['lab', 'demo', 'host'],
];

const engineLayerZones = ENGINE_LAYERS.flatMap((layer, index) =>
  layer.map((folder) => ({
    target: `./src/engine/${folder}`,
    from: ENGINE_LAYERS.slice(index + 1)
      .flat()
      .map((higher) => `./src/engine/${higher}`),
    message: `engine/${folder} sits below these layers; move the shared piece down instead (architecture §3).`,
  })),
).filter((zone) => zone.from.length > 0);

/** engine/db/<db>: a database's folder never imports a sibling's; what they share stands in engine/db itself. */
const DATABASES = ['mysql', 'postgres', 'sqlserver'];
const databaseSiblingZones = DATABASES.map((db) => ({
  target: `./src/engine/db/${db}`,
  from: DATABASES.filter((other) => other !== db).map((other) => `./src/engine/db/${other}`),
  message: `engine/db/${db} never imports another database's folder; move the shared piece to engine/db (architecture §3).`,
}));

const NODE_BUILTINS = { group: ['node:*'], message: 'src/shared and the renderer are pure TS: no Node built-ins.' };
const NO_ELECTRON = { name: 'electron', message: 'Only src/main and src/preload may import electron.' };
const NO_KAFKA_CLIENT = {
  group: ['kafkajs', 'kafkajs/*'],
  message: 'Only src/engine/kafka may import the Kafka client library: use the Kafka port (createKafkaClient, KafkaProducer, KafkaConsumer, KafkaAdmin from engine/kafka).',
};
const NO_REACT_IN_NODE = [
  { name: 'react', message: 'React belongs to src/renderer.' },
  { name: 'react-dom', message: 'React belongs to src/renderer.' },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.node.json', 'tsconfig.web.json'], noWarnOnMultipleProjects: true })],
    },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/shared',
              from: ['./src/engine', './src/main', './src/preload', './src/renderer', './test', './bench'],
              message: 'src/shared imports nothing else (architecture §3).',
            },
            {
              target: './src/engine',
              from: ['./src/main', './src/preload', './src/renderer'],
              message: 'The engine is a plain Node library: it never imports a host (architecture §1).',
            },
            {
              target: './src/main',
              from: './src/engine',
              except: ['./index.ts'],
              message: 'src/main imports only src/engine/index.ts.',
            },
            {
              target: './src/main',
              from: ['./src/renderer', './src/preload'],
              message: 'src/main does not import renderer or preload code.',
            },
            {
              target: './src/preload',
              from: ['./src/engine', './src/main', './src/renderer'],
              message: 'The preload imports electron and shared constants only.',
            },
            {
              target: './src/renderer',
              from: ['./src/engine', './src/main'],
              message: 'The renderer reaches the engine only through the API in src/shared/api (architecture §2).',
            },
            {
              target: './src/renderer',
              from: './src/preload',
              except: ['./bridge.d.ts'],
              message: 'The renderer may import only the preload bridge types.',
            },
            ...engineLayerZones,
            ...databaseSiblingZones,
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_ELECTRON, ...NO_REACT_IN_NODE], patterns: [NODE_BUILTINS] }] },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_ELECTRON, ...NO_REACT_IN_NODE], patterns: [NO_KAFKA_CLIENT] }] },
  },
  {
    // The Kafka port's adapter is the one place that knows the client library.
    files: ['src/engine/kafka/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_ELECTRON, ...NO_REACT_IN_NODE] }] },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { paths: [NO_ELECTRON], patterns: [NODE_BUILTINS] }],
    },
  },
);

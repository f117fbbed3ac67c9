import * as monaco from 'monaco-editor/editor/editor.api.js';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register.js';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';
import './monacoContrib';
import { withTransformKeys } from './transformSchema';

/**
 * Monaco, bundled by Vite with its workers as same-origin files: nothing is fetched from a CDN, so the editor works
 * offline and under the app's CSP (workers fall under script-src 'self'). Only the JSON language service runs a
 * worker; every other language falls back to the plain editor worker.
 */
declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

window.MonacoEnvironment = {
  getWorker(_workerId, label) {
    return label === 'json' ? new JsonWorker({ name: 'json' }) : new EditorWorker({ name: 'editor' });
  },
};

export const PIPELINE_SCHEMA_URI = 'ferry://schemas/pipeline.schema.json';
export const PIPELINE_MODEL_URI = monaco.Uri.parse('ferry://workspace/pipeline.json');

let baseSchema: unknown;
let appliedKey = '';

function setSchema(schema: unknown): void {
  jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    enableSchemaRequest: false,
    schemaValidation: 'ignore',
    schemas: [{ uri: PIPELINE_SCHEMA_URI, fileMatch: [PIPELINE_MODEL_URI.toString()], schema }],
  });
}

/**
 * Completion and hover come from the engine's JSON Schema (generated from the same definitions that validate).
 * Monaco's own schema validation is off: Ferry's validator is the authority and reports through `ferry` markers
 * with fix hints, so the user never sees two differently worded messages for one mistake.
 */
export function applyPipelineSchema(schema: unknown): void {
  if (baseSchema !== undefined) return;
  baseSchema = schema;
  setSchema(schema);
}

/**
 * The schema again, with the keys of the transforms and predicates the document's connectors list (by their type),
 * so `transforms.<alias>.` completes that transform's keys. Text that is not JSON (mid-typing) keeps the last one.
 */
export function refreshPipelineSchema(text: string): void {
  if (baseSchema === undefined) return;
  const schema = withTransformKeys(baseSchema, text);
  if (schema === undefined) return;
  const key = JSON.stringify((schema as { properties?: { connectors?: { items?: unknown } } }).properties?.connectors?.items ?? null);
  if (key === appliedKey) return;
  appliedKey = key;
  setSchema(schema);
}

export { monaco };

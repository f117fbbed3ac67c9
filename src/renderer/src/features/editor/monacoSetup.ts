import * as monaco from 'monaco-editor/editor/editor.api.js';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register.js';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';
import './monacoContrib';

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

let schemaApplied = false;

/**
 * Completion and hover come from the engine's JSON Schema (generated from the same definitions that validate).
 * Monaco's own schema validation is off: Ferry's validator is the authority and reports through `ferry` markers
 * with fix hints, so the user never sees two differently worded messages for one mistake.
 */
export function applyPipelineSchema(schema: unknown): void {
  if (schemaApplied) return;
  schemaApplied = true;
  jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    enableSchemaRequest: false,
    schemaValidation: 'ignore',
    schemas: [{ uri: PIPELINE_SCHEMA_URI, fileMatch: [PIPELINE_MODEL_URI.toString()], schema }],
  });
}

export { monaco };

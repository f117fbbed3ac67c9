/**
 * Text another pane hands to the config editor (e.g. a Connect connector's config): the editor takes it once when it
 * opens, before its own draft. Kept apart from ConfigEditor so the handing pane does not load Monaco.
 */
export interface EditorHandoff {
  /** A connector config as Connect or Confluent Cloud gives it ({name, config}); the editor wraps it in a pipeline. */
  connectorJson: string;
  /** Where it came from, for the editor's notice. */
  origin: string;
}

let pending: EditorHandoff | undefined;

export function handToEditor(handoff: EditorHandoff): void {
  pending = handoff;
}

/** The pending handoff, cleared: a second visit to the editor shows the user's own text again. */
export function takeEditorHandoff(): EditorHandoff | undefined {
  const taken = pending;
  pending = undefined;
  return taken;
}

/**
 * Whether the config editor holds text that is neither saved nor as opened: a pane about to hand text over asks the
 * user first. The editor keeps this up to date (its text survives pane switches); false until it was first opened.
 */
let unsaved = false;

export function setEditorUnsaved(value: boolean): void {
  unsaved = value;
}

export function editorHasUnsavedText(): boolean {
  return unsaved;
}

import type { ComponentType } from 'react';
import { LabPanel } from '../features/lab/LabPanel';

/**
 * Every pane of the app, in sidebar order. A feature adds itself with one entry here; the shell derives the
 * sidebar, the URL hash (#<id>) and the keyboard shortcut (Alt+<index>) from this list.
 */
export interface PaneDefinition {
  id: string;
  /** Sidebar label and the pane's accessible name. */
  label: string;
  component: ComponentType;
}

export const PANES: readonly PaneDefinition[] = [
  { id: 'lab', label: 'Local lab', component: LabPanel },
];

export const DEFAULT_PANE_ID = 'lab';

import type { ComponentType } from 'react';
import { ConnectPane } from '../features/connect/ConnectPane';
import { ConnectionsPane } from '../features/connections/ConnectionsPane';
import { DemoPane } from '../features/demo/DemoPane';
import { EditorPane } from '../features/editor/EditorPane';
import { KafkaPane } from '../features/kafka/KafkaPane';
import { LabPanel } from '../features/lab/LabPanel';
import { LineagePane } from '../features/lineage/LineagePane';
import { MessagesPane } from '../features/messages/MessagesPane';
import { PipelinesPane } from '../features/pipelines/PipelinesPane';
import { QueryPane } from '../features/query/QueryPane';

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
  { id: 'demo', label: 'Demo', component: DemoPane },
  { id: 'pipelines', label: 'Pipelines', component: PipelinesPane },
  { id: 'lineage', label: 'Lineage', component: LineagePane },
  { id: 'editor', label: 'Config editor', component: EditorPane },
  { id: 'messages', label: 'Messages', component: MessagesPane },
  { id: 'kafka', label: 'Kafka', component: KafkaPane },
  { id: 'connections', label: 'Connections', component: ConnectionsPane },
  { id: 'query', label: 'Query', component: QueryPane },
  { id: 'lab', label: 'Local lab', component: LabPanel },
  { id: 'connect', label: 'Kafka Connect', component: ConnectPane },
];

/** First run (no saved workspace) opens on the demo; App switches to Pipelines when a workspace exists. */
export const DEFAULT_PANE_ID = 'demo';
/** Where a user with saved pipelines lands when the URL names no pane. */
export const WORKSPACE_PANE_ID = 'pipelines';

import { lazy, Suspense } from 'react';

/** Monaco is large: it loads with this pane, not with the app, so cold start stays small. */
const ConfigEditor = lazy(() => import('./ConfigEditor'));

export function EditorPane() {
  return (
    <Suspense
      fallback={
        <div className="pane" aria-busy="true">
          <p className="muted">
            <span className="spinner" aria-hidden="true" /> Loading the editor…
          </p>
        </div>
      }
    >
      <ConfigEditor />
    </Suspense>
  );
}

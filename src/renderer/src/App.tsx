import { useEffect, useState } from 'react';
import type { SystemInfo } from '../../shared/api';
import { engine, engineConnection, onEngineDisconnected } from './engine';
import { PANES, WORKSPACE_PANE_ID } from './app/panes';
import { ThemeToggle } from './app/ThemeToggle';
import { useHashPane } from './app/useHashPane';
import { isPresenting, PresenterView } from './features/presenter/PresenterView';

export function App() {
  const [info, setInfo] = useState<SystemInfo | undefined>();
  const [disconnected, setDisconnected] = useState(false);
  const pane = useHashPane();
  const Pane = pane.component;
  const [presenting, setPresenting] = useState(() => isPresenting(window.location.hash));
  useEffect(() => {
    engine.system.info().then(setInfo, () => setDisconnected(true));
    // First run opens on the demo (the default pane); a user with a saved workspace starts on their pipelines.
    if (window.location.hash === '') {
      engine.pipelines.listFiles().then(
        (files) => {
          if (files.length > 0 && window.location.hash === '') window.location.hash = WORKSPACE_PANE_ID;
        },
        () => {},
      );
    }
    const onHash = (): void => setPresenting(isPresenting(window.location.hash));
    window.addEventListener('hashchange', onHash);
    const stopListening = onEngineDisconnected(() => setDisconnected(true));
    return () => {
      window.removeEventListener('hashchange', onHash);
      stopListening();
    };
  }, []);

  // Presenter mode is the whole window: no sidebar, nothing but the pipeline.
  if (presenting) return <PresenterView />;

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Ferry</div>
        {PANES.map((entry, index) => (
          <a
            key={entry.id}
            className={entry.id === pane.id ? 'nav-item active' : 'nav-item'}
            href={`#${entry.id}`}
            aria-current={entry.id === pane.id ? 'page' : undefined}
            title={index < 9 ? `${entry.label} (Alt+${index + 1})` : entry.label}
          >
            {entry.label}
          </a>
        ))}
        <div className="sidebar-footer muted small">
          <ThemeToggle />
          {info ? `v${info.version} · ${engineConnection === 'web' ? 'browser' : 'desktop'}` : '…'}
        </div>
      </nav>
      <main className="content">
        {disconnected && (
          <div className="problem" role="alert">
            <strong>Engine unreachable</strong>
            <p>The connection to the Ferry engine was lost or refused. Start `ferry web` again and open the URL it prints (it carries the access token).</p>
          </div>
        )}
        <Pane key={pane.id} />
      </main>
    </div>
  );
}
